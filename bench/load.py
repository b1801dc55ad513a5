"""Load benchmark (issue 18): gunicorn + PostgreSQL under locust, per page kind p50/p95/p99, errors,
throughput, server CPU and memory (PSS per worker).

    python -m bench.load seed --achievements 100000      # database tm_rel_bench (dropped first) + index
    python -m bench.load run --users 1,50,200 --seconds 180

The server runs in its production shape: config.settings.production, config/gunicorn.conf.py (4 sync
workers, index preloaded), PostgreSQL, Redis cache; the follow-up work goes to the outbox (a Celery
worker is not needed for read-only load). Results: one JSON object per run appended to
bench/results/load.json. The machine is shared: say so next to the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from .common import RESULTS, shared_data

REPO = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_LOAD_DB", "tm_rel_bench")
PORT = int(os.environ.get("BENCH_PORT", "8117"))
VAR = Path(os.environ.get("BENCH_VAR", "/tmp/tm-rel-bench-var"))
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")


def server_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": "bench-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
            "REDIS_URL": REDIS,
            "TECHMARKET_VAR_DIR": str(VAR),
            "MATCHING_INDEX_DIR": str(VAR / "techmatch"),
            "MEDIA_ROOT": str(VAR / "media"),
            "SECURE_COOKIES": "false",
            "API_RATE_ANONYMOUS_PER_MINUTE": "1000000",
            "LOG_LEVEL": "WARNING",
            "GUNICORN_BIND": f"127.0.0.1:{PORT}",
            "PYTHONPATH": str(REPO),
        }
    )
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env or server_env(), check=True)


def seed(achievements: int) -> None:
    import psycopg

    with psycopg.connect(PG_SERVER + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    VAR.mkdir(parents=True, exist_ok=True)
    env = server_env()
    manage("migrate", "--verbosity", "0", env=env)
    code = f"""
import django, itertools; django.setup()
from django.utils import timezone
from bench.catalog import _owner
from bench.common import read_jsonl
from techmarket.achievements.models import Achievement, Stage
from techmarket.catalog.models import ListingStatus, Visibility
from techmarket.needs.models import Need
from techmarket.orgs.models import Organization
from techmarket.orgs.validators import make_uscc
org, user = _owner()
ent = Organization.objects.create(name="基准测试企业", kind=Organization.Kind.ENTERPRISE, region_id="371302",
                                  status=Organization.Status.APPROVED, uscc=make_uscc("91371302MA0000002"))
docs = [d for d in read_jsonl(__import__("pathlib").Path({str(shared_data())!r}) / "corpus" / "achievements.jsonl") if d.get("abstract")]
now = timezone.now(); stages = list(Stage); batch = []
for i in range({achievements}):
    d = docs[i % len(docs)]
    a = Achievement(owner=org, title=f"{{(d.get('title') or d['abstract'][:40])[:100]}} #{{i}}", summary=d["abstract"][:1900],
                    keywords=d.get("keywords") or [], trl=1 + i % 9, stage=stages[i % len(stages)],
                    status=ListingStatus.PUBLISHED, visibility=Visibility.PUBLIC, region_id="371302",
                    published_at=now, transfer_modes=["transfer"])
    a.search_text = a.compute_search_text(); batch.append(a)
    if len(batch) == 2000:
        Achievement.objects.bulk_create(batch); batch = []
Achievement.objects.bulk_create(batch)
needs = []
for n in read_jsonl(__import__("pathlib").Path({str(shared_data())!r}) / "corpus" / "needs.jsonl"):
    need = Need(owner=ent, title=n["title"][:100], summary=n["text"][:200], problem=n["text"][:4900],
                status=ListingStatus.PUBLISHED, visibility=Visibility.PUBLIC, region_id="371302", published_at=now)
    need.search_text = need.compute_search_text(); needs.append(need)
Need.objects.bulk_create(needs)
from django.db import connection
with connection.cursor() as c:
    c.execute("VACUUM ANALYZE")
print(Achievement.objects.count(), Need.objects.count())
"""
    subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, check=True)
    manage("matching_rebuild", env=env)


def start_gunicorn(env: dict[str, str]) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "config/gunicorn.conf.py",
            "config.wsgi:application",
        ],
        cwd=REPO,
        env=env,
        start_new_session=True,
    )
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/", timeout=5) as r:  # noqa: S310
                if r.status == 200:
                    return proc
        except Exception:
            time.sleep(1)
    proc.terminate()
    raise RuntimeError("gunicorn did not answer")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _pk_range(model: str) -> str:
    code = (
        f"import django; django.setup(); from django.db.models import Min, Max; from {model} as M; "
        "r = M.objects.aggregate(a=Min('pk'), b=Max('pk')); print(f\"{r['a']},{r['b']}\")"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=server_env(), check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


def _cpu_seconds(pids: list[int]) -> float:
    import psutil

    total = 0.0
    for pid in pids:
        try:
            t = psutil.Process(pid).cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def _tree(pid: int) -> list[int]:
    import psutil

    return [pid, *(c.pid for c in psutil.Process(pid).children(recursive=True))]


def run_once(
    users: int, seconds: int, proc: subprocess.Popen[bytes], ranges: dict[str, str]
) -> dict[str, Any]:
    sys.path.insert(0, str(REPO / "scripts"))
    import pss  # type: ignore[import-not-found]

    with tempfile.TemporaryDirectory() as tmp:
        pids = _tree(proc.pid)
        cpu0, t0 = _cpu_seconds(pids), time.time()
        env = {**os.environ, "BENCH_ACHIEVEMENTS": ranges["achievements"], "BENCH_NEEDS": ranges["needs"]}
        subprocess.run(
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(REPO / "bench" / "locustfile.py"),
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--headless",
                "-u",
                str(users),
                "-r",
                str(max(1, min(users, 20))),
                "-t",
                f"{seconds}s",
                "--csv",
                f"{tmp}/run",
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env=env,
            check=False,
        )
        wall = time.time() - t0
        cpu = _cpu_seconds(pids) - cpu0
        memory = pss.report([proc.pid])
        with open(f"{tmp}/run_stats.csv", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    kinds: dict[str, Any] = {}
    total: dict[str, Any] = {}
    for row in rows:
        entry = {
            "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]),
            "p50_ms": float(row["50%"] or 0),
            "p95_ms": float(row["95%"] or 0),
            "p99_ms": float(row["99%"] or 0),
            "rps": round(float(row["Requests/s"] or 0), 2),
        }
        if row["Name"] == "Aggregated":
            total = entry
        else:
            kinds[row["Name"]] = entry
    workers = [p for p in memory["processes"] if p["parent"]]
    return {
        "users": users,
        "seconds": seconds,
        "requests": total.get("requests", 0),
        "errors": total.get("errors", 0),
        "rps": total.get("rps", 0),
        "p50_ms": total.get("p50_ms"),
        "p95_ms": total.get("p95_ms"),
        "p99_ms": total.get("p99_ms"),
        "pages": kinds,
        "server": {
            "cpu_cores_busy": round(cpu / wall, 2),
            "cpu_seconds": round(cpu, 1),
            "pss_total_mib": memory["total_pss_mib"],
            "rss_total_mib": memory["total_rss_mib"],
            "pss_per_worker_mib": [p["pss"] for p in workers],
            "rss_per_worker_mib": [p["rss"] for p in workers],
            "master_pss_mib": next((p["pss"] for p in memory["processes"] if not p["parent"]), None),
        },
    }


def run(users_list: list[int], seconds: int, note: str) -> list[dict[str, Any]]:
    env = server_env()
    ranges = {
        "achievements": _pk_range("techmarket.achievements.models import Achievement"),
        "needs": _pk_range("techmarket.needs.models import Need"),
    }
    manage("collectstatic", "--noinput", "--verbosity", "0", env=env)
    started = time.time()
    proc = start_gunicorn(env)
    boot = round(time.time() - started, 1)
    results = []
    try:
        for users in users_list:
            result = run_once(users, seconds, proc, ranges)
            count = int(ranges["achievements"].split(",")[1]) - int(ranges["achievements"].split(",")[0]) + 1
            result.update(
                {
                    "achievements": count,
                    "workers": int(env.get("GUNICORN_WORKERS", "4")),
                    "gunicorn_ready_seconds": boot,
                    "database": "postgresql",
                    "note": note,
                    "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                }
            )
            print(json.dumps(result, ensure_ascii=False))
            results.append(result)
            path = RESULTS / "load.json"
            existing = json.loads(path.read_text()) if path.exists() else []
            path.write_text(json.dumps([*existing, result], ensure_ascii=False, indent=1) + "\n")
    finally:
        stop(proc)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("seed")
    s.add_argument("--achievements", type=int, default=100_000)
    r = sub.add_parser("run")
    r.add_argument("--users", default="1,50,200")
    r.add_argument("--seconds", type=int, default=180)
    r.add_argument("--note", default="")
    args = parser.parse_args()
    if args.cmd == "seed":
        seed(args.achievements)
    else:
        run([int(u) for u in args.users.split(",")], args.seconds, args.note)


if __name__ == "__main__":
    main()
