"""Attachments: checked by content and size, visible only with their object, every download audited."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from factories import OrganizationFactory, make_broker, make_operator, make_org_admin

from techmarket.audit.models import AuditLog
from techmarket.catalog.models import Visibility
from techmarket.catalog.workflow import listing_transition
from techmarket.documents.models import DocumentVersion
from techmarket.documents.registry import registered_labels
from techmarket.documents.selectors import documents_visible_to
from techmarket.documents.services import document_upload
from techmarket.needs import services as need_services

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def private_store(tmp_path):
    from django.core.files.storage import FileSystemStorage

    field = DocumentVersion._meta.get_field("file")
    saved = field.storage
    field.storage = FileSystemStorage(location=str(tmp_path))
    yield tmp_path
    field.storage = saved


@pytest.fixture
def need_setup():
    org = OrganizationFactory()
    owner = make_org_admin(org)
    need = need_services.need_create(
        acting_user=owner,
        owner=org,
        title="钢渣综合利用技术",
        summary="摘要",
        problem="钢渣堆存占地",
        cooperation_modes=["joint"],
        visibility=Visibility.BROKERS,
    )
    listing_transition(item=need, action="submit", acting_user=owner)
    listing_transition(item=need, action="publish", acting_user=make_operator())
    return need, owner


def upload(name, content):
    return SimpleUploadedFile(name, content)


def test_owner_uploads_a_pdf_and_a_new_version_with_a_note(need_setup, private_store):
    need, owner = need_setup
    v1 = document_upload(obj=need, acting_user=owner, upload=upload("工艺说明.pdf", PDF), title="工艺说明")
    v2 = document_upload(
        obj=need,
        acting_user=owner,
        upload=upload("工艺说明-修订.pdf", PDF + b"%rev2"),
        document=v1.document,
        note="补充了试验数据",
    )
    assert (v1.number, v2.number, v2.note, v2.kind) == (1, 2, "补充了试验数据", "pdf")
    assert v1.document_id == v2.document_id
    stored = private_store / v2.file.name
    assert stored.exists() and "工艺说明" not in v2.file.name  # the uploader's name never becomes a path
    assert AuditLog.objects.filter(action="documents.document.upload").count() == 2


def test_an_exe_renamed_pdf_is_refused_by_its_content(need_setup):
    need, owner = need_setup
    with pytest.raises(ValidationError) as exc:
        document_upload(obj=need, acting_user=owner, upload=upload("报价单.pdf", EXE))
    assert "可执行程序" in exc.value.message_dict["file"][0]
    assert not DocumentVersion.objects.exists()


def test_a_png_named_pdf_is_refused_with_the_real_type(need_setup):
    need, owner = need_setup
    with pytest.raises(ValidationError, match="文件内容是 PNG"):
        document_upload(obj=need, acting_user=owner, upload=upload("图纸.pdf", PNG))


def test_office_files_are_recognised_by_content(need_setup):
    need, owner = need_setup
    version = document_upload(obj=need, acting_user=owner, upload=upload("合作方案.docx", docx_bytes()))
    assert version.kind == "docx"


def test_a_file_over_the_size_limit_is_refused(need_setup, settings):
    need, owner = need_setup
    settings.DOCUMENTS_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match="超过上限"):
        document_upload(obj=need, acting_user=owner, upload=upload("大文件.pdf", PDF + b"0" * 2000))


def test_only_who_may_edit_the_object_may_upload(need_setup):
    need, owner = need_setup
    with pytest.raises(PermissionDenied):
        document_upload(obj=need, acting_user=make_broker(), upload=upload("a.pdf", PDF))


def test_attachments_follow_the_objects_visibility_per_role(need_setup):
    need, owner = need_setup  # visible to brokers and the platform only
    public = document_upload(obj=need, acting_user=owner, upload=upload("简介.pdf", PDF)).document
    secret = document_upload(
        obj=need, acting_user=owner, upload=upload("图纸.png", PNG), is_confidential=True
    ).document
    from django.contrib.auth.models import AnonymousUser

    assert documents_visible_to(AnonymousUser(), need) == []
    assert documents_visible_to(make_org_admin(), need) == []  # another enterprise
    assert documents_visible_to(make_broker(), need) == [public]  # sees the need, not its secrets
    assert set(documents_visible_to(owner, need)) == {public, secret}
    assert set(documents_visible_to(make_operator(), need)) == {public, secret}


def test_download_is_permission_checked_and_audited(need_setup, client):
    need, owner = need_setup
    version = document_upload(obj=need, acting_user=owner, upload=upload("简介.pdf", PDF))
    url = reverse("documents:download", args=[version.pk])
    assert client.get(url).status_code == 404  # anonymous: the need is hidden
    client.force_login(make_org_admin())
    assert client.get(url).status_code == 404
    assert not AuditLog.objects.filter(action="documents.document.download").exists()
    broker = make_broker()
    client.force_login(broker)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    record = AuditLog.objects.get(action="documents.document.download")
    assert record.actor == broker and record.after["version"] == 1


def test_upload_view_and_the_panel_on_the_detail_page(need_setup, client):
    need, owner = need_setup
    client.force_login(owner)
    detail = reverse("needs:detail", args=[need.pk])
    response = client.post(
        reverse("documents:upload", args=["needs.need", need.pk]),
        {"file": upload("测试报告.pdf", PDF), "title": "第三方测试报告", "note": "首版", "next": detail},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == detail
    page = response.content.decode()
    assert "第三方测试报告" in page and "上传附件" in page
    listing = client.get(reverse("documents:list", args=["needs.need", need.pk])).content.decode()
    assert "首版" in listing and "v1" in listing


def test_upload_view_refuses_bad_content_with_a_message(need_setup, client):
    need, owner = need_setup
    client.force_login(owner)
    response = client.post(
        reverse("documents:upload", args=["needs.need", need.pk]),
        {"file": upload("setup.pdf", EXE)},
        follow=True,
    )
    assert "改扩展名无效" in response.content.decode()
    assert not DocumentVersion.objects.exists()


def test_models_without_a_policy_have_no_attachment_pages(client, need_setup):
    assert {"needs.need", "achievements.achievement", "experts.expert"} <= set(registered_labels())
    client.force_login(make_operator())
    assert client.get(reverse("documents:list", args=["orgs.organization", 1])).status_code == 404


def test_files_are_not_under_a_public_media_url(settings):
    # (the embedded default's var/private/documents is checked in tests/config with the dev settings)
    location = str(settings.STORAGES["documents"]["OPTIONS"]["location"])
    assert location == str(settings.DOCUMENTS_ROOT)
    assert not location.startswith(str(settings.MEDIA_ROOT))
    assert not location.startswith(str(settings.STATIC_ROOT))
