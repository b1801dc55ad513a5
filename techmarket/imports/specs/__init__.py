"""The import specs of the registered catalogue types, keyed by the URL segment (/imports/<key>/...)."""

from django.http import Http404

from techmarket.catalog import registry

from ..spec import ImportSpec


def all_specs() -> dict[str, ImportSpec]:
    specs = (t.import_spec() for t in registry.importable() if t.import_spec is not None)
    return {spec.key: spec for spec in specs}


def get_spec(key: str) -> ImportSpec:
    spec = all_specs().get(key)
    if spec is None:
        raise Http404
    return spec
