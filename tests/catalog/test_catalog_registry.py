"""The catalogue registry is the one place that lists catalogue types; shared code never imports them."""

import re
from pathlib import Path

import pytest

from techmarket.catalog import registry

ROOT = Path(__file__).resolve().parents[2] / "techmarket"
LOWER_LAYERS = ["catalog", "core", "notifications", "matching", "imports", "api"]
TYPE_APPS = ["needs", "achievements", "experts"]


def test_shared_apps_import_no_catalogue_type_app():
    pattern = re.compile(
        rf"(from|import)\s+techmarket\.({'|'.join(TYPE_APPS)})\b|from\s+\.\.({'|'.join(TYPE_APPS)})\b"
    )
    offenders = []
    for layer in LOWER_LAYERS:
        for path in (ROOT / layer).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "shared code imports a catalogue app; read catalog.registry instead:\n" + "\n".join(
        offenders
    )


def test_shared_templates_name_no_catalogue_url():
    offenders = []
    for layer in LOWER_LAYERS:
        for path in (ROOT / layer).rglob("*.html"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if re.search(rf"{{% url '({'|'.join(TYPE_APPS)}):", line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert not offenders, offenders


def test_each_type_is_registered_once_with_its_declarations():
    keys = [t.key for t in registry.all_types()]
    assert keys[:3] == ["needs", "achievements", "experts"]
    for ctype in registry.all_types():
        assert registry.for_model(ctype.model) is ctype
        assert registry.for_model(ctype.label_lower) is ctype
        assert ctype.list_url().startswith(f"/{ctype.key}/")
        if ctype.matching:
            assert registry.for_kind(ctype.matching.kind) is ctype
    assert [k for k, _label in registry.saved_search_choices()] == [
        "needs",
        "achievements",
        "experts",
        "challenges",
    ]
    assert {t.key for t in registry.expiring()} == {"needs", "achievements"}


def test_registering_another_model_under_a_taken_key_is_refused():
    from techmarket.orgs.models import Organization

    needs = registry.get("needs")
    with pytest.raises(ValueError, match="already registered"):
        registry.register(
            registry.CatalogueType(
                key="needs",
                model=Organization,
                label="机构",
                list_visible=needs.list_visible,
                get_visible=needs.get_visible,
                pk_kwarg="org_id",
            )
        )
    assert registry.get("needs") is needs
