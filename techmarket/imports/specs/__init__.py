"""The registry of import specs, keyed by the URL segment (/imports/<key>/...)."""

from django.http import Http404

from ..spec import ImportSpec


def all_specs() -> dict[str, ImportSpec]:
    from .achievements import ACHIEVEMENTS
    from .experts import EXPERTS
    from .needs import NEEDS

    return {spec.key: spec for spec in (NEEDS, ACHIEVEMENTS, EXPERTS)}


def get_spec(key: str) -> ImportSpec:
    spec = all_specs().get(key)
    if spec is None:
        raise Http404
    return spec
