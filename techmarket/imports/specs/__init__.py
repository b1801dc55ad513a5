"""The import specs, keyed by the URL segment (/imports/<key>/...): those of the registered catalogue
types (``CatalogueType.import_spec``) and those other domains register themselves (contracts …)."""

from collections.abc import Callable

from django.http import Http404

from techmarket.catalog import registry

from ..spec import ImportSpec

# Lazy loaders of specs that are not a catalogue type's, added by their app's ready().
_EXTRA: dict[str, Callable[[], ImportSpec]] = {}


def register_spec(key: str, loader: Callable[[], ImportSpec]) -> None:
    """Make ``loader()``'s spec importable at /imports/<key>/ (call from AppConfig.ready())."""
    if registry.find(key) is not None:
        raise ValueError(f"{key!r} is a catalogue type: declare its sheet as CatalogueType.import_spec")
    _EXTRA[key] = loader


def unregister_spec(key: str) -> None:
    _EXTRA.pop(key, None)


def all_specs() -> dict[str, ImportSpec]:
    specs = [t.import_spec() for t in registry.importable() if t.import_spec is not None]
    specs += [loader() for loader in _EXTRA.values()]
    return {spec.key: spec for spec in specs}


def get_spec(key: str) -> ImportSpec:
    spec = all_specs().get(key)
    if spec is None:
        raise Http404
    return spec
