"""The shared sheet helpers (imports.columns) a domain's sheet.py declares its spec with."""

import datetime

import pytest
from factories import OrganizationFactory

from techmarket.imports.columns import (
    codes_to_objects,
    int_param,
    join_list,
    list_filters,
    load_by_external_key,
    save_through,
    split_list,
)
from techmarket.imports.services import review_of
from techmarket.imports.specs import get_spec
from techmarket.needs.models import Need
from techmarket.reference.models import Region

pytestmark = pytest.mark.django_db


def test_split_and_join_lists_round_trip_and_fold_codes_only_when_asked():
    assert split_list("４３０、530，610;\n") == ["４３０", "530", "610"]
    assert split_list("４３０、530", fold=True) == ["430", "530"]
    assert split_list(join_list(["山东大学", "临沂大学"])) == ["山东大学", "临沂大学"]


def test_int_param_refuses_what_would_overflow_the_database():
    assert int_param("42") == 42
    assert int_param("9" * 30) is None and int_param("-1") is None and int_param("") is None


def test_list_filters_types_the_get_parameters_for_the_selector():
    seen = {}

    def selector(user, **kwargs):
        seen.update(kwargs, user=user)
        return "qs"

    visible = list_filters(selector, text=("region",), ints=("owner",), dates=("date_from",), flags=("flag",))
    params = {"q": "  锂电池 ", "owner": "7", "date_from": "2026-01-31", "flag": "1"}
    assert visible("u", params) == "qs"
    assert seen == {
        "user": "u",
        "q": "锂电池",
        "region": "",
        "owner": 7,
        "date_from": datetime.date(2026, 1, 31),
        "flag": True,
        "ordering": "newest",
    }


def test_load_by_external_key_finds_the_owners_rows_in_every_state(spec, owner):
    _user, org = owner
    other = OrganizationFactory()
    mine = Need.objects.create(owner=org, title="某需求一", summary="摘要", external_key="K-1")
    Need.objects.create(owner=other, title="某需求二", summary="摘要", external_key="K-1")
    assert load_by_external_key(Need)(org, ["K-1", "K-2"]) == {"K-1": mine}


def test_codes_to_objects_leaves_absent_columns_alone():
    region = Region.objects.order_by("code").first()
    data = codes_to_objects({"region": region.code, "title": "x"}, {"region": Region, "industry": object})
    assert data == {"region": region, "title": "x"}
    assert codes_to_objects({"region": ""}, {"region": Region}) == {"region": None}


def test_save_through_says_whether_an_update_wrote_anything():
    class Item:
        updated_at = 1

    item = Item()

    def update(obj, *, acting_user, **data):
        if data.get("title") != "same":
            obj.updated_at += 1
        return obj

    save = save_through(create=lambda **kw: ("created", kw), update=update)
    assert save({"title": "same"}, item, "u", "o") == (item, False)
    assert save({"title": "new"}, item, "u", "o") == (item, True)
    assert save({"title": "t"}, None, "u", "o") == (
        ("created", {"acting_user": "u", "owner": "o", "title": "t"}),
        True,
    )


def test_drafts_and_submit_come_from_the_registry_for_types_with_review():
    assert review_of(get_spec("needs")) is not None
    assert review_of(get_spec("achievements")) is not None
    assert review_of(get_spec("experts")) is None  # experts have no review


def test_a_domain_that_is_not_a_catalogue_type_registers_its_own_spec():
    from techmarket.imports.spec import EXTERNAL_KEY_HEADER, Column, ImportSpec
    from techmarket.imports.specs import all_specs, register_spec, unregister_spec
    from techmarket.imports.template import build_template

    spec = ImportSpec(
        key="contracts-test",
        title="合同",
        columns=[Column(EXTERNAL_KEY_HEADER, "external_key", required=True, example="HT-1")],
        load_existing=lambda owner, keys: {},
        save=lambda data, existing, user, owner: (None, True),
    )
    register_spec("contracts-test", lambda: spec)
    try:
        assert all_specs()["contracts-test"] is spec and build_template(spec)[:2] == b"PK"
        assert review_of(spec) is None
        with pytest.raises(ValueError):
            register_spec("needs", lambda: spec)
    finally:
        unregister_spec("contracts-test")
