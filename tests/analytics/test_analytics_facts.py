"""The pre-aggregated figures (analytics.facts) equal the live ones on the hand-built fixture, and stay equal
after writes, edits, status changes and deletes made through the services (their audit records mark the
facts stale inside the write's transaction)."""

import datetime
from decimal import Decimal

import pytest
import test_analytics_figures
from contracts.conftest import make_contract, outside_party
from django.db import transaction
from factories import OrganizationFactory, make_bureau, make_operator, make_org_admin

from techmarket.analytics import compute, facts, indicators, selectors
from techmarket.analytics.compute import Filters
from techmarket.analytics.models import Fact, FactDirty
from techmarket.analytics.periods import Month, Period
from techmarket.audit.services import audit_record
from techmarket.catalog.models import ListingStatus
from techmarket.catalog.workflow import listing_transition
from techmarket.contracts import services as contract_services
from techmarket.needs import services as need_services
from techmarket.needs.models import Need
from techmarket.orgs.models import Organization
from techmarket.reference.models import Region

pytestmark = pytest.mark.django_db
world = test_analytics_figures.world  # the hand-built fixture of the figures' tests

MARCH = Period(Month(2026, 3), Month(2026, 3))
TWO_YEARS = Period(Month(2025, 1), Month(2026, 12))


def _everything(world, filters_list, keys):
    """Every figure the pages show, for each of these indicators, under each filter."""
    out = {}
    chain = world["chain"]
    for ind in indicators.all_indicators():
        if ind.key not in keys:
            continue
        for flt in filters_list:
            key = (ind.key, flt)
            out[key] = (
                compute.headline(ind, flt),
                compute.series(ind, flt),
                compute.by_region(ind, flt),
                compute.by_industry(ind, flt),
                compute.by_chain(ind, flt),
                compute.by_chain_node(ind, chain, flt),
                # the indicator's own breakdowns (a contract's type, buyer and seller kind): per-breakdown rows
                [compute.by_breakdown(ind, b, flt) for b in ind.breakdowns],
            )
        out[(ind.key, "map")] = compute.by_chain_node(ind, chain)
    members = [ind for ind in indicators.all_indicators() if ind.key in keys]
    out["map, all at once"] = compute.by_chain_nodes(members, chain)  # the chain map's batched read
    for flt in filters_list:
        out[("map, all at once", flt)] = compute.by_chain_nodes(members, chain, flt)
    return out


def _filters(world):
    """Periods with region filters of every level the roll-up keeps (all, province, city, county), a chain,
    and a region code no level matches (read from the fact rows instead)."""
    return [
        Filters(period=MARCH),
        Filters(period=TWO_YEARS, region="370000"),
        Filters(period=TWO_YEARS, region="371300"),
        Filters(period=TWO_YEARS, region="371302"),
        Filters(period=TWO_YEARS, chain=world["chain"].pk),
        Filters(period=TWO_YEARS, region="371300", chain=world["chain"].pk),
        Filters(period=TWO_YEARS, region="37130"),
    ]


def assert_facts_equal_live(world, written=None):
    """Facts against live figures: every factable indicator, or those a write to ``written`` affects."""
    keys = (
        facts.affected_by(written)
        if written is not None
        else [ind.key for ind in indicators.all_indicators() if facts.factable(ind)]
    )
    members = [ind for ind in indicators.all_indicators() if ind.key in keys]
    flt = _filters(world)
    with facts.live():
        expected = _everything(world, flt, keys)
    got = _everything(world, flt, keys)
    assert Fact.objects.exists()  # the second pass did read facts
    mismatched = [key for key in expected if expected[key] != got[key]]
    assert not mismatched, mismatched[:5]
    # The dashboard's one-query headlines agree too.
    with facts.live():
        live_heads = {f: compute.headlines(members, f) for f in flt}
    for f, heads in live_heads.items():
        assert compute.headlines(members, f) == heads


def test_facts_equal_live_figures_after_writes_edits_status_changes_and_deletes(world):
    operator = make_operator()
    lanshan = Region.objects.get(pk="371302")
    assert_facts_equal_live(world)
    published_in_march = compute.total(indicators.get("needs.published"), Filters(period=MARCH))

    # A new need, created, submitted and published through the services.
    owner = OrganizationFactory(name="兰山新材料有限公司", region=lanshan)
    facts.mark_stale(owner)  # the factory skips the registration service and its audit record
    member = make_org_admin(owner)
    need = need_services.need_create(
        acting_user=member,
        owner=owner,
        title="不锈钢带材冷轧板形控制",
        summary="摘要",
        problem="板形不稳定",
        region=lanshan,
        chain_node=world["rolling"],
    )
    assert FactDirty.objects.filter(indicator="needs.published").exists()  # marked in the same transaction
    listing_transition(item=need, action="submit", acting_user=member)
    listing_transition(item=need, action="publish", acting_user=operator)
    assert_facts_equal_live(world, Need)
    assert not FactDirty.objects.filter(indicator__in=facts.affected_by(Need)).exists()  # rebuilt, cleared
    now_month = Month.current()
    assert compute.total(indicators.get("needs.published"), Filters(period=Period(now_month, now_month))) >= 1

    # Status changes (taken up, solved) and an edit moving a need to another region and chain node.
    need.refresh_from_db()
    listing_transition(item=need, action="start", acting_user=None)
    listing_transition(item=need, action="solve", acting_user=None)
    moved = Need.objects.unscoped().get(title="三月一")
    moved.region = Region.objects.get(pk="370102")
    moved.chain_node = world["hardware"]
    moved.save()
    audit_record(actor=operator, action="needs.need.update", target=moved)  # what need_update records
    assert_facts_equal_live(world, Need)

    # An organisation moves (its region is on the path of the engagements' and events' figures).
    org = Organization.objects.get(name="临沂钢铁科技有限公司")
    org.region = Region.objects.get(pk="370102")
    org.save()
    audit_record(actor=operator, action="orgs.organization.update", target=org)
    assert_facts_equal_live(world)

    # A deletion (audited before the row goes, as the services do).
    gone = Need.objects.unscoped().get(title="三月三（济南）")
    audit_record(actor=operator, action="needs.need.delete", target=gone)
    gone.delete()
    assert_facts_equal_live(world, Need)
    after = compute.total(indicators.get("needs.published"), Filters(period=MARCH))
    assert after == published_in_march - 1  # 三月一 still counts (moved, not removed); 三月三 is gone

    # Contracts: the buyer's region comes from the parties; signed, then registered through the workflow.
    seller = OrganizationFactory(kind=Organization.Kind.UNIVERSITY, region=lanshan)
    facts.mark_stale(seller)
    contract = make_contract(
        seller=seller,
        buyer=outside_party("buyer", name="北京某科技有限公司", region="110108"),
        acting_user=operator,
        signed_on=datetime.date(2026, 3, 2),
        total="2500000.00",
    )
    contract_services.contract_move(contract=contract, action="submit", acting_user=operator)
    contract_services.contract_move(
        contract=contract,
        action="register",
        acting_user=operator,
        registration_number="2026370000000123",
        registered_on=datetime.date(2026, 3, 20),
    )
    assert_facts_equal_live(world)
    amount = compute.total(indicators.get("contracts.amount"), Filters(period=MARCH))
    assert amount == Decimal("250.00")  # 万元


def test_a_write_rolled_back_leaves_no_stale_mark_and_a_committed_one_is_seen(world):
    compute.total(indicators.get("needs.published"), Filters(period=MARCH))  # builds the facts
    need = Need.objects.unscoped().get(title="三月一")
    with pytest.raises(RuntimeError), transaction.atomic():
        need.status = ListingStatus.CLOSED
        need.save()
        audit_record(actor=None, action="needs.need.update", target=need)
        raise RuntimeError("rolled back")
    assert not FactDirty.objects.exists()
    audit_record(actor=None, action="needs.need.update", target=need)
    assert FactDirty.objects.filter(indicator="needs.published").exists()


def test_distinct_counts_stay_live_and_the_dashboard_matches_either_way(world):
    assert not facts.factable(indicators.get("needs.enterprises"))
    assert facts.factable(indicators.get("contracts.amount"))
    bureau = make_bureau()
    flt = Filters(period=MARCH, region="371300")
    with facts.live():
        expected = selectors.dashboard(bureau, flt)
    assert selectors.dashboard(bureau, flt) == expected


def test_a_target_less_audit_record_marks_nothing(world):
    audit_record(actor=None, action="analytics.export")
    assert not FactDirty.objects.exists()


def test_in_the_background_mode_readers_keep_the_last_facts_and_one_task_brings_them_up_to_date(
    world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """With workers, a write does not make the next reader wait for a rebuild: the reader answers from the last
    facts, says from when and that a refresh is pending, and queues one refresh task (not one per reader)."""
    from django.core.cache import cache

    from techmarket.analytics import tasks

    published = indicators.get("needs.published")
    before = compute.total(published, Filters(period=MARCH))  # built while inline
    settings.ANALYTICS_FACTS_BACKGROUND = True
    cache.delete(facts.REFRESH_KEY)
    queued = []
    monkeypatch.setattr(tasks.refresh_facts, "delay", lambda: queued.append(1))
    gone = Need.objects.unscoped().get(title="三月三（济南）")
    audit_record(actor=None, action="needs.need.delete", target=gone)
    gone.delete()

    with django_capture_on_commit_callbacks(execute=True):
        assert compute.total(published, Filters(period=MARCH)) == before  # the last facts, not a rebuild
        assert compute.total(published, Filters(period=MARCH)) == before
    built_at, pending = facts.as_of([published])
    assert built_at is not None and pending
    assert len(queued) == 1  # the second reader found the refresh already queued

    assert "needs.published" in tasks.refresh_facts()
    assert compute.total(published, Filters(period=MARCH)) == before - 1
    assert facts.as_of([published])[1] is False
    assert cache.add(facts.REFRESH_KEY, 1)  # the task released the queue key
    with facts.live():
        assert compute.total(published, Filters(period=MARCH)) == before - 1


def test_a_target_behind_a_lazy_wrapper_is_marked_by_its_model(world):
    """Views audit ``request.user``, a SimpleLazyObject: the listener looks through it."""
    from django.utils.functional import SimpleLazyObject

    need = Need.objects.unscoped().get(title="三月一")
    audit_record(actor=None, action="needs.need.update", target=SimpleLazyObject(lambda: need))
    assert FactDirty.objects.filter(indicator="needs.published").exists()


def test_bulk_writes_without_audit_are_seen_after_invalidate_all(world):
    """The demo generator writes its history in bulk (no audit records) and then forgets every build."""
    published = indicators.get("needs.published")
    before = compute.total(published, Filters(period=MARCH))
    Need.objects.unscoped().filter(title="三月一").delete()  # no audit record: the facts do not know
    assert compute.total(published, Filters(period=MARCH)) == before
    facts.invalidate_all()
    assert compute.total(published, Filters(period=MARCH)) == before - 1


def test_within_a_request_each_indicator_is_checked_once_until_the_request_writes(world):
    """ensure() remembers what it brought up to date for the rest of the request; a write in the request (its
    audit record) makes the next read check again, and outside a request every read checks."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    published = indicators.get("needs.published")
    flt = Filters(period=MARCH)
    before = compute.total(published, flt)  # builds
    facts.request_started()
    try:
        compute.total(published, flt)
        with CaptureQueriesContext(connection) as read:
            assert compute.total(published, flt) == before
        assert not any("analytics_factdirty" in q["sql"] for q in read.captured_queries)
        gone = Need.objects.unscoped().get(title="三月三（济南）")
        audit_record(actor=None, action="needs.need.delete", target=gone)
        gone.delete()
        assert compute.total(published, flt) == before - 1  # checked again, rebuilt
    finally:
        facts.request_finished()
    with CaptureQueriesContext(connection) as read:
        compute.total(published, flt)
    assert any("analytics_factdirty" in q["sql"] for q in read.captured_queries)


def _fact_ids(key, month):
    return set(Fact.objects.filter(indicator=key, month=month).values_list("pk", flat=True))


def test_a_write_to_an_indicators_own_rows_rebuilds_only_the_months_it_touched(world):
    """Incremental refresh: a need written moves out of March 2026 into February, another stops counting;
    only the months they are in now or were in before are rebuilt (other months' fact rows are the same
    rows), and the figures still equal the live ones and a full rebuild's."""
    operator = make_operator()
    key = "needs.published"
    compute.total(indicators.get(key), Filters(period=MARCH))  # builds the facts
    last_year = datetime.date(2025, 3, 1)
    untouched = _fact_ids(key, last_year)
    march_before = _fact_ids(key, datetime.date(2026, 3, 1))
    assert untouched and march_before

    moved = Need.objects.unscoped().get(title="三月一")
    moved.published_at = datetime.datetime(2026, 2, 20, 10, tzinfo=datetime.UTC)
    moved.save()
    audit_record(actor=operator, action="needs.need.update", target=moved)
    dirty = FactDirty.objects.get(indicator=key)
    assert dirty.object_id == moved.pk  # one of the indicator's own rows: located, not the whole indicator
    # Months: February (where it is now) and March (its whole figure moved: where it was).
    assert facts._months_of(indicators.get(key), [moved.pk]) == {datetime.date(2026, 2, 1)}
    assert facts._moved_months(indicators.get(key)) == {datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)}

    closed = Need.objects.unscoped().get(title="三月二（已解决）")
    closed.status = ListingStatus.DRAFT  # stops counting: only the roll-up comparison finds its month
    closed.save()
    audit_record(actor=operator, action="needs.need.update", target=closed)
    assert facts._months_of(indicators.get(key), [closed.pk]) == set()

    assert compute.total(indicators.get(key), Filters(period=MARCH)) == 1  # 三月三 only
    assert not FactDirty.objects.filter(indicator=key).exists()
    assert _fact_ids(key, last_year) == untouched  # a month no write touched kept its rows
    assert not (_fact_ids(key, datetime.date(2026, 3, 1)) & march_before)  # March was rebuilt
    assert_facts_equal_live(world, Need)

    incremental = sorted(
        Fact.objects.filter(indicator=key).values_list(
            "month", "region", "chain_node_id", "industry", "breakdown", "bucket", "value"
        )
    )
    facts.rebuild(indicators.get(key))
    full = sorted(
        Fact.objects.filter(indicator=key).values_list(
            "month", "region", "chain_node_id", "industry", "breakdown", "bucket", "value"
        )
    )
    assert incremental == full


def test_a_write_elsewhere_on_the_path_still_rebuilds_the_whole_indicator(world):
    compute.total(indicators.get("needs.published"), Filters(period=MARCH))
    # A chain node is on the needs' path, not one of their rows: the whole indicator.
    audit_record(actor=None, action="reference.chainnode.update", target=world["rolling"])
    marks = FactDirty.objects.filter(indicator="needs.published")
    assert [mark.object_id for mark in marks] == [None]
    # An indicator of the organisations themselves gets the organisation's id.
    org = Organization.objects.get(name="临沂钢铁科技有限公司")
    audit_record(actor=None, action="orgs.organization.update", target=org)
    own = facts._own_rows(Organization, indicators.version())
    assert own
    assert set(FactDirty.objects.filter(indicator__in=own).values_list("object_id", flat=True)) == {org.pk}
    assert compute.total(indicators.get("needs.published"), Filters(period=MARCH)) == 3
    assert not FactDirty.objects.filter(indicator="needs.published").exists()
