"""The national code tables loaded by the data migration, and the loader's idempotence."""

import pytest
from django.core.management import call_command

from techmarket.reference.loader import read_table
from techmarket.reference.models import Discipline, Industry, Region, TechnologyReadinessLevel

pytestmark = pytest.mark.django_db


def test_migration_loaded_every_table_with_the_expected_row_counts():
    assert Region.objects.count() == 3213
    assert Industry.objects.count() == 1971
    assert Discipline.objects.count() == 62
    assert list(TechnologyReadinessLevel.objects.values_list("level", flat=True)) == list(range(1, 10))


def test_shandong_is_complete_down_to_county_level():
    shandong = Region.objects.get(pk="370000")
    assert (shandong.name, shandong.level) == ("山东省", Region.Level.PROVINCE)
    prefectures = list(Region.objects.filter(parent=shandong))
    assert len(prefectures) == 16
    assert all(p.level == Region.Level.PREFECTURE for p in prefectures)
    for prefecture in prefectures:
        assert prefecture.children.filter(level=Region.Level.COUNTY).exists(), prefecture.name
    assert Region.objects.filter(pk__startswith="37", level=Region.Level.COUNTY).count() == 136


def test_region_tree_links_county_to_prefecture_with_full_name():
    lanshan = Region.objects.select_related("parent__parent").get(pk="371302")
    assert (lanshan.name, lanshan.full_name) == ("兰山区", "山东省临沂市兰山区")
    assert (lanshan.parent.pk, lanshan.parent.parent.pk) == ("371300", "370000")


def test_every_parent_code_refers_to_an_existing_row_of_a_higher_level():
    order = {"province": 0, "prefecture": 1, "county": 2}
    for region in Region.objects.exclude(parent=None).select_related("parent"):
        assert order[region.parent.level] < order[region.level], region.pk
        assert region.pk.startswith(region.parent.pk[:2])
    for industry in Industry.objects.exclude(parent=None).select_related("parent"):
        assert industry.parent.level == industry.level - 1, industry.pk
        assert industry.section == industry.parent.section


def test_industry_divisions_belong_to_their_section():
    division = Industry.objects.get(pk="26")
    assert (division.level, division.section, division.parent_id) == (2, "C", "C")
    assert "化学" in division.name


def test_reloading_restores_standard_rows_but_keeps_operator_trl_edits_and_adds_no_duplicates(capsys):
    # One reload (a few seconds on SQLite) checks every rule of the loader.
    Region.objects.filter(pk="371302").update(name="改错的名字")
    Region.objects.filter(pk="371329").delete()  # 临沭县, no children
    TechnologyReadinessLevel.objects.filter(level=5).update(name="运营人员修改的名称")
    TechnologyReadinessLevel.objects.filter(level=9).delete()

    call_command("load_reference")

    assert "regions 新增 1" in capsys.readouterr().out
    assert Region.objects.get(pk="371302").name == "兰山区"
    assert Region.objects.get(pk="371329").parent_id == "371300"
    assert TechnologyReadinessLevel.objects.get(level=5).name == "运营人员修改的名称"
    assert TechnologyReadinessLevel.objects.filter(level=9).exists()
    assert (
        Region.objects.count(),
        Industry.objects.count(),
        Discipline.objects.count(),
        TechnologyReadinessLevel.objects.count(),
    ) == (3213, 1971, 62, 9)


def test_data_files_have_unique_codes():
    for name in ("regions.json", "industries.json", "disciplines.json"):
        codes = [row["code"] for row in read_table(name)]
        assert len(codes) == len(set(codes)), name


# The reference API


def test_reference_api_filters_children_of_a_parent(client):
    body = client.get("/api/reference/regions", {"parent": "371300", "page_size": 100}).json()
    assert body["count"] == Region.objects.filter(parent_id="371300").count() > 0
    assert all(r["parent_id"] == "371300" for r in body["items"])
    assert "371302" in {r["code"] for r in body["items"]}


def test_reference_api_empty_parent_lists_top_level_rows(client):
    body = client.get("/api/reference/industries", {"parent": "", "page_size": 100}).json()
    assert {r["code"] for r in body["items"]} == set(
        Industry.objects.filter(parent=None).values_list("pk", flat=True)
    )


def test_reference_api_search_matches_code_prefix_or_name(client):
    assert {r["code"] for r in client.get("/api/reference/regions", {"q": "兰山"}).json()["items"]} >= {
        "371302"
    }
    by_code = client.get("/api/reference/regions", {"q": "3713", "page_size": 100}).json()
    assert all(r["code"].startswith("3713") for r in by_code["items"])


def test_reference_api_trl_lists_nine_levels(client):
    assert [t["level"] for t in client.get("/api/reference/trl").json()] == list(range(1, 10))
