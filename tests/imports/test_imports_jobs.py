"""Import jobs never stay stuck: heartbeat, the reaper, the interrupted run and running a job again."""

import dataclasses
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from imports_factories import need_row

from techmarket.audit.models import AuditLog
from techmarket.imports import jobs, services
from techmarket.imports.models import ImportJob
from techmarket.needs.models import Need
from techmarket.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db
Status = ImportJob.Status


def _rows(n=4, **bad):
    rows = [need_row(f"XQ-{i:03d}") for i in range(1, n + 1)]
    rows[1].update(bad)
    return rows


@pytest.fixture
def large(settings):
    """Files above two rows run as background jobs."""
    settings.IMPORT_INLINE_ROWS = 2


def _queued_job(spec, owner, xlsx, django_capture_on_commit_callbacks, rows=None):
    """A confirmed job whose task was owed but never ran (the broker refused, the worker is gone)."""
    user, org = owner
    with django_capture_on_commit_callbacks(execute=True):  # the background check of a large file
        job, _ = services.import_job_create(
            spec=spec, upload=xlsx(rows or _rows()), acting_user=user, owner=org
        )
    job.refresh_from_db()
    assert job.status == Status.PREVIEW
    with django_capture_on_commit_callbacks(execute=False):
        job = services.import_job_start(job=job, acting_user=user)
    assert job.status == Status.QUEUED
    return job


def _as_killed_mid_run(job, minutes_ago=30):
    """What a worker killed by gunicorn's timeout or the OOM killer leaves: running, no recent heartbeat."""
    then = timezone.now() - timedelta(minutes=minutes_ago)
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, started_at=then, heartbeat_at=then, updated_at=then, attempts=1
    )
    job.refresh_from_db()
    return job


def test_a_killed_job_is_reaped_with_a_reason_and_runs_again_to_completion(
    spec, owner, xlsx, large, django_capture_on_commit_callbacks
):
    user, _org = owner
    job = _as_killed_mid_run(_queued_job(spec, owner, xlsx, django_capture_on_commit_callbacks))
    assert jobs.import_jobs_reap() == 1
    job.refresh_from_db()
    assert job.status == Status.FAILED and "没有心跳" in job.message and job.finished_at
    assert AuditLog.objects.filter(action="imports.job.reap").count() == 1
    assert jobs.can_rerun(job)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.import_job_rerun(job=job, acting_user=user)
    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED and job.attempts == 2 and job.message == ""
    assert Need.objects.filter(owner=job.owner).count() == 4


def test_a_job_with_a_recent_heartbeat_is_left_running(
    spec, owner, xlsx, large, django_capture_on_commit_callbacks
):
    job = _as_killed_mid_run(
        _queued_job(spec, owner, xlsx, django_capture_on_commit_callbacks), minutes_ago=1
    )
    assert jobs.import_jobs_reap() == 0
    with pytest.raises(ValidationError, match="不能重新运行"):
        jobs.import_job_rerun(job=job, acting_user=owner[0])
    job.refresh_from_db()
    assert job.status == Status.RUNNING


def test_the_cached_heartbeat_keeps_a_job_alive_while_its_transaction_hides_the_database_one(
    spec, owner, xlsx, large, django_capture_on_commit_callbacks
):
    job = _as_killed_mid_run(_queued_job(spec, owner, xlsx, django_capture_on_commit_callbacks))
    jobs.Heartbeat(job.pk).beat()  # outside a transaction it also writes the row; take the cache alone:
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=job.heartbeat_at)
    job.refresh_from_db()
    assert not jobs.job_is_dead(job)


def test_a_timeout_during_the_import_leaves_the_job_failed_not_running(
    spec, owner, xlsx, large, django_capture_on_commit_callbacks
):
    job = _queued_job(spec, owner, xlsx, django_capture_on_commit_callbacks)
    with mock.patch.object(services, "import_commit", side_effect=SystemExit(1)), pytest.raises(SystemExit):
        services.import_job_run(job_pk=job.pk)
    job.refresh_from_db()
    assert job.status == Status.FAILED and "中断" in job.message and job.processed_rows == 0
    assert Need.objects.count() == 0
    assert jobs.can_rerun(job)


def test_a_task_delivered_twice_imports_once(spec, owner, xlsx, large, django_capture_on_commit_callbacks):
    job = _queued_job(spec, owner, xlsx, django_capture_on_commit_callbacks)
    with mock.patch.object(services, "import_commit", wraps=services.import_commit) as commit:
        assert services.import_job_run(job_pk=job.pk).status == Status.SUCCEEDED
        assert services.import_job_run(job_pk=job.pk).status == Status.SUCCEEDED
    assert commit.call_count == 1


def test_a_job_whose_task_was_never_sent_is_reaped_after_the_queue_timeout_and_rerun_from_its_page(
    spec, owner, xlsx, large, django_capture_on_commit_callbacks
):
    user, org = owner
    job = _queued_job(spec, owner, xlsx, django_capture_on_commit_callbacks)
    OutboxMessage.objects.all().delete()  # the owed task is lost for good
    client = Client()
    client.force_login(user)
    page = client.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert "重新运行" not in page  # queued a moment ago: not stuck yet
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(hours=2))
    progress = client.get(f"/imports/jobs/{job.pk}/progress/")
    assert progress["HX-Refresh"] == "true"  # the polling page stops: the job was reaped
    page = client.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert "排队超过" in page and "重新运行" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/imports/jobs/{job.pk}/rerun/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED and Need.objects.filter(owner=org).count() == 4


def test_a_job_with_row_errors_is_fixed_by_uploading_again_not_by_rerunning(
    spec, owner, xlsx, large, django_capture_on_commit_callbacks
):
    user, _org = owner
    job = _queued_job(spec, owner, xlsx, django_capture_on_commit_callbacks)
    spec_of_job = services.get_spec(job.spec_key)

    def refusing_save(data, *args):
        # Something changed between the preview and the run (e.g. the same key was edited meanwhile).
        if data["external_key"] == "XQ-002":
            raise ValidationError({"budget_max": "预算上限不能低于预算下限。"})
        return spec_of_job.save(data, *args)

    refusing = dataclasses.replace(spec_of_job, save=refusing_save)
    with mock.patch.object(services, "get_spec", return_value=refusing):
        job = services.import_job_run(job_pk=job.pk)
    assert job.status == Status.FAILED and job.error_report
    assert not jobs.can_rerun(job)
    with pytest.raises(ValidationError, match="改正后重新上传"):
        jobs.import_job_rerun(job=job, acting_user=user)


def test_a_database_error_mid_import_writes_nothing_and_the_job_can_run_again(
    spec, owner, xlsx, large, django_capture_on_commit_callbacks
):
    from django.db import OperationalError

    user, org = owner
    job = _queued_job(spec, owner, xlsx, django_capture_on_commit_callbacks)
    spec_of_job = services.get_spec(job.spec_key)
    calls = {"n": 0}

    def dying_save(*args):
        calls["n"] += 1
        if calls["n"] == 3:  # the third row: the connection is killed
            raise OperationalError("server closed the connection unexpectedly")
        return spec_of_job.save(*args)

    dying = dataclasses.replace(spec_of_job, save=dying_save)
    with mock.patch.object(services, "get_spec", return_value=dying), pytest.raises(OperationalError):
        services.import_job_run(job_pk=job.pk)
    job.refresh_from_db()
    assert job.status == Status.FAILED and Need.objects.filter(owner=org).count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.import_job_rerun(job=job, acting_user=user)
    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED and Need.objects.filter(owner=org).count() == 4


def test_a_background_check_that_died_is_reaped_and_its_upload_deleted(
    spec, owner, xlsx, large, django_capture_on_commit_callbacks
):
    user, org = owner
    with django_capture_on_commit_callbacks(execute=False):  # the check thread never ran (process died)
        job, _ = services.import_job_create(spec=spec, upload=xlsx(_rows()), acting_user=user, owner=org)
    job.refresh_from_db()
    assert job.status == Status.CHECKING and job.file
    stored = job.file.name
    then = timezone.now() - timedelta(minutes=30)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=then, heartbeat_at=then)
    assert jobs.import_jobs_reap() == 1
    job.refresh_from_db()
    assert job.status == Status.FAILED and "校验进程已中断" in job.message and "重新上传" in job.message
    assert not job.file and not job.file.storage.exists(stored)
    assert not jobs.can_rerun(job)  # never confirmed: the user uploads again
