"""Catalogue journeys in Chromium: review with send-back, Excel import with a bad row, confidentiality."""

import io
from pathlib import Path

import pytest
from factories import PASSWORD_FOR_BROWSER, MembershipFactory, OrganizationFactory, UserFactory, make_operator
from openpyxl import load_workbook

from techmarket.achievements.models import Achievement
from techmarket.catalog.models import ListingStatus
from techmarket.needs.models import Need
from techmarket.orgs.models import Organization, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, username):  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名或邮箱").fill(username)
    page.get_by_label("密码").fill(PASSWORD_FOR_BROWSER)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="工作台", exact=True).wait_for()


def _parameter(page, row, indicator, target, unit):  # type: ignore[no-untyped-def]
    """Fill one row of the technical-parameter table (指标 / 目标值 / 单位)."""
    page.get_by_label("指标", exact=True).nth(row).fill(indicator)
    page.get_by_label("目标值", exact=True).nth(row).fill(target)
    page.get_by_label("单位", exact=True).nth(row).fill(unit)


def _member(org, username, role=Role.ORG_ADMIN):  # type: ignore[no-untyped-def]
    user = UserFactory(username=username, password=PASSWORD_FOR_BROWSER)
    MembershipFactory(user=user, organization=org, role=role)
    return user


def test_need_is_sent_back_fixed_published_and_found_by_search(live_server, page, screenshot):  # type: ignore[no-untyped-def]
    base = live_server.url
    org = OrganizationFactory(name="临沂鑫源新材料有限公司")
    _member(org, "xinyuan")
    make_operator(username="op", password=PASSWORD_FOR_BROWSER)

    _login(page, base, "xinyuan")
    page.goto(base + "/needs/new/")
    page.get_by_label("标题").fill("磷酸铁锂电池正极材料低温性能提升")
    page.get_by_label("公开摘要").fill("寻求提升正极材料 -20℃ 放电容量保持率的改性技术")
    page.get_by_label("技术难题").fill("低温下容量衰减明显")
    _parameter(page, 0, "-20℃容量保持率", "≥85", "%")
    page.get_by_role("button", name="保存并提交审核").click()
    page.get_by_text("需求已提交审核").wait_for()
    need = Need.objects.get()
    assert need.status == ListingStatus.PENDING

    _login(page, base, "op")
    page.goto(base + "/needs/review/")
    page.get_by_role("link", name="磷酸铁锂电池正极材料低温性能提升").click()
    send_back = page.locator("form", has=page.get_by_role("button", name="退回整改"))
    send_back.get_by_label("原因（必填，所有者可见）").fill("请补充测试倍率和循环次数")
    send_back.get_by_role("button", name="退回整改").click()
    page.get_by_text("需整改").first.wait_for()
    screenshot("10-need-sent-back")

    _login(page, base, "xinyuan")
    page.goto(f"{base}/needs/{need.pk}/")
    assert "请补充测试倍率和循环次数" in page.locator("main").inner_text()
    page.get_by_role("link", name="修改需求").click()
    _parameter(page, 0, "-20℃容量保持率（0.5C）", "≥85", "%")
    page.get_by_role("button", name="＋ 添加一项指标").click()
    _parameter(page, 1, "循环寿命", "≥3000", "次")
    page.get_by_role("button", name="保存并提交审核").click()
    page.get_by_text("修改已保存并提交审核").wait_for()

    _login(page, base, "op")
    page.goto(f"{base}/needs/{need.pk}/")
    page.get_by_role("button", name="审核通过并发布").click()
    page.get_by_text("已发布").first.wait_for()

    page.context.clear_cookies()
    page.goto(base + "/needs/")
    page.get_by_label("关键词").fill("锂电池")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="磷酸铁锂电池正极材料低温性能提升").wait_for()
    assert "共 1 条需求" in page.locator("main").inner_text()
    screenshot("11-need-found-by-search")


def test_university_imports_achievements_after_fixing_the_bad_row(live_server, page, screenshot, tmp_path):  # type: ignore[no-untyped-def]
    base = live_server.url
    uni = OrganizationFactory(name="沂蒙科技大学", kind=Organization.Kind.UNIVERSITY)
    _member(uni, "tto")
    _login(page, base, "tto")
    page.goto(base + "/imports/achievements/")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载科技成果导入模板（.xlsx）").click()
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]

    def row(key, title, ip):  # type: ignore[no-untyped-def]
        values = {
            "外部编号": key,
            "标题": title,
            "公开摘要": f"{title}：实验室验证完成",
            "关键词": "陶瓷膜、低温烧结",
            "技术成熟度（TRL）": 5,
            "所处阶段": "小试",
            "转化方式": "转让、普通许可",
            "面议": "是",
            "知识产权": ip,
        }
        return [values.get(h) for h in headers]

    for r in range(sheet.max_row, 1, -1):
        sheet.delete_rows(r)
    sheet.append(
        row("YM-001", "碳化硅陶瓷膜低温烧结技术", "发明专利|ZL202310123456.6|一种陶瓷膜制备方法|已授权|")
    )
    sheet.append(
        row("YM-002", "玄武岩纤维界面改性技术", "发明专利|ZL202310123456.5|一种纤维改性方法|已授权|")
    )
    bad = tmp_path / "成果.xlsx"
    workbook.save(bad)

    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(bad))
    page.get_by_role("button", name="上传并预览").click()
    errors = page.locator("#import-errors")
    errors.wait_for()
    text = errors.inner_text()
    assert "3" in text and "知识产权" in text and "应为 6" in text
    assert Achievement.objects.count() == 0
    screenshot("12-import-row-error")

    sheet.cell(
        row=3,
        column=headers.index("知识产权") + 1,
        value="发明专利|ZL202310123456.6|一种纤维改性方法|已授权|",
    )
    workbook.save(bad)
    page.get_by_role("link", name="改正后重新上传").click()
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(bad))
    page.get_by_role("button", name="上传并预览").click()
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("导入完成").first.wait_for()
    assert Achievement.objects.filter(owner=uni).count() == 2
    screenshot("13-import-done")


def test_visitor_sees_only_the_public_summary_of_a_confidential_need(live_server, page, screenshot):  # type: ignore[no-untyped-def]
    org = OrganizationFactory()
    need = Need.objects.create(
        owner=org,
        title="高韧性立方氮化硼单晶研制",
        summary="开发高韧性 CBN 新牌号",
        problem="抗冲击韧性不足",
        confidential_detail="触媒配方：Li3N 与 Ca3N2 比例 3:1",
        status=ListingStatus.PUBLISHED,
        is_anonymous=True,
    )
    page.goto(f"{live_server.url}/needs/{need.pk}/")
    main = page.locator("main").inner_text()
    assert "开发高韧性 CBN 新牌号" in main
    assert "Li3N" not in main and org.name not in main and "匿名发布机构" in main
    assert "该需求包含保密详情" in main
    screenshot("14-visitor-confidential-need")
