"""Excel import benchmark (issue 10, issue 17 findings 1–2) on the embedded default (a SQLite file in WAL).

    TECHMARKET_SHARED_DATA=../shared/data python -m bench.imports [--rows 10000] [--messy-base 2000]

Measures, with real Chinese achievements from ../shared/data/corpus (read, never copied):
- a 10,000-row achievements workbook: complete preview (cells + services, rolled back), import,
  unchanged re-import (must write nothing), export of the owner's items → re-import (must write nothing);
- the same import confirmed as a job without a broker: it runs in a thread while the progress page is
  polled through Django's test client; every poll must answer 200 (no "database is locked");
- 2,000 real rows plus 30 messy ones (full-width digits, spaced patents, wrong check digits, 十 / 7级,
  50万元, Chinese and serial dates, formulas, a 10,000-character text, emoji, blanks, a duplicated
  external id, an unknown code, HTML): the preview's errors must equal the import's;
- hostile files: a 2 KB sheet declaring A1:XFD1048576 with a row at 20,000, and 1.5 M shared strings.
Results: bench/results/imports.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import resource
import sys
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

from .common import RESULTS, read_jsonl, shared_data

REPO = Path(__file__).resolve().parent.parent
WORK = Path("/tmp/techmarket-bench-imports")


def _setup() -> None:
    WORK.mkdir(exist_ok=True)
    db = WORK / "db.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"  # base settings: WAL, busy timeout, IMMEDIATE
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["TECHMARKET_VAR_DIR"] = str(WORK / "var")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.IMPORT_FILES_ROOT = WORK / "private"
    call_command("migrate", verbosity=0)


def _corpus(limit: int) -> list[dict[str, Any]]:
    docs = []
    for doc in read_jsonl(shared_data() / "corpus" / "achievements.jsonl"):
        if doc.get("abstract"):
            docs.append(doc)
        if len(docs) >= limit:
            break
    return docs


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


def _patent(i: int) -> str:
    from techmarket.achievements.validators import make_patent_application_number

    return "ZL" + make_patent_application_number(f"2021{1 + i % 2}{i:07d}")


def _row(doc: dict[str, Any], i: int) -> dict[str, Any]:
    keywords = [k.strip("《》<>")[:30] for k in (doc.get("keywords") or [])[:10] if k.strip("《》<>")]
    title = (doc.get("title") or doc["abstract"][:40])[:100]
    return {
        "外部编号": f"BENCH-{i:06d}",
        "标题": f"{title} #{i}",
        "公开摘要": doc["abstract"][:1900],
        "关键词": "、".join(keywords),
        "技术成熟度（TRL）": 3 + i % 6,
        "所处阶段": "中试",
        "转化方式": "转让、普通许可",
        "报价（万元）": 50 + i % 500,
        "面议": "否",
        "所在地区": "370102",
        "知识产权": f"发明专利|{_patent(i)}|{title[:60]}|已授权" if doc["kind"] == "patent" else "",
        "可见范围": "公开",
    }


def _messy(docs: list[dict[str, Any]], start: int) -> list[dict[str, Any]]:
    """30 rows with the mess of real office files; the first 12 are fine after normalising."""
    rows = [_row(doc, start + n) for n, doc in enumerate(docs[:30])]
    patent = _patent(start)
    fixes: list[dict[str, Any]] = [
        {"技术成熟度（TRL）": "６", "报价（万元）": "３００"},  # full-width digits
        {
            "知识产权": f"发明专利|{patent.lower()[:6]} {patent[6:10]} {patent[10:]}|一种方法|已授权"
        },  # spaced, lower
        {"技术成熟度（TRL）": "7级"},
        {"报价（万元）": "50万元"},
        {"所在地区": "３７０１０２"},
        {"知识产权": f"发明专利|{patent}|一种方法|已授权|2033年5月1日"},
        {"知识产权": f"发明专利|{patent}|一种方法|已授权|48700"},
        {"标题": "🔋 高能量密度电池 🔋"},
        {"标题": "冰箱"},
        {"公开摘要": "第一段<br>第二段<i>斜体</i>"},
        {"标题": "<b>显微镜</b>"},
        {"关键词": "machine learning、deep neural networks、image segmentation"},
        # errors from here on
        {
            "知识产权": f"发明专利|{patent[:-1]}{'0' if patent[-1] != '0' else '1'}|一种方法|已授权"
        },  # check digit
        {"技术成熟度（TRL）": "十"},
        {"报价（万元）": "五十万"},
        {"报价（万元）": "=SUM(1,2)"},
        {"技术优势": "长" * 10_000},
        {"公开摘要": None},
        {"外部编号": rows[0]["外部编号"]},
        {"学科": "999"},
        {"标题": "<script>alert(1)</script>"},
        {"知识产权": "发明专利|ZL20231012345|一种方法|已授权"},
        {"所在地区": "999999"},
        {"可见范围": "全世界"},
        {"面议": "也许"},
        {"转化方式": "卖掉"},
        {"知识产权": f"发明专利|{patent}|一种方法|已授权|明年五月"},
        {"标题": "冰"},
        {"公开摘要": "<img src=x onerror=alert(1)>"},
        {"技术成熟度（TRL）": None},
    ]
    for row, fix in zip(rows, fixes, strict=True):
        row.update(fix)
    return rows


def _workbook(spec: Any, rows: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(spec.title)
    headers = [c.header for c in spec.columns]
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    value = fn()
    return value, round(time.perf_counter() - start, 1)


def bench_roundtrip(rows: int) -> dict[str, Any]:
    from django.db.models import Q

    from techmarket.achievements.models import Achievement
    from techmarket.imports.export import export_xlsx
    from techmarket.imports.services import import_commit, import_preview
    from techmarket.imports.specs import get_spec

    org, user = _owner()
    spec = get_spec("achievements")
    content = _workbook(spec, [_row(doc, i) for i, doc in enumerate(_corpus(rows))])
    preview, preview_s = _timed(
        lambda: import_preview(spec, io.BytesIO(content), acting_user=user, owner=org, name="bench.xlsx")
    )
    assert preview.ok, (preview.file_error, preview.errors[:3])
    result, import_s = _timed(
        lambda: import_commit(spec, io.BytesIO(content), acting_user=user, owner=org, name="bench.xlsx")
    )
    assert result.ok and result.created == rows, (result.file_error, result.errors[:3])
    again, reimport_s = _timed(
        lambda: import_commit(spec, io.BytesIO(content), acting_user=user, owner=org, name="bench.xlsx")
    )
    qs = (
        Achievement.objects.filter(Q(owner=org))
        .select_related("discipline", "region")
        .prefetch_related("industries", "ip_rights")
    )
    exported, export_s = _timed(lambda: export_xlsx(spec, qs, user=user, include_confidential=True))
    back, export_reimport_s = _timed(
        lambda: import_commit(spec, io.BytesIO(exported), acting_user=user, owner=org, name="export.xlsx")
    )
    return {
        "rows": rows,
        "file_mb": round(len(content) / 2**20, 2),
        "preview_seconds": preview_s,
        "preview_new": preview.new,
        "preview_errors": len(preview.errors),
        "import_seconds": import_s,
        "rows_per_s": round(rows / import_s),
        "created": result.created,
        "reimport_seconds": reimport_s,
        "reimport": {"created": again.created, "updated": again.updated, "unchanged": again.unchanged},
        "export_seconds": export_s,
        "export_reimport_seconds": export_reimport_s,
        "export_reimport": {
            "created": back.created,
            "updated": back.updated,
            "unchanged": back.unchanged,
            "errors": len(back.errors),
        },
    }


def bench_background(rows: int) -> dict[str, Any]:
    """Confirm a job without a broker: the request returns, a thread imports, the page is polled."""
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from techmarket.imports import background
    from techmarket.imports.models import ImportJob
    from techmarket.imports.specs import get_spec
    from techmarket.orgs.models import Organization

    settings.IMPORT_BACKGROUND_THREADS = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    org = Organization.objects.get(name="基准测试大学")
    user = org.memberships.get().user
    docs = _corpus(rows)
    content = _workbook(
        get_spec("achievements"),
        [dict(_row(doc, i), **{"外部编号": f"BG-{i:06d}"}) for i, doc in enumerate(docs)],
    )
    threads: list[threading.Thread] = []
    real = background.start_thread
    background.start_thread = lambda step, pk: threads.append(real(step, pk)) or threads[-1]  # type: ignore[assignment]
    client = Client()
    client.force_login(user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    start = time.perf_counter()
    response = client.post(
        reverse("imports:upload", args=["achievements"]),
        {"owner": org.pk, "file": SimpleUploadedFile("bg.xlsx", content)},
    )
    upload_s = time.perf_counter() - start
    job = ImportJob.objects.latest("pk")

    def poll_until_done(phase: str) -> dict[str, Any]:
        latencies, statuses, seen = [], {}, []
        while True:
            t = time.perf_counter()
            r = client.get(reverse("imports:job_progress", args=[job.pk]), HTTP_X_BACKGROUND_POLL="1")
            latencies.append(time.perf_counter() - t)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            match = re.search(r"(\d+) / (\d+)", r.content.decode())
            if match:
                seen.append(int(match.group(1)))
            if r.get("HX-Refresh") == "true" or not any(th.is_alive() for th in threads):
                break
            time.sleep(0.5)
        for th in threads:
            th.join()
        return {
            "phase": phase,
            "polls": len(latencies),
            "status_codes": statuses,
            "max_poll_ms": round(max(latencies) * 1000, 1),
            "progress_values_seen": len(set(seen)),
            "last_progress": seen[-1] if seen else None,
        }

    check = poll_until_done("check")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW, (job.status, job.message, job.error_report[:2])
    start = time.perf_counter()
    response = client.post(reverse("imports:job_confirm", args=[job.pk]))
    confirm_s = time.perf_counter() - start
    run = poll_until_done("import")
    total_s = time.perf_counter() - start
    job.refresh_from_db()
    background.start_thread = real  # type: ignore[assignment]
    return {
        "rows": rows,
        "upload_request_seconds": round(upload_s, 2),
        "confirm_request_seconds": round(confirm_s, 2),
        "confirm_status": response.status_code,
        "import_seconds": round(total_s, 1),
        "check": check,
        "run": run,
        "final_status": job.status,
        "created": job.new_rows,
        "file_deleted": not job.file,
    }


def bench_messy(base: int) -> dict[str, Any]:
    from techmarket.imports.services import import_commit, import_preview
    from techmarket.imports.specs import get_spec
    from techmarket.orgs.models import Organization

    org = Organization.objects.get(name="基准测试大学")
    user = org.memberships.get().user
    spec = get_spec("achievements")
    docs = _corpus(base + 30)
    rows = [dict(_row(doc, i), **{"外部编号": f"MS-{i:06d}"}) for i, doc in enumerate(docs[:base])]
    messy = _messy(docs[base:], base)
    duplicated = messy[0]["外部编号"]
    for n, row in enumerate(messy):
        row["外部编号"] = "MS-X000" if n and row["外部编号"] == duplicated else f"MS-X{n:03d}"
    content = _workbook(spec, rows + messy)
    # The formula must be a formula cell: openpyxl writes "=..." strings as formulas.
    preview, preview_s = _timed(
        lambda: import_preview(spec, io.BytesIO(content), acting_user=user, owner=org, name="messy.xlsx")
    )
    result, import_s = _timed(
        lambda: import_commit(spec, io.BytesIO(content), acting_user=user, owner=org, name="messy.xlsx")
    )
    same = [(e.row, e.column, e.problem) for e in preview.errors] == [
        (e.row, e.column, e.problem) for e in result.errors
    ]
    error_rows = sorted({e.row for e in preview.errors})
    return {
        "rows": base + 30,
        "preview_seconds": preview_s,
        "import_seconds": import_s,
        "preview_errors": len(preview.errors),
        "error_rows": len(error_rows),
        "error_rows_expected": 18,
        "preview_equals_import": same,
        "written": result.created,
        "first_messages": [str(e) for e in preview.errors[:4]],
    }


def _max_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def bench_hostile() -> dict[str, Any]:
    from openpyxl import Workbook

    from techmarket.imports.reader import ImportFileError, read_upload
    from techmarket.imports.specs import get_spec

    spec = get_spec("needs")
    wb = Workbook()
    ws = wb.active
    ws.title = spec.title
    ws.append([c.header for c in spec.columns])
    ws.append(["XQ-1"])
    buffer = io.BytesIO()
    wb.save(buffer)
    base = buffer.getvalue()

    def rewrite(content: bytes, path: str, change: Any, add: dict[str, str] | None = None) -> bytes:
        source = zipfile.ZipFile(io.BytesIO(content))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename == path:
                    data = change(data.decode()).encode()
                target.writestr(info.filename, data)
            for name, text in (add or {}).items():
                target.writestr(name, text)
        return out.getvalue()

    far = rewrite(
        base,
        "xl/worksheets/sheet1.xml",
        lambda x: re.sub(r'<dimension ref="[^"]+"\s*/>', '<dimension ref="A1:XFD1048576"/>', x).replace(
            "</sheetData>",
            '<row r="20000"><c r="A20000" t="inlineStr"><is><t>XQ-9</t></is></c></row></sheetData>',
        ),
    )
    outcome: dict[str, Any] = {}
    start = time.perf_counter()
    sheet = read_upload(spec, io.BytesIO(far), name="far.xlsx")
    outcome["far_row"] = {
        "file_bytes": len(far),
        "seconds": round(time.perf_counter() - start, 3),
        "rows_read": len(sheet.rows) + len({e.row for e in sheet.errors}),
    }
    count = 1_500_000
    sst = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(f"<si><t>{i}</t></si>" for i in range(count))
        + "</sst>"
    )
    bomb = rewrite(
        base,
        "[Content_Types].xml",
        lambda x: x.replace(
            "</Types>",
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        ),
        add={"xl/sharedStrings.xml": sst},
    )
    bomb = rewrite(
        bomb,
        "xl/_rels/workbook.xml.rels",
        lambda x: x.replace(
            "</Relationships>",
            '<Relationship Id="rS" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>',
        ),
    )
    del sst
    tracemalloc.start()
    start = time.perf_counter()
    try:
        read_upload(spec, io.BytesIO(bomb), name="sst.xlsx")
        refused = ""
    except ImportFileError as exc:
        refused = exc.message
    seconds = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    outcome["shared_strings"] = {
        "file_mb": round(len(bomb) / 2**20, 2),
        "strings": count,
        "seconds": round(seconds, 2),
        "refused": refused[:60],
        "python_peak_mb_while_reading": round(peak / 2**20, 1),
        "max_rss_mb": _max_rss_mb(),
    }
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--messy-base", type=int, default=2_000)
    args = parser.parse_args()
    _setup()
    out: dict[str, Any] = {
        "benchmark": "imports",
        "machine": f"{os.cpu_count()} cores",
        "database": "sqlite (WAL)",
    }
    out["hostile"] = bench_hostile()  # first: the peak-RSS figures are only meaningful on a fresh process
    print(json.dumps(out["hostile"], ensure_ascii=False), flush=True)
    out["roundtrip"] = bench_roundtrip(args.rows)
    print(json.dumps(out["roundtrip"], ensure_ascii=False), flush=True)
    out["messy"] = bench_messy(args.messy_base)
    print(json.dumps(out["messy"], ensure_ascii=False), flush=True)
    out["background"] = bench_background(args.rows)
    print(json.dumps(out["background"], ensure_ascii=False), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "imports.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
