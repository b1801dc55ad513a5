"""A long import on the embedded default (no broker) runs outside the request, and its progress page
answers while the import's transaction is open and writing."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from factories import MembershipFactory, OrganizationFactory, UserFactory
from imports_factories import build_xlsx, need_row, upload

from techmarket.imports import background, services
from techmarket.imports.models import ImportJob
from techmarket.imports.specs import get_spec
from techmarket.needs.models import Need
from techmarket.orgs.models import Role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def member():
    call_command("load_reference", verbosity=0)  # transactional tests start from a flushed database
    org = OrganizationFactory()
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.MEMBER)
    c = Client()
    c.force_login(user)
    return c, org


def test_long_import_runs_in_a_thread_and_its_progress_page_answers_while_it_writes(
    member, settings, monkeypatch
):
    settings.IMPORT_BACKGROUND_THREADS = True
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the embedded default: no broker
    settings.IMPORT_INLINE_ROWS = 3
    monkeypatch.setattr(services, "PROGRESS_EVERY", 1)
    c, org = member
    threads: list[threading.Thread] = []
    real_start = background.start_thread
    monkeypatch.setattr(
        background, "start_thread", lambda step, pk: threads.append(real_start(step, pk)) or threads[-1]
    )

    c.post(
        reverse("imports:upload", args=["needs"]),
        {
            "owner": org.pk,
            "file": upload(build_xlsx(get_spec("needs"), [need_row(f"XQ-{i}") for i in range(8)])),
        },
    )
    assert len(threads) == 1  # even the check of a large file runs off the request
    threads[0].join(timeout=60)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PREVIEW and job.new_rows == 8

    reached, release = threading.Event(), threading.Event()
    real_save = services._save_one

    def slow_save(spec, row, obj, **kwargs):
        changed = real_save(spec, row, obj, **kwargs)
        if row.row == 6:  # mid-import: rows 2–6 written inside the open transaction, 4 reported so far
            reached.set()
            assert release.wait(timeout=60)
        return changed

    monkeypatch.setattr(services, "_save_one", slow_save)
    response = c.post(reverse("imports:job_confirm", args=[job.pk]))
    assert response.status_code == 302  # the request returned; the import goes on in a thread
    assert len(threads) == 2 and threads[1].is_alive()
    assert reached.wait(timeout=60)
    try:
        page = c.get(reverse("imports:job", args=[job.pk]))
        progress = c.get(reverse("imports:job_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
        assert page.status_code == 200 and progress.status_code == 200
        assert "已处理 4 / 8 行" in progress.content.decode() and "hx-trigger" in progress.content.decode()
        assert ImportJob.objects.get().status == ImportJob.Status.RUNNING
        if connection.vendor != "sqlite":  # the in-memory test database locks whole tables (shared cache);
            assert Need.objects.count() == 0  # all or nothing: nothing is visible before the end
    finally:
        release.set()
        threads[1].join(timeout=60)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED and job.new_rows == 8 and not job.file
    assert Need.objects.filter(owner=org).count() == 8
    done = c.get(reverse("imports:job_progress", args=[job.pk]))
    assert done["HX-Refresh"] == "true"
