"""The import specs, keyed by the URL segment (/imports/<key>/...): those of the registered catalogue
types, and those of domains that are not catalogue types (contracts) registered with ``register_spec``."""

from collections.abc import Callable

from django.http import Http404

from techmarket.catalog import registry

from ..spec import ImportSpec

_EXTRA: dict[str, Callable[[], ImportSpec]] = {}


def register_spec(key: str, factory: Callable[[], ImportSpec]) -> None:
    """A non-catalogue domain's sheet (lazy: called when a page needs it), from its AppConfig.ready()."""
    _EXTRA[key] = factory


def all_specs() -> dict[str, ImportSpec]:
    specs = [t.import_spec() for t in registry.importable() if t.import_spec is not None]
    specs += [factory() for factory in _EXTRA.values()]
    return {spec.key: spec for spec in specs}


def get_spec(key: str) -> ImportSpec:
    spec = all_specs().get(key)
    if spec is None:
        raise Http404
    return spec
