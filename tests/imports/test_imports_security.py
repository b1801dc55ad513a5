"""Issue 17, findings 1–3: hostile workbooks cost bounded time and memory; uploads never reach a public URL."""

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from factories import UserFactory
from imports_factories import build_xlsx, need_row, upload

from techmarket.audit.models import AuditLog
from techmarket.imports.models import ImportJob
from techmarket.imports.reader import ImportFileError, read_upload

pytestmark = pytest.mark.django_db


def _rewrite(content: bytes, path: str, change) -> bytes:
    """The same xlsx with one part's XML changed."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == path:
                data = change(data.decode()).encode()
            target.writestr(info.filename, data)
    return out.getvalue()


def _far_row_bomb(spec, far_row: int) -> bytes:
    """2 KB: declares A1:XFD1048576 and has one data row far down the sheet (finding 1)."""
    content = build_xlsx(spec, [need_row("XQ-1")])

    def change(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]+"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml)
        far = (
            f'<row r="{far_row}"><c r="A{far_row}" t="inlineStr"><is><t>XQ-9</t></is></c>'
            f'<c r="XFD{far_row}" t="inlineStr"><is><t>x</t></is></c></row>'
        )
        return xml.replace("</sheetData>", far + "</sheetData>")

    return _rewrite(content, "xl/worksheets/sheet1.xml", change)


def test_a_data_row_past_the_row_limit_is_refused_even_after_empty_rows(spec, settings):
    # Before: only non-empty rows counted, so row 3,000 of a 2-row file passed a 2,000-row limit.
    settings.IMPORT_MAX_ROWS = 2000
    bomb = _far_row_bomb(spec, 3000)
    assert len(bomb) < 8192
    with pytest.raises(ImportFileError, match="第 3000 行有数据，超过 2000 行的上限"):
        read_upload(spec, upload(bomb), name="needs.xlsx")


def test_declared_full_dimension_is_never_padded_and_reading_is_bounded_in_time(spec, settings):
    # Before: every row up to 20,000 was padded to 16,384 cells (~11 s) and nothing bounded the time.
    bomb = _far_row_bomb(spec, 20_000)
    sheet = read_upload(spec, upload(bomb), name="needs.xlsx")  # cells beyond the header are skipped
    assert [r.row for r in sheet.rows] == [2] and {e.row for e in sheet.errors} == {20_000}
    settings.IMPORT_READ_SECONDS = 0
    wide = build_xlsx(spec, [need_row(f"XQ-{i}") for i in range(40)])
    with pytest.raises(ImportFileError, match="0 秒内未能读完"):
        read_upload(spec, upload(wide), name="needs.xlsx")


SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def _with_shared_strings(content: bytes, count: int) -> bytes:
    """The workbook plus a shared-string table of `count` strings; cell A2 refers to the last one."""
    strings = "".join(f"<si><t>s{i}</t></si>" for i in range(count - 1)) + "<si><t>XQ-1</t></si>"
    sst = (
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{count}" '
        f'uniqueCount="{count}">{strings}</sst>'
    )
    content = _rewrite(
        content,
        "[Content_Types].xml",
        lambda x: x.replace(
            "</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST}"/></Types>'
        ),
    )
    content = _rewrite(
        content,
        "xl/_rels/workbook.xml.rels",
        lambda x: x.replace(
            "</Relationships>",
            f'<Relationship Id="rIdSst" Type="{SST_REL}" Target="sharedStrings.xml"/></Relationships>',
        ),
    )
    content = _rewrite(
        content,
        "xl/worksheets/sheet1.xml",
        lambda x: re.sub(r'<c r="A2"[^>]*>.*?</c>', f'<c r="A2" t="s"><v>{count - 1}</v></c>', x, count=1),
    )
    out = io.BytesIO(content)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", sst)
    return out.getvalue()


def test_shared_string_bomb_is_refused_before_it_is_loaded(spec, settings):
    # Before: 1.5 M shared strings in 0.5 MB were all loaded (hundreds of MB, kept by the process).
    settings.IMPORT_MAX_SHARED_STRINGS = 5000
    content = build_xlsx(spec, [need_row("XQ-1")])
    fine = _with_shared_strings(content, 1000)
    sheet = read_upload(spec, upload(fine), name="needs.xlsx")
    assert [r.key for r in sheet.rows] == ["XQ-1"]  # the shifted workbook itself is valid
    bomb = _with_shared_strings(content, 20_000)
    assert len(bomb) < 200_000
    with pytest.raises(ImportFileError, match="不同文字超过 5000 段的上限"):
        read_upload(spec, upload(bomb), name="needs.xlsx")


def test_unpacked_size_is_capped_before_any_xml_is_parsed(spec, settings):
    content = build_xlsx(spec, [need_row(f"XQ-{i}") for i in range(50)])
    settings.IMPORT_MAX_UNPACKED_BYTES = 20_000
    with pytest.raises(ImportFileError, match="解压后超过"):
        read_upload(spec, upload(content), name="needs.xlsx")


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_uploads_live_outside_media_under_random_names_and_only_members_download_them(owner, spec, settings):
    user, org = owner
    c = _client(user)
    secret = upload(build_xlsx(spec, [need_row("XQ-1", 联系人="王秘书")]), "机密需求清单.xlsx")
    c.post(reverse("imports:upload", args=["needs"]), {"owner": org.pk, "file": secret})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PREVIEW and job.file
    path = Path(job.file.path).resolve()
    # Before: MEDIA_ROOT/imports/2026/11/机密需求清单.xlsx, served at /media/ to anyone guessing the name.
    assert Path(django_settings.MEDIA_ROOT).resolve() not in path.parents
    assert "机密" not in job.file.name and path.is_file()
    with pytest.raises(ValueError):
        job.file.url  # noqa: B018 - no public URL can be built
    assert Client().get("/media/" + job.file.name).status_code == 404

    url = reverse("imports:job_upload", args=[job.pk])
    assert _client(UserFactory()).get(url).status_code == 404
    response = c.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert openpyxl.load_workbook(io.BytesIO(response.content)).active["A2"].value == "XQ-1"
    assert AuditLog.objects.filter(action="imports.job.download", target_id=str(job.pk)).count() == 1

    c.post(reverse("imports:job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert not job.file and not path.exists()  # deleted once the import finished
    assert c.get(url).status_code == 404


def test_failed_import_deletes_the_upload_and_keeps_only_the_marked_up_copy(owner, spec):
    user, org = owner
    c = _client(user)
    bad = upload(build_xlsx(spec, [need_row("XQ-1", 需求类型="买技术")]), "needs.xlsx")
    root = Path(django_settings.IMPORT_FILES_ROOT)
    before = set(root.rglob("*.xlsx"))
    c.post(reverse("imports:upload", args=["needs"]), {"owner": org.pk, "file": bad})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and not job.file
    assert (
        job.error_file and Path(django_settings.MEDIA_ROOT).resolve() not in Path(job.error_file.path).parents
    )
    assert set(root.rglob("*.xlsx")) - before == {Path(job.error_file.path)}  # the upload itself is gone


def test_purge_deletes_old_marked_up_files_and_unconfirmed_uploads(owner, spec):
    import datetime

    from django.utils import timezone

    from techmarket.imports import services

    user, org = owner
    c = _client(user)
    c.post(
        reverse("imports:upload", args=["needs"]),
        {"owner": org.pk, "file": upload(build_xlsx(spec, [need_row("XQ-1")]), "a.xlsx")},
    )
    c.post(
        reverse("imports:upload", args=["needs"]),
        {"owner": org.pk, "file": upload(build_xlsx(spec, [need_row("XQ-2", 需求类型="买技术")]), "b.xlsx")},
    )
    preview, failed = ImportJob.objects.order_by("pk")
    paths = [Path(preview.file.path), Path(failed.error_file.path)]
    assert services.import_files_purge() == 0  # fresh files stay
    later = timezone.now() + datetime.timedelta(hours=django_settings.IMPORT_FILE_RETENTION_HOURS + 1)
    assert services.import_files_purge(now=later) == 2
    assert not any(p.exists() for p in paths)
    preview.refresh_from_db()
    assert preview.status == ImportJob.Status.FAILED and "重新上传" in preview.message
