"""Finding achievements: Chinese substring search over title, summary and keywords, and every filter.

JSON-list filters (keywords, transfer modes) run here on whichever backend the suite uses: CI runs this
file on SQLite and on PostgreSQL.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from factories import OrganizationFactory, with_search_text

from techmarket.achievements.models import Achievement
from techmarket.achievements.selectors import achievement_list_visible_to
from techmarket.catalog.models import ListingStatus
from techmarket.reference.models import Industry

pytestmark = pytest.mark.django_db


def _listed(org, title, **extra):
    industries = extra.pop("industries", [])
    item = Achievement.objects.create(
        owner=org,
        title=title,
        summary=extra.pop("summary", "摘要"),
        status=ListingStatus.PUBLISHED,
        published_at=timezone.now(),
        **extra,
    )
    item.industries.set(industries)
    return with_search_text(item)


@pytest.fixture
def catalogue():
    org = OrganizationFactory()
    return {
        "battery": _listed(
            org,
            "正极材料低温改性",
            keywords=["磷酸铁锂电池正极材料", "低温"],
            trl=6,
            stage="pilot",
            discipline_id="430",
            transfer_modes=["exclusive_license", "equity"],
            industries=[Industry.objects.get(pk="384")],
            asking_price_wan=300,
        ),
        "wood": _listed(
            org,
            "杨木单板阻燃改性工艺",
            summary="用于胶合板的无卤阻燃处理",
            keywords=["阻燃"],
            trl=3,
            stage="lab",
            discipline_id="530",
            transfer_modes=["ordinary_license"],
            industries=[Industry.objects.get(pk="20")],
        ),
        "coating": _listed(
            org,
            "水性工业防腐涂料",
            summary="VOC 低于 50 g/L 的锂电池壳体涂层",
            trl=8,
            stage="industrial",
            discipline_id="530",
            transfer_modes=["transfer"],
            industries=[Industry.objects.get(pk="264")],
        ),
        "draft": with_search_text(
            Achievement.objects.create(
                owner=org, title="磷酸铁锂电池回收", summary="草稿", trl=5, transfer_modes=["transfer"]
            )
        ),
    }


def _found(**filters):
    return {a.title for a in achievement_list_visible_to(AnonymousUser(), **filters)}


def test_chinese_substring_search_covers_title_summary_and_keywords(catalogue):
    assert _found(q="锂电池") == {
        "正极材料低温改性",
        "水性工业防腐涂料",
    }  # keyword and summary, not the draft
    assert _found(q="阻燃") == {"杨木单板阻燃改性工艺"}
    assert _found(q="锂电池 涂层") == {"水性工业防腐涂料"}  # every term must match
    assert _found(q="voc") == {"水性工业防腐涂料"}  # case-insensitive for Latin letters
    assert _found(q="钠离子") == set()


def test_transfer_mode_filter_matches_whole_list_elements(catalogue):
    assert _found(transfer_mode="transfer") == {"水性工业防腐涂料"}
    assert _found(transfer_mode="exclusive_license") == {"正极材料低温改性"}
    assert _found(transfer_mode="ordinary_license") == {"杨木单板阻燃改性工艺"}
    assert _found(transfer_mode="license") == set()  # no partial match on codes
    assert _found(transfer_mode="pay_after_use") == set()


def test_trl_range_stage_and_discipline_filters(catalogue):
    assert _found(trl_min=6) == {"正极材料低温改性", "水性工业防腐涂料"}
    assert _found(trl_max=5) == {"杨木单板阻燃改性工艺"}
    assert _found(trl_min=4, trl_max=7) == {"正极材料低温改性"}
    assert _found(stage="industrial") == {"水性工业防腐涂料"}
    assert _found(discipline="530") == {"杨木单板阻燃改性工艺", "水性工业防腐涂料"}
    assert _found(discipline="430", q="低温") == {"正极材料低温改性"}


def test_industry_filter_accepts_section_division_and_group_without_duplicates(catalogue):
    assert _found(industry="384") == {"正极材料低温改性"}
    assert _found(industry="26") == {"水性工业防腐涂料"}  # 264 is a group of division 26
    assert _found(industry="C") == {"正极材料低温改性", "杨木单板阻燃改性工艺", "水性工业防腐涂料"}
    catalogue["battery"].industries.add(Industry.objects.get(pk="385"))
    assert achievement_list_visible_to(AnonymousUser(), industry="C").count() == 3


def test_region_filter_takes_province_prefecture_or_county_codes(catalogue):
    battery = catalogue["battery"]
    battery.region_id = "371302"  # 临沂市兰山区
    battery.save()
    assert (
        _found(region="371302") == _found(region="371300") == _found(region="370000") == {"正极材料低温改性"}
    )
    assert _found(region="370200") == set()


def test_date_range_owner_status_and_ordering(catalogue):
    old = catalogue["wood"]
    old.published_at = timezone.now() - datetime.timedelta(days=40)
    old.save()
    today = timezone.localdate()
    assert _found(date_to=today - datetime.timedelta(days=30)) == {"杨木单板阻燃改性工艺"}
    assert "杨木单板阻燃改性工艺" not in _found(date_from=today - datetime.timedelta(days=1))
    assert _found(owner=OrganizationFactory().pk) == set()
    assert _found(status=ListingStatus.DRAFT) == set()  # visitors never see drafts, even when asking
    by_trl = [a.trl for a in achievement_list_visible_to(AnonymousUser(), ordering="trl")]
    assert by_trl == [8, 6, 3]
    by_price = [a.title for a in achievement_list_visible_to(AnonymousUser(), ordering="price")]
    assert by_price[0] == "正极材料低温改性"  # priced items first, unpriced last


def test_list_loads_a_page_in_a_fixed_number_of_queries(catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        rows = list(achievement_list_visible_to(AnonymousUser()))
        assert sum(len(a.industries.all()) for a in rows) + len({a.owner.name for a in rows}) == 4
