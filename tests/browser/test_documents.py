"""Attachments in Chromium: the owner uploads a file with a note from the need page; a renamed program is refused."""

from pathlib import Path

import pytest
from factories import PASSWORD_FOR_BROWSER, MembershipFactory, OrganizationFactory, UserFactory

from techmarket.documents.models import DocumentVersion
from techmarket.needs import services as need_services
from techmarket.orgs.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_attaches_a_report_and_a_renamed_program_is_refused(live_server, page, screenshot, tmp_path):  # type: ignore[no-untyped-def]
    base = live_server.url
    org = OrganizationFactory(name="临沂钢铁集团有限公司")
    owner = UserFactory(username="gangtie", password=PASSWORD_FOR_BROWSER)
    MembershipFactory(user=owner, organization=org, role=Role.ORG_ADMIN)
    need = need_services.need_create(
        acting_user=owner,
        owner=org,
        title="钢渣综合利用技术",
        summary="钢渣堆存占地",
        problem="钢渣活性低",
        cooperation_modes=["joint"],
    )
    report = Path(tmp_path) / "检测报告.pdf"
    report.write_bytes(b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    program = Path(tmp_path) / "报价单.pdf"
    program.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200)

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名或邮箱").fill("gangtie")
    page.get_by_label("密码").fill(PASSWORD_FOR_BROWSER)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="工作台", exact=True).wait_for()

    page.goto(f"{base}/needs/{need.pk}/")
    page.get_by_text("上传附件").click()
    page.get_by_label("文件").set_input_files(str(report))
    page.get_by_label("版本说明").fill("第三方检测，首版")
    page.get_by_role("button", name="上传", exact=True).click()
    page.get_by_text("已上传“检测报告”第 1 版。").wait_for()
    assert page.get_by_role("link", name="检测报告").is_visible()
    screenshot("documents-need-panel")

    page.get_by_text("上传附件").click()
    page.get_by_label("文件").set_input_files(str(program))
    page.get_by_role("button", name="上传", exact=True).click()
    page.get_by_text("改扩展名无效").wait_for()
    screenshot("documents-refused")
    assert DocumentVersion.objects.count() == 1
