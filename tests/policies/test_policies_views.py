"""The pages and the API: the list with filters, the operator's rule builder (preview with match count and
contradiction warnings), "符合条件的政策", applying from the detail page, the bureau's pages and the API."""

import pytest
from django.urls import reverse
from policy_helpers import policy_data

from techmarket.policies import services
from techmarket.policies.models import Policy, PolicyApplication

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(operator, rd_rules, enterprise, django_capture_on_commit_callbacks):
    policy, _w = services.policy_create(acting_user=operator, rules=rd_rules, **policy_data())
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_move(policy=policy, action="publish", acting_user=operator)
    return policy


def _form(**over):
    data = {
        "title": "临沂市技术合同奖补",
        "issuer": "临沂市科学技术局",
        "level": "municipal",
        "region": "371300",
        "support_type": "award",
        "summary": "对吸纳技术的企业给予奖补。",
        "max_amount": "200000",
        "allows_application": "on",
        "rules-TOTAL_FORMS": "2",
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
        "rules-0-fact": "total_staff",
        "rules-0-op": "gte",
        "rules-0-values": "5",
        "rules-1-fact": "total_staff",
        "rules-1-op": "lte",
        "rules-1-values": "3",
    }
    data.update(over)
    return data


def test_public_list_filters_and_export(client, published, member):
    response = client.get(reverse("policies:list"), {"level": "municipal", "q": "研发"})
    assert response.status_code == 200 and "临沂市企业研发投入后补助" in response.content.decode()
    response = client.get(reverse("policies:list"), {"level": "national"})
    assert "没有符合条件的政策" in response.content.decode()
    client.force_login(member)
    export = client.get(reverse("policies:export"))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_operator_preview_counts_matches_and_warns_before_saving(client, operator, enterprise):
    client.force_login(operator)
    page = client.post(reverse("policies:create"), _form(preview="1")).content.decode()
    assert "既要求 ≥ 5人 又要求 ≤ 3人" in page
    assert "当前符合条件的企业 0 家" in page
    assert not Policy.objects.unscoped().exists()
    ok = _form(preview="1", **{"rules-1-op": "lte", "rules-1-values": "300"})
    page = client.post(reverse("policies:create"), ok).content.decode()
    assert "当前符合条件的企业 1 家" in page and "临沂博创新材料有限公司" in page


def test_operator_saves_with_a_warning_then_publishes(
    client, operator, enterprise, member, django_capture_on_commit_callbacks
):
    client.force_login(operator)
    response = client.post(reverse("policies:create"), _form(save="1"), follow=True)
    assert "条件可能永远无法满足" in response.content.decode()
    policy = Policy.objects.unscoped().get()
    assert policy.rules.count() == 2 and policy.status == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("policies:action", args=[policy.pk, "publish"]), {"expected_state": "draft"})
    policy.refresh_from_db()
    assert policy.status == "published"


def test_bad_form_input_saves_nothing(client, operator):
    client.force_login(operator)
    response = client.post(reverse("policies:create"), _form(save="1", **{"rules-0-values": "很多"}))
    assert response.status_code == 200
    assert "第 1 条条件：“职工总数”的取值“很多”不是数字。" in response.content.decode()
    assert not Policy.objects.unscoped().exists()


def test_others_cannot_open_the_form(client, member):
    client.force_login(member)
    assert client.get(reverse("policies:create")).status_code == 403


def test_enterprise_sees_reasons_applies_and_the_bureau_approves(
    client, published, member, bureau, enterprise
):
    client.force_login(member)
    page = client.get(reverse("policies:detail", args=[published.pk])).content.decode()
    assert "符合申报条件" in page and "研发投入占比 4.5% ≥ 3% ✓" in page and "提交申请" in page
    qualify = client.get(reverse("policies:qualify")).content.decode()
    assert "临沂市企业研发投入后补助" in qualify and "最高可获 50 万元" in qualify
    response = client.post(
        reverse("policies:apply", args=[published.pk]),
        {
            "organization": enterprise.pk,
            "requested_amount": "600000",
            "statement": "研发投入增量 300 万元，申请后补助。",
            "contact_phone": "0539-8123456",
        },
    )
    assert response.status_code == 422 and "超过该政策单个企业最高" in response.content.decode()
    assert not PolicyApplication.objects.unscoped().exists()
    response = client.post(
        reverse("policies:apply", args=[published.pk]),
        {
            "organization": enterprise.pk,
            "requested_amount": "300000",
            "statement": "研发投入增量 300 万元，申请后补助。",
            "contact_phone": "0539-8123456",
        },
    )
    application = PolicyApplication.objects.unscoped().get()
    assert response.status_code == 302
    client.force_login(bureau)
    listing = client.get(reverse("policies:applications")).content.decode()
    assert "临沂博创新材料有限公司" in listing and "按政策汇总" in listing
    too_much = client.post(
        reverse("policies:application_action", args=[application.pk, "approve"]),
        {"approved_amount": "500001", "expected_state": "pending"},
    )
    assert too_much.status_code == 422 and "超过" in too_much.content.decode()
    client.post(
        reverse("policies:application_action", args=[application.pk, "approve"]),
        {"approved_amount": "280000", "expected_state": "pending"},
    )
    application.refresh_from_db()
    assert application.status == "approved" and str(application.approved_amount) == "280000.00"


def test_stranger_cannot_open_an_application(client, published, member, other_member, enterprise):
    a = services.application_open(
        policy=published, organization=enterprise, acting_user=member, requested_amount="1000",
        statement="研发投入增量 300 万元，申请后补助。", contact_phone="0539-8123456",
    )  # fmt: skip
    client.force_login(other_member)
    assert client.get(reverse("policies:application", args=[a.pk])).status_code == 404
    assert (
        client.post(
            reverse("policies:application_action", args=[a.pk, "approve"]), {"approved_amount": "1"}
        ).status_code
        == 404
    )


def test_api_lists_qualifies_and_reports_figures(client, published, member, enterprise, bureau):
    body = client.get("/api/policies").json()
    assert body["items"][0]["title"] == "临沂市企业研发投入后补助"
    assert "研发投入占比 ≥ 3%" in body["items"][0]["rules"]
    client.force_login(member)
    found = client.get(f"/api/policies/qualify/{enterprise.pk}").json()
    assert found[0]["eligible"] and "研发投入占比 4.5% ≥ 3% ✓" in found[0]["reasons"]
    response = client.post(
        f"/api/policies/{published.pk}/apply",
        {
            "organization_id": enterprise.pk,
            "requested_amount": "900000",
            "statement": "研发投入增量 300 万元。",
            "contact_phone": "0539",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert client.get("/api/policies/figures").status_code == 403  # amounts are the bureau's
    client.force_login(bureau)
    figures = client.get("/api/policies/figures").json()
    assert figures["policies_published"] == 1 and figures["pushes"] == 1 and figures["applications"] == 0


def test_qualify_page_counts_platform_contracts_without_showing_them(
    client, operator, member, django_capture_on_commit_callbacks
):
    rules = [
        {"fact": "contracts", "op": "gte", "values": ["1"]},
        {"fact": "patents", "op": "gte", "values": ["1"]},
    ]
    policy, _w = services.policy_create(
        acting_user=operator, rules=rules, **policy_data(title="技术合同交易奖补")
    )
    services.policy_move(policy=policy, action="publish", acting_user=operator)
    client.force_login(member)
    page = client.get(reverse("policies:qualify")).content.decode()
    assert "暂无完全符合条件的政策" in page
    detail = client.get(reverse("policies:detail", args=[policy.pk])).content.decode()
    assert "平台登记技术合同数 0份 &lt; 1份 ✗" in detail or "平台登记技术合同数 0份 < 1份 ✗" in detail


def test_application_ledger_export_holds_what_each_side_may_see_neutralised_and_audited(
    client, published, member, other_member, bureau, enterprise
):
    import io

    from openpyxl import load_workbook

    from techmarket.audit.models import AuditLog

    a = services.application_open(
        policy=published, organization=enterprise, acting_user=member, requested_amount="300000",
        statement="研发投入增量 300 万元，申请后补助。", contact_phone="0539-8123456",
    )  # fmt: skip
    services.application_approve(
        application=a, acting_user=bureau, approved_amount="280000", note='=HYPERLINK("x")'
    )

    def rows(user, **params):
        client.force_login(user)
        response = client.get(reverse("policies:applications_export"), params)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(response.content)).active
        return [list(r) for r in sheet.iter_rows(values_only=True)]

    bureau_rows = rows(bureau)
    header = bureau_rows[0]
    assert header[:3] == ["申请编号", "申请日期", "政策"] and len(bureau_rows) == 2
    row = dict(zip(header, bureau_rows[1], strict=True))
    assert row["申请企业"] == "临沂博创新材料有限公司" and row["状态"] == "已核定"
    assert row["核定金额（元）"] == 280000 and row["申请金额（元）"] == 300000
    assert not str(row["处理意见"]).startswith("=")  # a formula typed as a reason stays text
    assert len(rows(member)) == 2  # the enterprise sees its own application
    assert len(rows(other_member)) == 1  # another enterprise: the header only
    assert len(rows(bureau, status="rejected")) == 1  # the list's filters apply
    assert AuditLog.objects.filter(action="policies.application.export").count() == 4
    client.logout()
    assert client.get(reverse("policies:applications_export")).status_code == 302
