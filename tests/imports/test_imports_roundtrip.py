"""Issue 10: a complete preview, no-op re-imports, the marked-up error file, export → re-import, drafts
submitted in bulk, the template's rules and example row."""

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_operator
from imports_factories import achievement_row, build_xlsx, need_row, upload

from techmarket.achievements.models import Achievement
from techmarket.achievements.services import achievement_transition
from techmarket.achievements.validators import validate_patent_number
from techmarket.audit.models import AuditLog
from techmarket.catalog.models import ListingStatus
from techmarket.imports import services
from techmarket.imports.markup import BAD_FILL
from techmarket.imports.models import ImportJob
from techmarket.imports.specs import all_specs, get_spec
from techmarket.imports.template import EXAMPLE_TITLE, build_template
from techmarket.orgs.models import Organization, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def aspec():
    return get_spec("achievements")


@pytest.fixture
def university(db):
    org = OrganizationFactory(kind=Organization.Kind.UNIVERSITY)
    admin = UserFactory()
    MembershipFactory(user=admin, organization=org, role=Role.ORG_ADMIN)
    return admin, org


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _messy_rows() -> list[dict]:
    """Twelve rows in the shapes a transfer office's sheet really has, six of them wrong."""
    rows = [achievement_row(f"CG-{i}") for i in range(1, 13)]
    rows[0].update(
        {
            "标题": "冰箱",
            "公开摘要": "第一段<br>第二段，<i>in vitro</i> 验证",  # real and accepted
            "关键词": "machine learning、deep neural networks、锂电池",
        }
    )
    rows[1]["技术成熟度（TRL）"] = "十"  # a cell error
    rows[2]["报价（万元）"] = "五十万"  # a cell error
    rows[3]["知识产权"] = "发明专利|ZL202310123456.7|一种正极材料包覆方法|已授权"  # check digit: service
    rows[4]["公开摘要"] = "<script>alert(1)</script>"  # dangerous markup: service
    rows[5]["标题"] = "冰"  # too short: service
    rows[6]["外部编号"] = "CG-1"  # duplicated external key: cell
    rows[7].update(
        {"技术成熟度（TRL）": "7级", "报价（万元）": "５０万元", "所在地区": "３７０１０２"}
    )  # normalised
    return rows


def test_large_file_preview_lists_exactly_the_errors_the_import_reports(
    aspec, owner, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_ROWS = 5  # the file is "large": checked in the background
    user, org = owner
    content = build_xlsx(aspec, _messy_rows())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job, _preview = services.import_job_create(
            spec=aspec, upload=upload(content, "a.xlsx"), acting_user=user, owner=org
        )
    assert len(callbacks) == 1
    job.refresh_from_db()
    previewed = [(e["row"], e["column"], e["problem"]) for e in job.error_report]
    result = services.import_commit(aspec, upload(content, "a.xlsx"), acting_user=user, owner=org)
    assert previewed == [(e.row, e.column, e.problem) for e in result.errors]
    assert sorted({row for row, _c, _p in previewed}) == [3, 4, 5, 6, 7, 8]
    # Before: service checks (check digit, markup, title length) were skipped for large files.
    assert {(5, "知识产权"), (6, "公开摘要"), (7, "标题")} <= {(r, c) for r, c, _p in previewed}
    assert job.status == ImportJob.Status.FAILED and Achievement.objects.count() == 0

    fixed = [row for n, row in enumerate(_messy_rows()) if n not in (1, 2, 3, 4, 5, 6)]
    result = services.import_commit(aspec, upload(build_xlsx(aspec, fixed)), acting_user=user, owner=org)
    assert result.ok and result.created == 6, result.errors
    fridge = Achievement.objects.get(external_key="CG-1")
    assert fridge.title == "冰箱" and fridge.summary == "第一段\n第二段，in vitro 验证"
    assert fridge.keywords == ["machine learning", "deep neural networks", "锂电池"]
    eighth = Achievement.objects.get(external_key="CG-8")
    assert (eighth.trl, eighth.asking_price_wan, eighth.region_id) == (7, 50, "370102")


def test_unchanged_reimport_writes_nothing_and_keeps_a_published_item_published(
    aspec, owner, client_for_owner
):
    user, org = owner
    rows = [
        achievement_row(
            "CG-1", 知识产权="发明专利|zl 2023 1012 3456.6|一种正极材料包覆方法|已授权|2043年5月1日"
        ),
        achievement_row("CG-2"),
    ]
    content = build_xlsx(aspec, rows)
    assert services.import_commit(aspec, upload(content), acting_user=user, owner=org).created == 2
    item = Achievement.objects.get(external_key="CG-1")
    ip = item.ip_rights.get()
    assert ip.number == "ZL202310123456.6" and str(ip.expiry_date) == "2043-05-01"
    achievement_transition(achievement=item, action="submit", acting_user=user)
    achievement_transition(achievement=item, action="publish", acting_user=make_operator())
    item.refresh_from_db()
    stamp, audits = item.updated_at, AuditLog.objects.count()

    c = client_for_owner
    c.post(reverse("imports:upload", args=["achievements"]), {"owner": org.pk, "file": upload(content)})
    job = ImportJob.objects.latest("pk")
    assert (job.status, job.new_rows, job.update_rows, job.unchanged_rows) == ("preview", 0, 0, 2)
    page = c.post(reverse("imports:job_confirm", args=[job.pk]), follow=True).content.decode()
    assert "更新 0 条" in page and "未变 2 条" in page
    item.refresh_from_db()
    assert item.status == ListingStatus.PUBLISHED and item.updated_at == stamp
    assert item.ip_rights.get().pk == ip.pk  # the patent list was not rewritten
    new = AuditLog.objects.order_by("pk")[audits:]
    # Only the job's own records: its upload, its workflow moves (one each) and the commit; no item record.
    assert [a.action for a in new] == [
        "imports.job.upload",
        "imports.job.check_passed",
        "imports.job.confirm",
        "imports.job.start",
        "imports.job.commit",
        "imports.job.succeed",
    ]


@pytest.fixture
def client_for_owner(owner):
    return _client(owner[0])


@pytest.mark.parametrize("spec_key", ["needs", "achievements"])
def test_export_then_reimport_is_a_no_op(spec_key, owner, client_for_owner):
    user, org = owner
    spec = get_spec(spec_key)
    row = need_row if spec_key == "needs" else achievement_row
    rows = [row("K-1"), row("K-2", 所在地区="３７０１０２")]
    assert (
        services.import_commit(spec, upload(build_xlsx(spec, rows)), acting_user=user, owner=org).created == 2
    )
    c = client_for_owner
    mine = c.get(reverse(f"{spec_key}:mine")).content.decode()
    export_url = f"{reverse('imports:export_xlsx', args=[spec_key])}?owner={org.pk}&amp;confidential=1"
    assert export_url in mine  # 本机构的需求/成果 has an export button
    exported = c.get(
        reverse("imports:export_xlsx", args=[spec_key]),
        {"owner": org.pk, "confidential": "1", "status": "draft"},
    )
    ws = openpyxl.load_workbook(io.BytesIO(exported.content)).active
    assert ws["A1"].value == "外部编号" and sorted(c.value for c in ws["A"][1:]) == ["K-1", "K-2"]
    c.post(
        reverse("imports:upload", args=[spec_key]),
        {"owner": org.pk, "file": upload(exported.content, "e.xlsx")},
    )
    job = ImportJob.objects.latest("pk")
    assert job.status == "preview" and (job.new_rows, job.update_rows, job.unchanged_rows) == (0, 0, 2), (
        job.error_report
    )
    audits = AuditLog.objects.count()
    c.post(reverse("imports:job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.update_rows) == ("succeeded", 0)
    assert list(AuditLog.objects.order_by("pk")[audits:].values_list("action", flat=True)) == [
        "imports.job.confirm",
        "imports.job.start",
        "imports.job.commit",
        "imports.job.succeed",
    ]
    # The status and owner filters of the export: nothing is pending, another owner has nothing.
    pending = c.get(reverse("imports:export_xlsx", args=[spec_key]), {"owner": org.pk, "status": "pending"})
    assert openpyxl.load_workbook(io.BytesIO(pending.content)).active.max_row == 1
    other = c.get(reverse("imports:export_xlsx", args=[spec_key]), {"owner": OrganizationFactory().pk})
    assert openpyxl.load_workbook(io.BytesIO(other.content)).active.max_row == 1


def test_marked_up_error_workbook_has_a_comment_on_each_bad_cell(aspec, owner, client_for_owner):
    user, org = owner
    rows = _messy_rows()
    rows[9]["技术优势"] = "长" * 10_000
    c = client_for_owner
    c.post(
        reverse("imports:upload", args=["achievements"]),
        {"owner": org.pk, "file": upload(build_xlsx(aspec, rows), "成果.xlsx")},
    )
    job = ImportJob.objects.get()
    page = c.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert reverse("imports:job_errors", args=[job.pk]) in page
    assert "（共 10000 字）" in page and "<code" in page  # values shown as typed, with their length
    response = c.get(reverse("imports:job_errors", args=[job.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    ws = wb[aspec.title]
    headers = [cell.value for cell in ws[1]]
    assert headers[-1] == "错误说明"
    assert len(job.error_report) >= 7
    for error in job.error_report:
        cell = ws.cell(row=error["row"], column=headers.index(error["column"]) + 1)
        assert cell.comment is not None and error["problem"] in cell.comment.text, error
        assert cell.fill.fgColor.rgb.endswith(BAD_FILL.fgColor.rgb[-6:])
        assert ws.cell(row=error["row"], column=len(headers)).value
    assert ws.cell(row=3, column=headers.index("技术成熟度（TRL）") + 1).value == "十"  # as typed
    good = ws.cell(row=2, column=headers.index("标题") + 1)
    assert good.value == "冰箱" and good.comment is None
    assert wb["错误清单"].max_row == len(job.error_report) + 1
    assert _client(UserFactory()).get(reverse("imports:job_errors", args=[job.pk])).status_code == 404


def test_drafts_are_submitted_for_review_in_bulk(aspec, owner, client_for_owner):
    user, org = owner
    rows = [
        achievement_row("CG-1"),
        achievement_row("CG-2"),
        achievement_row("CG-3", **{"报价（万元）": None}),
    ]
    services.import_commit(aspec, upload(build_xlsx(aspec, rows)), acting_user=user, owner=org)
    c = client_for_owner
    response = c.post(reverse("imports:drafts_submit", args=["achievements"]), {"owner": org.pk}, follow=True)
    page = response.content.decode()
    assert "已提交审核 2 条" in page and "报价" in page
    statuses = dict(Achievement.objects.values_list("external_key", "status"))
    assert statuses == {"CG-1": "pending", "CG-2": "pending", "CG-3": "draft"}
    stranger = _client(UserFactory())
    assert (
        stranger.post(reverse("imports:drafts_submit", args=["achievements"]), {"owner": org.pk}).status_code
        == 302
    )
    assert Achievement.objects.filter(status="pending").count() == 2


def _example_workbook(spec) -> bytes:
    """The two example rows of the template's 填写说明, copied into a data sheet."""
    sheet = openpyxl.load_workbook(io.BytesIO(build_template(spec)))["填写说明"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    start = next(i for i, row in enumerate(rows) if row[0] == EXAMPLE_TITLE)
    header, example = rows[start + 1], rows[start + 2]
    assert header == [c.header for c in spec.columns]
    return build_xlsx(spec, [dict(zip(header, example, strict=True))])


@pytest.mark.parametrize("spec_key", sorted(all_specs()))
def test_template_example_row_passes_and_the_rules_are_listed(spec_key, university):
    admin, org = university
    spec = get_spec(spec_key)
    result = services.import_commit(spec, upload(_example_workbook(spec)), acting_user=admin, owner=org)
    assert result.ok and result.created == 1, result.errors
    text = "\n".join(
        str(c.value)
        for row in openpyxl.load_workbook(io.BytesIO(build_template(spec)))["填写说明"].iter_rows()
        for c in row
        if c.value
    )
    for rule in (
        "2026年6月30日",
        "50万元",
        "全角",
        "<br>",
        "<script>",
        "、",
        "校验位",
        "标题至少 2 个字",
        "不超过",
    ):
        assert rule in text, rule


def test_template_example_patent_number_passes_the_check_digit(aspec):
    example = next(c.example for c in aspec.columns if c.header == "知识产权")
    assert validate_patent_number(example.split("|")[1], ip_type="invention") == "ZL202310123456.6"


def test_workspace_links_enterprises_to_the_needs_import_and_universities_to_achievements(owner, university):
    enterprise_page = _client(owner[0]).get(reverse("core:workspace")).content.decode()
    assert reverse("imports:upload", args=["needs"]) in enterprise_page
    assert reverse("imports:upload", args=["achievements"]) not in enterprise_page
    university_page = _client(university[0]).get(reverse("core:workspace")).content.decode()
    assert reverse("imports:upload", args=["achievements"]) in university_page


def test_expert_import_result_has_no_draft_message(university):
    admin, org = university
    espec = get_spec("experts")
    c = _client(admin)
    c.post(
        reverse("imports:upload", args=["experts"]),
        {"owner": org.pk, "file": upload(_example_workbook(espec), "experts.xlsx")},
    )
    job = ImportJob.objects.get()
    page = c.post(reverse("imports:job_confirm", args=[job.pk]), follow=True).content.decode()
    assert "新增 1 条" in page and "草稿" not in page
    need_admin = UserFactory()
    MembershipFactory(user=need_admin, organization=org, role=Role.MEMBER)
    c2 = _client(need_admin)
    c2.post(
        reverse("imports:upload", args=["needs"]),
        {"owner": org.pk, "file": upload(_example_workbook(get_spec("needs")))},
    )
    needs_page = c2.post(
        reverse("imports:job_confirm", args=[ImportJob.objects.latest("pk").pk]), follow=True
    )
    assert "草稿" in needs_page.content.decode()
