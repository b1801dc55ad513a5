"""Catalogue benchmarks (issue 4): Excel import throughput and list/search latency at 100k items.

    python -m bench.catalog                 # both databases: SQLite file and PostgreSQL
    python -m bench.catalog --db postgres   # one database
    python -m bench.catalog --import-rows 10000 --list-rows 100000

Each database run is a subprocess with its own fresh database (SQLite: a temporary file; PostgreSQL:
database `techmarket_bench` on $BENCH_PG_SERVER, default postgres://postgres@127.0.0.1:5432). Texts
are real Chinese achievements from ../shared/data/corpus (read, never copied); the 100k set cycles
through the 12.9k abstracts with a numbered suffix on the title. Results: bench/results/catalog.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .common import RESULTS, read_jsonl, shared_data

REPO = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
QUERIES = [
    "锂电池",
    "催化剂",
    "复合材料",
    "图像识别",
    "污水处理",
    "纳米",
    "传感器",
    "阻燃",
    "中药",
    "土壤",
    "深度学习",
    "涂层",
    "钢",
    "光伏",
    "发酵",
]


def corpus(limit: int | None = None) -> list[dict[str, Any]]:
    docs = []
    for doc in read_jsonl(shared_data() / "corpus" / "achievements.jsonl"):
        if doc.get("abstract"):
            docs.append(doc)
        if limit and len(docs) >= limit:
            break
    return docs


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p = lambda q: ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]  # noqa: E731
    return {
        "p50_ms": round(p(0.5) * 1000, 1),
        "p95_ms": round(p(0.95) * 1000, 1),
        "mean_ms": round(statistics.mean(ordered) * 1000, 1),
        "n": len(ordered),
    }


# --- worker (runs inside Django) -------------------------------------------------------------------


def _setup(db: str) -> None:
    if db == "sqlite":
        path = Path("/tmp/techmarket-bench.sqlite3")
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        import psycopg

        with psycopg.connect(PG_SERVER + "/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS techmarket_bench")
            conn.execute("CREATE DATABASE techmarket_bench")
        os.environ["DATABASE_URL"] = PG_SERVER + "/techmarket_bench"
    # Test settings: DEBUG off (no query log), any host, the database from DATABASE_URL.
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["TECHMARKET_VAR_DIR"] = "/tmp/techmarket-bench-var"
    os.environ["API_RATE_ANONYMOUS_PER_MINUTE"] = "1000000"  # measure the page, not the limiter
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _owner() -> tuple[Any, Any]:
    from django.utils import timezone

    from techmarket.accounts.models import User
    from techmarket.orgs.models import Membership, Organization, Role
    from techmarket.orgs.validators import make_uscc

    org = Organization.objects.create(
        name="基准测试大学",
        kind=Organization.Kind.UNIVERSITY,
        uscc=make_uscc("12371302MB0000001"),
        region_id="371302",
        status=Organization.Status.APPROVED,
    )
    user = User.objects.create(username="bench", email="bench@example.com", email_verified_at=timezone.now())
    Membership.objects.create(user=user, organization=org, role=Role.ORG_ADMIN)
    return org, user


def _workbook(spec: Any, docs: list[dict[str, Any]], rows: int) -> bytes:
    from openpyxl import Workbook

    def plain(text: str) -> str:
        # Scraped texts carry <br> and <书名> in angle brackets; the import (rightly) refuses tags.
        return text.replace("<br>", "\n").replace("<", "〈").replace(">", "〉")

    values = {
        "title": lambda d, i: plain(f"{(d.get('title') or d['abstract'][:40])[:100]} #{i}"),
        "summary": lambda d, i: plain(d["abstract"])[:1900],
        # The import refuses < > and more than 20 keywords; real keyword lists sometimes have both.
        "keywords": lambda d, i: "、".join(
            k.replace("<", "").replace(">", "").strip("《》")[:30] for k in (d.get("keywords") or [])[:10]
        ),
        "trl": lambda d, i: 3 + i % 6,
        "external_key": lambda d, i: f"BENCH-{i:06d}",
        "ip_rights": lambda d, i: "",
        "price_negotiable": lambda d, i: "是",
        "asking_price_wan": lambda d, i: None,
    }
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(spec.title)
    columns = spec.columns
    ws.append([c.header for c in columns])
    for i in range(rows):
        doc = docs[i % len(docs)]
        ws.append([values[c.field](doc, i) if c.field in values else (c.example or None) for c in columns])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def bench_import(rows: int) -> dict[str, Any]:
    from techmarket.achievements.models import Achievement
    from techmarket.imports.services import import_commit
    from techmarket.imports.specs import get_spec

    org, user = _owner()
    spec = get_spec("achievements")
    content = _workbook(spec, corpus(rows), rows)
    start = time.perf_counter()
    result = import_commit(spec, io.BytesIO(content), acting_user=user, owner=org, name="bench.xlsx")
    elapsed = time.perf_counter() - start
    if result.errors or result.file_error:
        first = result.errors[:3] if result.errors else result.file_error
        raise SystemExit(f"import failed: {first}")
    assert Achievement.objects.count() == rows
    start = time.perf_counter()
    again = import_commit(spec, io.BytesIO(content), acting_user=user, owner=org, name="bench.xlsx")
    reimport = time.perf_counter() - start
    return {
        "rows": rows,
        "file_mb": round(len(content) / 2**20, 2),
        "seconds": round(elapsed, 1),
        "rows_per_s": round(rows / elapsed),
        "created": result.created,
        "reimport_seconds": round(reimport, 1),
        "reimport_updated": again.updated,
        "target_seconds": 60,
        "meets_target": elapsed <= 60,
    }


def bench_listing(rows: int, repeats: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from techmarket.achievements.models import Achievement, Stage
    from techmarket.catalog.models import ListingStatus, Visibility
    from techmarket.orgs.models import Organization

    org = Organization.objects.filter(name="基准测试大学").first() or _owner()[0]
    Achievement.objects.all().delete()
    docs = corpus()
    now = timezone.now()
    stages = list(Stage)
    visibilities = [Visibility.PUBLIC] * 8 + [Visibility.REGISTERED, Visibility.BROKERS]
    start = time.perf_counter()
    batch = []
    for i in range(rows):
        doc = docs[i % len(docs)]
        item = Achievement(
            owner=org,
            title=f"{(doc.get('title') or doc['abstract'][:40])[:100]} #{i}",
            summary=doc["abstract"][:1900],
            keywords=doc.get("keywords") or [],
            trl=1 + i % 9,
            stage=stages[i % len(stages)],
            status=ListingStatus.PUBLISHED,
            visibility=visibilities[i % len(visibilities)],
            region_id="371302",
            published_at=now - timezone.timedelta(minutes=i),
            transfer_modes=["transfer"],
        )
        item.search_text = item.compute_search_text()
        batch.append(item)
        if len(batch) == 2000:
            Achievement.objects.bulk_create(batch)
            batch = []
    Achievement.objects.bulk_create(batch)
    load_seconds = time.perf_counter() - start
    if connection.vendor == "postgresql":
        # What autovacuum does on a live server after a bulk load: statistics and the visibility map
        # (without the latter, index-only counts fall back to reading the table).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE achievements_achievement")
    client = Client()
    cases: dict[str, list[str]] = {
        "api_list": ["/api/achievements?page_size=20"],
        "api_filtered": ["/api/achievements?page_size=20&trl_min=6&stage=pilot&region=371300"],
        "api_keyword": [f"/api/achievements?page_size=20&q={q}" for q in QUERIES],
    }
    try:
        page = reverse("achievements:list")
        cases.update(
            {
                "page_list": [page],
                "page_filtered": [f"{page}?trl_min=6&stage=pilot&region=371300"],
                "page_keyword": [f"{page}?q={q}" for q in QUERIES],
            }
        )
    except NoReverseMatch:
        pass
    results: dict[str, Any] = {"rows": rows, "load_seconds": round(load_seconds, 1)}
    for name, urls in cases.items():
        for url in urls:  # warm up
            assert client.get(url).status_code == 200, url
        samples = []
        for i in range(repeats):
            url = urls[i % len(urls)]
            t0 = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - t0)
            assert response.status_code == 200
        results[name] = percentiles(samples)
    results["target_p95_ms"] = 150
    results["meets_target"] = all(v["p95_ms"] <= 150 for k, v in results.items() if isinstance(v, dict))
    return results


def worker(db: str, import_rows: int, list_rows: int, repeats: int) -> None:
    _setup(db)
    out: dict[str, Any] = {"database": db}
    if import_rows:
        out["import_achievements"] = bench_import(import_rows)
    if list_rows:
        out["listing"] = bench_listing(list_rows, repeats)
    print(json.dumps(out, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--list-rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.db, args.import_rows, args.list_rows, args.repeats)
        return
    runs = []
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        print(f"[catalog bench] {db} …", file=sys.stderr)
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.catalog",
                "--worker",
                "--db",
                db,
                "--import-rows",
                str(args.import_rows),
                "--list-rows",
                str(args.list_rows),
                "--repeats",
                str(args.repeats),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            print(proc.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"{db} run failed")
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    payload = {
        "benchmark": "catalog",
        "machine": f"{os.cpu_count()} cores",
        "runs": runs,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "catalog.json").write_text(
        json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(json.dumps(payload, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
