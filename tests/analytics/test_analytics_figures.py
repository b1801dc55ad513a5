"""Each figure against a hand-built fixture: what counts, what must not, month boundaries in Beijing time,
同比 / 环比, the breakdowns and the chain map's gaps."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from factories import OrganizationFactory

from techmarket.achievements.models import Achievement
from techmarket.analytics import compute, indicators
from techmarket.analytics.compute import Filters
from techmarket.analytics.indicators import Indicator
from techmarket.analytics.periods import Month, Period
from techmarket.catalog.models import ListingStatus
from techmarket.needs.models import Need
from techmarket.reference.models import ChainNode, Industry, IndustryChain, Region

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
UTC = datetime.UTC


def at(y, m, d, h=12, tz=SH):
    return datetime.datetime(y, m, d, h, tzinfo=tz)


@pytest.fixture
def world():
    chain = IndustryChain.objects.create(name="高端不锈钢")
    midstream = ChainNode.objects.create(chain=chain, name="中游")
    rolling = ChainNode.objects.create(chain=chain, parent=midstream, name="精密带材轧制")
    hardware = ChainNode.objects.create(chain=chain, parent=midstream, name="厨卫五金")
    linyi = OrganizationFactory(name="临沂钢铁科技有限公司")
    jinan = OrganizationFactory(name="济南精工有限公司", region=Region.objects.get(pk="370102"))
    steel = Industry.objects.get(code="3110")
    lanshan = Region.objects.get(pk="371302")
    lixia = Region.objects.get(pk="370102")

    def need(title, status, published, *, owner=linyi, region=lanshan, node=rolling):
        return Need.objects.create(
            owner=owner,
            title=title,
            summary="摘要",
            problem="难题",
            status=status,
            published_at=published,
            region=region,
            industry=steel,
            chain_node=node,
            budget_max=Decimal("120.50"),
        )

    # Counted in March 2026 (Beijing time):
    need("三月一", ListingStatus.PUBLISHED, at(2026, 3, 1, 0))
    need("三月二（已解决）", ListingStatus.SOLVED, at(2026, 3, 31, 23))
    need("三月三（济南）", ListingStatus.IN_PROGRESS, at(2026, 3, 15), owner=jinan, region=lixia, node=None)
    # 2026-03-31 16:30 UTC is 1 April 00:30 in Beijing: April.
    need("四月一", ListingStatus.EXPIRED, datetime.datetime(2026, 3, 31, 16, 30, tzinfo=UTC))
    # February 2026 and March 2025 (for 环比 / 同比 of March 2026):
    need("二月一", ListingStatus.CLOSED, at(2026, 2, 10))
    need("去年三月一", ListingStatus.PUBLISHED, at(2025, 3, 3))
    need("去年三月二", ListingStatus.PUBLISHED, at(2025, 3, 4))
    # Never counted: not published, sent back, rejected.
    need("草稿", ListingStatus.DRAFT, None)
    need("待审核", ListingStatus.PENDING, None)
    need("驳回", ListingStatus.REJECTED, at(2026, 3, 5))  # a stray date must not make it count
    need("需整改", ListingStatus.CHANGES_REQUESTED, at(2026, 3, 6))
    Achievement.objects.create(
        owner=linyi,
        title="不锈钢带材表面处理",
        summary="摘要",
        status=ListingStatus.PUBLISHED,
        published_at=at(2026, 3, 2),
        chain_node=rolling,
        region=lanshan,
    )
    return {"chain": chain, "midstream": midstream, "rolling": rolling, "hardware": hardware}


MARCH = Filters(period=Period(Month(2026, 3), Month(2026, 3)))


def test_published_needs_count_what_was_published_in_the_month_and_nothing_else(world):
    published = indicators.get("needs.published")
    assert compute.total(published, MARCH) == 3
    april = Filters(period=Period(Month(2026, 4), Month(2026, 4)))
    assert compute.total(published, april) == 1  # published 00:30 Beijing time on 1 April
    assert compute.total(indicators.get("needs.solved"), MARCH) == 1
    assert compute.total(indicators.get("needs.taken_up"), MARCH) == 2  # in progress + solved
    assert compute.total(indicators.get("needs.enterprises"), MARCH) == 2  # two owners, three needs


def test_headline_compares_with_the_previous_period_and_the_same_months_a_year_earlier(world):
    cell = compute.headline(indicators.get("needs.published"), MARCH)
    assert (cell["total"], cell["previous"], cell["year_before"]) == (3, 1, 2)
    assert cell["mom"] == 200.0  # 3 against 1 in February
    assert cell["yoy"] == 50.0  # 3 against 2 in March 2025
    assert cell["cumulative"] == 6  # everything published up to the end of March 2026


def test_change_is_none_without_a_base():
    assert compute.change(5, 0) is None
    assert compute.change(Decimal("150.00"), Decimal("100.00")) == 50.0


def test_series_has_every_month_of_the_period_with_zeros(world):
    flt = Filters(period=Period(Month(2026, 1), Month(2026, 4)))
    assert [(str(m), v) for m, v in compute.series(indicators.get("needs.published"), flt)] == [
        ("2026-01", 0),
        ("2026-02", 1),
        ("2026-03", 3),
        ("2026-04", 1),
    ]


def test_region_filter_and_breakdown_go_one_level_down(world):
    published = indicators.get("needs.published")
    shandong = compute.by_region(published, Filters(period=MARCH.period, region="370000"))
    assert shandong == [("371300", "临沂市", 2), ("370100", "济南市", 1)]
    linyi = Filters(period=MARCH.period, region="371300")
    assert compute.total(published, linyi) == 2
    assert compute.by_region(published, linyi) == [("371302", "兰山区", 2)]


def test_industry_and_chain_breakdowns(world):
    published = indicators.get("needs.published")
    assert compute.by_industry(published, MARCH) == [("31", "黑色金属冶炼和压延加工业", 3)]
    assert compute.by_chain(published, MARCH) == [(str(world["chain"].pk), "高端不锈钢", 2)]
    chain_only = Filters(period=MARCH.period, chain=world["chain"].pk)
    assert compute.total(published, chain_only) == 2  # the Jinan need has no chain node


def test_an_indicator_without_regions_shows_nothing_when_filtered_by_region(world):
    orgs = indicators.get("orgs.approved")
    experts = indicators.get("experts.registered")
    assert compute.applies(orgs, Filters(region="371300"))
    assert not compute.applies(experts, Filters(chain=world["chain"].pk))
    assert compute.total(experts, Filters(chain=world["chain"].pk)) == 0


def test_chain_map_counts_segments_over_their_subtree_and_finds_the_gaps(world):
    rolling, hardware, midstream = world["rolling"], world["hardware"], world["midstream"]
    counts = compute.by_chain_node(indicators.get("needs.published"), world["chain"])
    assert counts[rolling.pk] == 6  # two in March, April, February, two in March 2025 (not the Jinan one)
    assert counts[midstream.pk] == counts[rolling.pk]
    assert hardware.pk not in counts
    need = Need.objects.unscoped().get(title="三月一")
    need.chain_node = hardware
    need.save()
    from factories import make_bureau

    from techmarket.analytics import selectors

    data = selectors.chain_map(make_bureau(), world["chain"])
    gaps = {row["node"].pk: row["gap"] for row in data["rows"]}
    assert gaps[hardware.pk] == "no_supply"  # a need, no achievement
    assert gaps[rolling.pk] == ""  # both
    enterprises = compute.by_chain_node(indicators.get("needs.enterprises"), world["chain"])
    assert enterprises[midstream.pk] == 1  # one enterprise in two sub-nodes is one enterprise


def test_amount_indicators_sum_decimals(world):
    budget = Indicator(
        "test.budget",
        "需求预算",
        "万元",
        indicators.get("needs.published").queryset,
        "published_at",
        sum_field="budget_max",
    )
    assert compute.total(budget, MARCH) == Decimal("361.50")
    assert compute.series(budget, MARCH) == [(Month(2026, 3), Decimal("361.50"))]


def test_periods_parse_and_refuse_bad_input():
    assert Month.parse("2026-03") == Month(2026, 3)
    for bad in ["2026-13", "2026/03", "abc", "1999-01"]:
        with pytest.raises(ValueError, match="YYYY-MM"):
            Month.parse(bad)
    with pytest.raises(ValueError, match="不能早于"):
        Period(Month(2026, 3), Month(2026, 2))
    year = Period(Month(2026, 1), Month(2026, 12))
    assert year.previous() == Period(Month(2025, 1), Month(2025, 12))
    assert year.year_before() == year.previous()
    assert Period(Month(2026, 1), Month(2026, 3)).previous() == Period(Month(2025, 10), Month(2025, 12))
