"""Bureau statistics at provincial scale (issue 16): five years of a province, every dashboard page and the
statistics API timed with live aggregation (the baseline) and with the pre-aggregated facts, side by side.

    python -m bench.analytics                  # fresh database, generate, measure (several minutes)
    python -m bench.analytics --reuse          # keep the generated data, measure again
    python -m bench.analytics --scale 0.1      # a tenth of the sizes (a quick look; not the issue's figures)
    python -m bench.analytics --reuse --keep-facts --live-repeats 0 --write-samples 0
                                               # only the pages on the facts already built (minutes, not an hour)
    python -m bench.analytics --reuse --keep-facts --live-repeats 0 --write-samples 0 \
        --only dashboard_default,dashboard_leaders,leaders_panel,api_leaders --out analytics-leaders.json
                                               # the leaders panel alone (issue 16: loaded per subject)

Database: $BENCH_ANALYTICS_DB, default postgres://postgres@127.0.0.1:5432/tm_ana_bench (dropped and created
unless --reuse). Data: 10,000 organisations in the province's counties, 150,000 needs and 150,000
achievements (5 % drafts), 20,000 engagements, 100,000 technical contracts with seller and buyer parties
(a quarter of the buyers outside the province), spread over the 60 months up to the current one; written with
bulk_create (no services, no audit records), then the facts are rebuilt once (timed). Seeded: the same data
every run. Results: bench/results/analytics.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from .common import RESULTS

REPO = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("BENCH_ANALYTICS_DB", "postgres://postgres@127.0.0.1:5432/tm_ana_bench")
SIZES = {
    "orgs": 10_000,
    "needs": 150_000,
    "achievements": 150_000,
    "engagements": 20_000,
    "contracts": 100_000,
}
OUTSIDE = ["110108", "310115", "320102", "440305", "330106"]
BATCH = 5000


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p = lambda q: ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]  # noqa: E731
    return {
        "p50_ms": round(p(0.5) * 1000, 1),
        "p95_ms": round(p(0.95) * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "mean_ms": round(statistics.mean(ordered) * 1000, 1),
        "n": len(ordered),
    }


def setup(reuse: bool) -> None:
    if not reuse:
        import psycopg

        server, name = DB_URL.rsplit("/", 1)
        with psycopg.connect(server + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = DB_URL
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"  # DEBUG off: no query log
    os.environ.setdefault("TECHMARKET_VAR_DIR", "/tmp/techmarket-bench-analytics-var")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _bulk(model: Any, rows: list[Any]) -> list[Any]:
    out = []
    for i in range(0, len(rows), BATCH):
        out += model.objects.bulk_create(rows[i : i + BATCH])
    return out


def _set_created(table: str, column: str, first: datetime.date, days: int) -> None:
    """bulk_create stamps auto_now_add fields with now; spread them over the five years instead."""
    from django.db import connection

    with connection.cursor() as cursor:
        sql = f"UPDATE {table} SET {column} = %s::timestamptz + ((id * 7919) %% %s) * interval '1 day'"  # noqa: S608
        cursor.execute(
            sql + " + ((id * 104729) %% 86400) * interval '1 second'", [f"{first} 00:00:00+08", days]
        )


def generate(scale: float) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from techmarket.accounts.models import User
    from techmarket.achievements.models import Achievement
    from techmarket.catalog.models import ListingStatus
    from techmarket.contracts.models import ContractParty, ContractType, TechContract
    from techmarket.engagements.models import Engagement, Stage
    from techmarket.needs.models import Need
    from techmarket.orgs.models import Organization
    from techmarket.orgs.validators import make_uscc
    from techmarket.reference.models import ChainNode, Industry, IndustryChain, Region

    rng = random.Random(16)
    sizes = {k: max(10, int(v * scale)) for k, v in SIZES.items()}
    started = time.perf_counter()
    today = timezone.localdate()
    first = (today.replace(day=1) - datetime.timedelta(days=365 * 5)).replace(day=1)
    span = (today - first).days

    def moment() -> datetime.datetime:
        day = first + datetime.timedelta(days=rng.randrange(span))
        return datetime.datetime.combine(
            day, datetime.time(rng.randrange(24), rng.randrange(60)), timezone.get_current_timezone()
        )

    counties = list(
        Region.objects.filter(code__startswith="37")
        .exclude(code__endswith="00")
        .values_list("code", flat=True)
    )
    industries = list(Industry.objects.filter(code__regex=r"^[0-9]{4}$").values_list("pk", flat=True))[:80]
    chains, nodes = [], []
    for c in range(6):
        chain = IndustryChain.objects.create(name=f"基准产业链{c + 1}", sort_order=c)
        chains.append(chain)
        for s, seg in enumerate(["上游", "中游", "下游"]):
            top = ChainNode.objects.create(chain=chain, name=f"{seg}{c + 1}", sort_order=s)
            nodes.append(top)
            for k in range(3):
                nodes.append(
                    ChainNode.objects.create(
                        chain=chain, parent=top, name=f"{seg}{c + 1}-{k + 1}", sort_order=k
                    )
                )
    kinds = [Organization.Kind.ENTERPRISE] * 8 + [Organization.Kind.UNIVERSITY, Organization.Kind.INSTITUTE]
    orgs = _bulk(
        Organization,
        [
            Organization(
                name=f"基准机构{i:05d}",
                kind=kinds[i % len(kinds)],
                uscc=make_uscc(f"91{counties[i % len(counties)]}{i:09d}"),
                region_id=counties[i % len(counties)],
                status=Organization.Status.APPROVED,
            )
            for i in range(sizes["orgs"])
        ],
    )
    _set_created("orgs_organization", "created_at", first, span)
    broker = User.objects.create(username="bench-broker", email="bench-broker@example.com")

    statuses = (
        [ListingStatus.PUBLISHED] * 14
        + [ListingStatus.IN_PROGRESS] * 2
        + [ListingStatus.SOLVED] * 2
        + [ListingStatus.CLOSED]
        + [ListingStatus.DRAFT]
    )

    def listing(model: Any, i: int) -> Any:
        org = orgs[rng.randrange(len(orgs))]
        status = statuses[i % len(statuses)]
        return model(
            owner_id=org.pk,
            title=f"基准条目{i}",
            summary="摘要",
            status=status,
            published_at=None if status == ListingStatus.DRAFT else moment(),
            region_id=org.region_id,
            chain_node_id=nodes[rng.randrange(len(nodes))].pk if rng.random() < 0.7 else None,
            **({"industry_id": rng.choice(industries)} if model is Need else {}),
        )

    needs = _bulk(Need, [listing(Need, i) for i in range(sizes["needs"])])
    achievements = _bulk(Achievement, [listing(Achievement, i) for i in range(sizes["achievements"])])
    through = Achievement.industries.through
    links = []
    for a in achievements:
        for code in rng.sample(industries, 2 if rng.random() < 0.2 else 1):
            links.append(through(achievement_id=a.pk, industry_id=code))
    _bulk(through, links)

    stages = [Stage.DISCOVERY, Stage.VERIFICATION, Stage.PILOT, Stage.DEAL, Stage.DEAL, Stage.TERMINATED]
    engagements = []
    for i in range(sizes["engagements"]):
        need = needs[rng.randrange(len(needs))]
        stage = stages[i % len(stages)]
        engagements.append(
            Engagement(
                title=f"基准对接{i}",
                demand_org_id=need.owner_id,
                need_id=need.pk,
                lead_broker=broker,
                stage=stage,
                closed_at=moment() if stage in (Stage.DEAL, Stage.TERMINATED) else None,
            )
        )
    engagements = _bulk(Engagement, engagements)
    _set_created("engagements_engagement", "created_at", first, span)

    types = list(ContractType.objects.values_list("pk", flat=True))
    contracts, parties = [], []
    for i in range(sizes["contracts"]):
        seller = orgs[rng.randrange(len(orgs))]
        signed = first + datetime.timedelta(days=rng.randrange(span))
        roll = rng.random()
        status = (
            TechContract.Status.REGISTERED
            if roll < 0.85
            else TechContract.Status.REFUSED
            if roll < 0.9
            else TechContract.Status.SUBMITTED
        )
        registered = min(today, signed + datetime.timedelta(days=rng.randrange(60)))
        total = Decimal(rng.randrange(10_000, 5_000_000))
        contracts.append(
            TechContract(
                title=f"基准合同{i}",
                contract_type_id=types[i % len(types)],
                signed_on=signed,
                total_amount=total,
                technical_amount=(total * Decimal(rng.randrange(60, 101)) / 100).quantize(Decimal("0.01")),
                payment_mode="lump_sum",
                owner_id=seller.pk,
                status=status,
                registered_on=registered if status == TechContract.Status.REGISTERED else None,
                registration_number=f"B{i:09d}" if status == TechContract.Status.REGISTERED else "",
                industry_id=rng.choice(industries),
                engagement_id=engagements[rng.randrange(len(engagements))].pk if rng.random() < 0.2 else None,
            )
        )
    contracts = _bulk(TechContract, contracts)
    for c, seller_org in zip(contracts, (orgs[rng.randrange(len(orgs))] for _ in contracts), strict=False):
        parties.append(
            ContractParty(
                contract_id=c.pk,
                role=ContractParty.Role.SELLER,
                name=seller_org.name,
                uscc=seller_org.uscc,
                kind=seller_org.kind,
                region_id=seller_org.region_id,
                organization_id=seller_org.pk,
            )
        )
        buyer = orgs[rng.randrange(len(orgs))]
        region = buyer.region_id if rng.random() < 0.75 else rng.choice(OUTSIDE)
        parties.append(
            ContractParty(
                contract_id=c.pk,
                role=ContractParty.Role.BUYER,
                name=buyer.name,
                uscc=buyer.uscc,
                kind=buyer.kind,
                region_id=region,
                organization_id=buyer.pk,
            )
        )
    _bulk(ContractParty, parties)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does on a live server after a bulk load
    return {
        "sizes": {
            **sizes,
            "chain_nodes": len(nodes),
            "contract_parties": len(parties),
            "achievement_industries": len(links),
        },
        "months": span // 30,
        "generate_seconds": round(time.perf_counter() - started, 1),
    }


def pages(chain_id: int) -> dict[str, list[str]]:
    today = datetime.date.today()
    year = f"start={today.year}-01&end={today.year}-{today.month:02d}"
    five = f"start={today.year - 4}-01&end={today.year}-{today.month:02d}"
    return {
        "dashboard_default": ["/analytics/"],
        "dashboard_filtered": [
            f"/analytics/?{year}&region=371300",
            f"/analytics/?{year}&region=371302&chain={chain_id}",
            f"/analytics/?{five}&region=370100",
        ],
        "dashboard_indicator": [
            f"/analytics/?{year}&indicator=contracts.technical_amount",
            f"/analytics/?{five}&indicator=achievements.published&region=371300",
            f"/analytics/?{year}&indicator=needs.published&chain={chain_id}",
        ],
        "chain_map": [f"/analytics/chains/?chain={chain_id}"],
        "targets": ["/analytics/targets/"],
        "api_figures": [f"/api/statistics/figures?{year}", f"/api/statistics/figures?{five}&region=371300"],
        "api_indicator": [
            f"/api/statistics/indicators/contracts.amount?{year}",
            f"/api/statistics/indicators/needs.published?{five}&region=371300",
        ],
        "api_chain_map": [f"/api/statistics/chains/{chain_id}"],
        # the broker / institution panel (three subjects, every metric): on request
        "dashboard_leaders": [
            "/analytics/?leaders=1",
            f"/analytics/?{five}&region=371300&leaders=1",
            f"/analytics/?{year}&chain={chain_id}&leaders=1",
        ],
        # each subject's panel as the dashboard's placeholder loads it (htmx: the card alone)
        "leaders_panel": [
            f"/analytics/leaders/broker/?{year}",
            f"/analytics/leaders/research/?{five}&region=371300",
            f"/analytics/leaders/service/?{year}&chain={chain_id}",
        ],
        "api_leaders": [
            f"/api/statistics/leaders/broker?{year}",
            f"/api/statistics/leaders/research?{five}&region=371300",
            f"/api/statistics/leaders/service?{year}&chain={chain_id}",
        ],
    }


HTMX_CASES = {"leaders_panel"}  # requested as htmx does (HX-Request: true)


def measure(client: Any, cases: dict[str, list[str]], repeats: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, urls in cases.items():
        headers = {"HX-Request": "true"} if name in HTMX_CASES else {}
        for url in urls:  # warm up (and check it answers)
            response = client.get(url, headers=headers)
            assert response.status_code == 200, (url, response.status_code)
        samples = []
        for i in range(repeats):
            t0 = time.perf_counter()
            client.get(urls[i % len(urls)], headers=headers)
            samples.append(time.perf_counter() - t0)
        out[name] = percentiles(samples)
    return out


def distinct_counts(chain_id: int, repeats: int) -> dict[str, Any]:
    """The figures that stay live (distinct counts: an enterprise with needs counts once in a period): each
    one's headline (total, previous period, a year before, cumulative) and monthly series, timed alone."""
    from techmarket.analytics import compute, facts, indicators
    from techmarket.analytics.compute import Filters
    from techmarket.analytics.periods import Month, Period

    today = datetime.date.today()
    now = Month(today.year, today.month)
    cases = {
        "year": Filters(period=Period(Month(today.year, 1), now)),
        "five_years_city": Filters(period=Period(Month(today.year - 4, 1), now), region="371300"),
        "year_chain": Filters(period=Period(Month(today.year, 1), now), chain=chain_id),
    }
    out: dict[str, Any] = {}
    for ind in indicators.all_indicators():
        if facts.factable(ind):
            continue
        for name, flt in cases.items():
            for what, call in (("headline", compute.headline), ("series", compute.series)):
                call(ind, flt)  # warm up
                samples = []
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    call(ind, flt)
                    samples.append(time.perf_counter() - t0)
                out[f"{ind.key} {what} {name}"] = percentiles(samples)
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    setup(args.reuse)
    from django.test import Client, override_settings

    from techmarket.accounts.models import User
    from techmarket.analytics import facts, indicators
    from techmarket.analytics.models import Target
    from techmarket.reference.models import IndustryChain

    result: dict[str, Any] = {"database": "postgresql", "scale": args.scale}
    if not args.reuse:
        result["data"] = generate(args.scale)
    chain = IndustryChain.objects.order_by("pk").first()
    assert chain is not None
    year = datetime.date.today().year
    for key, value in [
        ("contracts.amount", 500000),
        ("needs.published", 30000),
        ("contracts.registered", 20000),
    ]:
        Target.objects.get_or_create(indicator=key, year=year, region="", defaults={"value": value})
    bureau = User.objects.filter(username="bench-bureau").first()
    if bureau is None:
        from factories import make_bureau  # tests/factories: a bureau user the way the tests make one

        bureau = make_bureau(username="bench-bureau")
    client = Client()
    client.force_login(bureau)
    cases = pages(chain.pk)
    if args.only:
        cases = {name: urls for name, urls in cases.items() if name in args.only.split(",")}

    from techmarket.analytics.models import Fact, FactState, FactTotal

    if args.distinct_only:
        result["distinct_counts"] = distinct_counts(chain.pk, args.repeats)
        return result
    if args.rebuild_only:
        t0 = time.perf_counter()
        built = facts.rebuild_all()
        result["facts_rebuild_all_seconds"] = round(time.perf_counter() - t0, 1)
        result["fact_rows"] = sum(built.values())
        result["fact_total_rows"] = FactTotal.objects.count()
        return result
    if args.keep_facts and not FactState.objects.filter(built_at__isnull=True).exists():
        result["facts_rebuild_all_seconds"] = None  # built before this run (--keep-facts): not timed here
        result["fact_rows"] = Fact.objects.count()
    else:
        t0 = time.perf_counter()
        built = facts.rebuild_all()
        result["facts_rebuild_all_seconds"] = round(time.perf_counter() - t0, 1)
        result["fact_rows"] = sum(built.values())
        result["facts_rows_per_indicator"] = built
    result["fact_total_rows"] = FactTotal.objects.count()
    result["live_indicators"] = [i.key for i in indicators.all_indicators() if not facts.factable(i)]

    if args.live_repeats:
        with override_settings(ANALYTICS_FACTS=False):
            result["live"] = measure(client, cases, args.live_repeats)
    result["facts"] = measure(client, cases, args.repeats)

    # The cost a write adds to the next reader. A contract edited (one of the contract figures' own rows:
    # the incremental refresh rebuilds its months) against a write elsewhere on the path (the whole indicators).
    from techmarket.analytics.models import FactDirty
    from techmarket.contracts.models import TechContract

    if args.write_samples:
        contract_keys = facts.affected_by(TechContract)
        own = facts._own_rows(TechContract, indicators.version())
        by_key = {ind.key: ind for ind in indicators.all_indicators()}
        registered = TechContract.objects.unscoped().filter(status=TechContract.Status.REGISTERED)
        incremental, read_after = [], []
        for i in range(args.write_samples):
            contract = registered.order_by("pk")[i * 997]
            FactDirty.objects.bulk_create(
                [FactDirty(indicator=k, object_id=contract.pk if k in own else None) for k in contract_keys]
            )
            t0 = time.perf_counter()
            assert client.get("/analytics/").status_code == 200
            read_after.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            for k in sorted(own):
                facts.refresh(by_key[k], [contract.pk])
            incremental.append(time.perf_counter() - t0)
        result["dashboard_after_a_contract_write"] = percentiles(read_after)
        result["contract_write_refresh"] = {
            "indicators": len(contract_keys),
            "own_rows_indicators": sorted(own),
            "incremental_refresh": percentiles(incremental),
        }
        t0 = time.perf_counter()
        for k in sorted(own):
            facts.rebuild(by_key[k])
        result["contract_write_refresh"]["full_rebuild_of_the_same_indicators_seconds"] = round(
            time.perf_counter() - t0, 1
        )
    target = 500
    result["target_p95_ms"] = target
    result["facts_meet_target"] = all(v["p95_ms"] <= target for v in result["facts"].values())
    return result


LOAD_AT_START = os.getloadavg()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reuse", action="store_true", help="keep the generated database")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument(
        "--live-repeats", type=int, default=10, help="the live baseline takes seconds a page (0: skip it)"
    )
    parser.add_argument(
        "--write-samples",
        type=int,
        default=3,
        help="dashboard reads right after a contract write (inline rebuild)",
    )
    parser.add_argument(
        "--rebuild-only", action="store_true", help="with --reuse: time a full facts rebuild, nothing else"
    )
    parser.add_argument(
        "--distinct-only", action="store_true", help="with --reuse: time the live distinct counts alone"
    )
    parser.add_argument(
        "--keep-facts", action="store_true", help="with --reuse: measure the facts already built, no rebuild"
    )
    parser.add_argument(
        "--only", default="", help="comma-separated page cases to time (e.g. dashboard_leaders,leaders_panel)"
    )
    parser.add_argument("--out", default="", help="results file name under bench/results/ (default by scale)")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "tests"))
    result = run(args)
    load = os.getloadavg()
    payload = {
        "benchmark": "analytics",
        "machine": f"{os.cpu_count()} cores, shared with other agents' work (load average {load[0]:.1f})",
        "load_average_1_5_15": [round(x, 2) for x in load],
        "load_average_at_start": [round(x, 2) for x in LOAD_AT_START],
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **result,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "analytics.json" if args.scale == 1.0 else f"analytics-scale-{args.scale}.json"
    if args.rebuild_only or args.distinct_only:
        name = name.replace(".json", "-rebuild.json" if args.rebuild_only else "-distinct.json")
    if args.out:
        name = args.out
    (RESULTS / name).write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(payload, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
