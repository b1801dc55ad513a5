"""The web journey: template download, upload → preview → 确认导入, job progress, exports, permissions."""

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from factories import MembershipFactory, OrganizationFactory, UserFactory
from imports_factories import need_row

from techmarket.imports.models import ImportJob
from techmarket.needs.models import Need

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for():
    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


def _upload(client, org, f):
    return client.post(reverse("imports:upload", args=["needs"]), {"owner": org.pk, "file": f})


def test_pages_need_login(client):
    for url in (
        reverse("imports:upload", args=["needs"]),
        reverse("imports:template", args=["needs"]),
        reverse("imports:export_csv", args=["needs"]),
    ):
        assert client.get(url).status_code == 302


def test_the_upload_page_names_the_list_in_the_chosen_language(owner, client_for):
    c = client_for(owner[0])
    url = reverse("imports:upload", args=["needs"])
    assert "从 Excel 导入技术需求" in c.get(url).content.decode()
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = c.get(url).content.decode()
    assert "Import from Excel: Technology needs" in html and "技术需求" not in html  # was "Import 技术需求 …"


def test_template_download_is_an_xlsx_attachment(owner, client_for):
    response = client_for(owner[0]).get(reverse("imports:template", args=["needs"]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames[1] == "填写说明"
    assert client_for(owner[0]).get(reverse("imports:template", args=["nothing"])).status_code == 404


def test_bad_row_then_fixed_file_through_preview_and_confirm(owner, client_for, xlsx):
    user, org = owner
    c = client_for(user)
    bad = [need_row("XQ-1"), need_row("XQ-2", 可见范围="全世界")]
    response = _upload(c, org, xlsx(bad))
    job = ImportJob.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("imports:job", args=[job.pk])
    page = c.get(response["Location"]).content.decode()
    assert (
        'id="import-errors"' in page
        and "全世界" in page
        and "不在可选范围内" in page
        and "<td>3</td>" in page
    )
    assert "确认导入" not in page
    assert c.post(reverse("imports:job_confirm", args=[job.pk])).status_code == 302
    assert Need.objects.count() == 0

    response = _upload(c, org, xlsx([need_row("XQ-1"), need_row("XQ-2")]))
    page = c.get(response["Location"]).content.decode()
    assert "确认导入" in page and "将新增 2 条" in page
    job = ImportJob.objects.latest("pk")
    response = c.post(reverse("imports:job_confirm", args=[job.pk]), follow=True)
    assert "新增 2 条" in response.content.decode()
    assert Need.objects.filter(owner=org).count() == 2
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED and job.processed_rows == 2
    progress = c.get(reverse("imports:job_progress", args=[job.pk]))
    assert progress["HX-Refresh"] == "true" and "已处理 2 / 2 行" in progress.content.decode()


def test_non_xlsx_upload_shows_a_clear_message(owner, client_for):
    from imports_factories import upload

    user, org = owner
    c = client_for(user)
    response = _upload(c, org, upload(b"a,b\n1,2\n", "needs.xlsx"))
    assert "不是 xlsx 格式" in c.get(response["Location"]).content.decode()


def test_running_job_page_polls_its_progress_partial(owner, client_for):
    user, org = owner
    job = ImportJob.objects.create(
        spec_key="needs",
        owner=org,
        original_name="a.xlsx",
        created_by=user,
        status=ImportJob.Status.RUNNING,
        total_rows=1000,
        processed_rows=250,
    )
    page = client_for(user).get(reverse("imports:job", args=[job.pk])).content.decode()
    assert (
        f'hx-get="{reverse("imports:job_progress", args=[job.pk])}"' in page
        and 'hx-trigger="every 1s"' in page
    )
    assert "width: 25%" in page


def test_only_members_of_the_owner_may_import_or_see_the_job(owner, client_for, xlsx):
    user, org = owner
    outsider = UserFactory()
    MembershipFactory(user=outsider, organization=OrganizationFactory())
    c = client_for(outsider)
    response = _upload(c, org, xlsx([need_row("XQ-1")]))
    assert response.status_code == 200 and "owner" in response.context["form"].errors
    _upload(client_for(user), org, xlsx([need_row("XQ-1")]))
    job = ImportJob.objects.get()
    assert c.get(reverse("imports:job", args=[job.pk])).status_code == 404
    assert c.post(reverse("imports:job_confirm", args=[job.pk])).status_code == 404
    assert Need.objects.count() == 0


def test_operator_may_confirm_a_members_upload(owner, client_for, xlsx, operator):
    user, org = owner
    _upload(client_for(user), org, xlsx([need_row("XQ-1")]))
    job = ImportJob.objects.get()
    client_for(operator).post(reverse("imports:job_confirm", args=[job.pk]))
    assert Need.objects.filter(owner=org, external_key="XQ-1").exists()


def test_export_endpoint_applies_list_filters_and_visibility(owner, client_for, xlsx):
    user, org = owner
    c = client_for(user)
    _upload(c, org, xlsx([need_row("XQ-1"), need_row("XQ-2", 需求类型="人才需求")]))
    c.post(reverse("imports:job_confirm", args=[ImportJob.objects.get().pk]))
    response = c.get(reverse("imports:export_csv", args=["needs"]), {"kind": "talent"})
    text = response.content.decode("utf-8-sig")
    header, *lines = text.splitlines()
    # The external key is exported to those who may edit the item (so the file can be imported back);
    # contacts and confidential details stay out unless asked for.
    assert response["Content-Type"].startswith("text/csv") and header.startswith("外部编号,")
    assert "联系人" not in header and "保密详情" not in header
    assert len(lines) == 1 and lines[0].startswith("XQ-2,") and "低温性能提升XQ-2" in lines[0]
    stranger = client_for(UserFactory()).get(reverse("imports:export_xlsx", args=["needs"]))
    ws = openpyxl.load_workbook(io.BytesIO(stranger.content)).active
    assert ws.max_row == 1  # drafts of another organisation are not exported
