"""All-or-nothing commit, idempotent re-import by 外部编号, audit, and large files as a job."""

import pytest
from django.core.exceptions import PermissionDenied
from factories import UserFactory
from imports_factories import need_row

from techmarket.audit.models import AuditLog
from techmarket.core.portal import renew_public_counts
from techmarket.imports import services
from techmarket.imports.models import ImportJob
from techmarket.needs.models import Need

pytestmark = pytest.mark.django_db


def _rows(n=3, **bad):
    rows = [need_row(f"XQ-{i:03d}") for i in range(1, n + 1)]
    rows[1].update(bad)
    return rows


def test_one_bad_row_is_listed_and_nothing_is_written(spec, owner, xlsx):
    user, org = owner
    f = xlsx(_rows(需求类型="买技术"))
    preview = services.import_preview(spec, f, acting_user=user, owner=org)
    assert (preview.total, preview.error_rows, preview.new) == (3, 1, 2)
    (error,) = preview.errors
    assert (error.row, error.column, error.value) == (3, "需求类型", "买技术")
    assert error.problem == "不在可选范围内" and "技术需求" in error.expected

    result = services.import_commit(spec, f, acting_user=user, owner=org)
    assert not result.ok and result.errors[0].row == 3
    assert Need.objects.count() == 0 and AuditLog.objects.count() == 0


def test_service_validation_error_on_a_later_row_rolls_back_earlier_rows(spec, owner, xlsx):
    user, org = owner
    # Each cell is fine on its own; the needs service refuses the budget range.
    f = xlsx(_rows(**{"预算下限（万元）": 200, "预算上限（万元）": 100}))
    preview = services.import_preview(spec, f, acting_user=user, owner=org)
    assert [(e.row, e.column) for e in preview.errors] == [(3, "预算上限（万元）")]
    assert "不能低于下限" in preview.errors[0].problem
    assert Need.objects.count() == 0  # the dry run was rolled back

    result = services.import_commit(spec, f, acting_user=user, owner=org)
    assert [e.row for e in result.errors] == [3] and (result.created, result.updated) == (0, 0)
    assert Need.objects.count() == 0
    assert not AuditLog.objects.filter(action__startswith="needs.").exists()
    assert not AuditLog.objects.filter(action="imports.job.commit").exists()


def test_fixed_file_imports_all_and_reimport_updates_without_duplicates(spec, owner, xlsx):
    user, org = owner
    result = services.import_commit(spec, xlsx(_rows()), acting_user=user, owner=org)
    assert result.ok and (result.created, result.updated) == (3, 0)
    need = Need.objects.get(external_key="XQ-002")
    assert need.owner == org and need.industry_id == "26" and need.region_id == "371302"
    assert need.cooperation_modes == ["joint", "transfer"] and need.parameters[1]["unit"] == "次"
    assert AuditLog.objects.filter(action="needs.need.create").count() == 3
    assert AuditLog.objects.filter(action="imports.job.commit").count() == 1

    rows = _rows(标题="磷酸铁锂正极材料低温改性（修订）")
    preview = services.import_preview(spec, xlsx(rows), acting_user=user, owner=org)
    assert (preview.new, preview.update, preview.unchanged, preview.errors) == (0, 1, 2, [])
    again = services.import_commit(spec, xlsx(rows), acting_user=user, owner=org)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 2)  # "更新 N 条" counts real changes
    assert Need.objects.count() == 3
    need.refresh_from_db()
    assert need.title == "磷酸铁锂正极材料低温改性（修订）"
    # Only the row whose content changed is written and audited; the other two are left alone.
    assert AuditLog.objects.filter(action="needs.need.update").count() == 1


def test_outsider_may_not_import_for_an_organisation(spec, owner, xlsx):
    _user, org = owner
    with pytest.raises(PermissionDenied):
        services.import_preview(spec, xlsx(_rows()), acting_user=UserFactory(), owner=org)


def test_file_above_inline_rows_runs_as_a_job_to_completion(
    spec, owner, xlsx, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_ROWS = 2
    user, org = owner
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job, preview = services.import_job_create(
            spec=spec, upload=xlsx(_rows(4)), acting_user=user, owner=org
        )
    assert len(callbacks) == 1 and preview is None  # the full check runs off the request
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW and job.total_rows == 4 and job.new_rows == 4
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = services.import_job_start(job=job, acting_user=user)
    # queued as a task, not run in the request (the task's own saves renew the home page's counts once)
    assert len([c for c in callbacks if c is not renew_public_counts]) == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.processed_rows == job.total_rows == 4 and job.new_rows == 4
    assert Need.objects.filter(owner=org).count() == 4
    assert AuditLog.objects.get(action="imports.job.commit").target_id == str(job.pk)


def test_failed_job_keeps_the_row_errors_and_writes_nothing(
    spec, owner, xlsx, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_ROWS = 2
    user, org = owner
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = services.import_job_create(
            spec=spec,
            upload=xlsx(_rows(4, **{"预算下限（万元）": 200, "预算上限（万元）": 1})),
            acting_user=user,
            owner=org,
        )
    job.refresh_from_db()
    # The background check runs the services too: the error is found before anyone confirms.
    assert job.status == ImportJob.Status.FAILED and job.error_report[0]["row"] == 3
    assert "第 3 行" in job.error_report[0]["message"]
    assert Need.objects.count() == 0


def test_owner_export_reimports_as_no_change(spec, owner, xlsx):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from techmarket.imports.export import export_xlsx
    from techmarket.needs.selectors import need_list_visible_to

    user, org = owner
    services.import_commit(spec, xlsx(_rows(2, 技术指标="-20℃容量保持率|≥85|%")), acting_user=user, owner=org)
    exported = export_xlsx(spec, need_list_visible_to(user), user=user, include_confidential=True)
    f = SimpleUploadedFile("export.xlsx", exported)
    preview = services.import_preview(spec, f, acting_user=user, owner=org)
    assert (preview.new, preview.update, preview.unchanged, preview.errors) == (0, 0, 2, [])
    assert {"所属机构", "状态", "发布时间"} <= set(preview.ignored_headers)
    result = services.import_commit(spec, f, acting_user=user, owner=org)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    need = Need.objects.get(external_key="XQ-002")
    assert need.parameters[0]["indicator"] == "-20℃容量保持率"  # the export's protective quote is not kept
    assert Need.objects.count() == 2
