"""Loan applications: consent before any data reaches a bank, who sees applications (other banks, other
enterprises, the bureau's totals), amounts and terms outside a product's ranges refused with a clear message,
nothing half-saved; decisions with reasons and terms; loans granted and counted."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.utils import timezone
from finance_helpers import W, product_data

from techmarket.audit.models import AuditLog
from techmarket.finance import figures_data, selectors, services
from techmarket.finance.models import DataConsent, FinanceProduct, Loan, LoanApplication, ProductKind
from techmarket.orgs.models import EnterpriseProfile
from techmarket.orgs.profile_selectors import can_see_enterprise_figures

pytestmark = pytest.mark.django_db


def _nothing_saved():
    assert not LoanApplication.objects.unscoped().exists()
    assert not DataConsent.objects.unscoped().exists()
    assert not AuditLog.objects.filter(action__startswith="finance.consent").exists()


def test_without_consent_nothing_is_saved_and_the_bank_sees_nothing(product, apply_to, bank_admin):
    with pytest.raises(ValidationError) as exc:
        apply_to(product, consent_confirmed=False)
    assert "未经授权，银行看不到贵企业的任何信息" in str(exc.value)
    with pytest.raises(ValidationError, match="至少授权银行查看企业画像"):
        apply_to(product, consent_items=["points"])
    _nothing_saved()
    assert not selectors.applications_visible_to(bank_admin).exists()


def test_consent_is_recorded_who_when_which_before_the_application(product, apply_to, ent_admin, bank):
    application = apply_to(product)
    consent = application.consent
    assert (consent.organization, consent.recipient, consent.granted_by) == (
        application.organization,
        bank,
        ent_admin,
    )
    assert consent.items == ["profile", "points"]
    assert consent.granted_at <= application.created_at
    actions = list(
        AuditLog.objects.filter(action__startswith="finance.").order_by("pk").values_list("action", flat=True)
    )
    assert actions.index("finance.consent.grant") < actions.index("finance.loan_application.request")


def test_the_bank_sees_only_the_items_consented_to_and_nothing_after_withdrawal(
    product, apply_to, enterprise, ent_admin, bank_officer
):
    EnterpriseProfile.objects.create(organization=enterprise, total_staff=80, rd_staff_count=20)
    application = apply_to(product, consent_items=["profile"])
    assert not can_see_enterprise_figures(bank_officer, enterprise)  # the profile page stays closed to banks
    shared = selectors.shared_data(
        bank_officer, selectors.application_get_visible(bank_officer, application.pk)
    )
    assert set(shared) == {"profile"} and shared["profile"].total_staff == 80
    c = Client()
    c.force_login(bank_officer)
    assert c.get(f"/api/finance/applications/{application.pk}/points").status_code == 404
    services.loan_withdraw(application=application, acting_user=ent_admin)
    fresh = selectors.application_get_visible(bank_officer, application.pk)
    assert fresh.consent.revoked_at is not None
    assert selectors.shared_data(bank_officer, fresh) == {}
    assert AuditLog.objects.filter(action="finance.consent.revoke").exists()


def test_points_go_to_the_bank_with_consent_with_every_line_explained(
    product, apply_to, bank_officer, ent_admin
):
    application = apply_to(product, consent_items=["profile", "points"])
    c = Client()
    c.force_login(bank_officer)
    body = c.get(f"/api/finance/applications/{application.pk}/points").json()
    assert body["total"] == "0.00" or D(body["total"]) == D("0")
    assert any(line["text"].startswith("授权发明专利 0 件 × 5 分") for line in body["lines"])
    page = c.get(f"/finance/applications/{application.pk}/")
    assert page.status_code == 200 and "授权发明专利 0 件 × 5 分 = 0 分（上限 20）" in page.content.decode()


def test_who_sees_loan_applications(
    product, apply_to, bank_officer, other_bank_admin, other_ent_admin, operator, bureau_user, guarantor_admin
):
    application = apply_to(product)
    assert list(selectors.applications_visible_to(bank_officer)) == [application]
    for outsider in (other_bank_admin, other_ent_admin, bureau_user, guarantor_admin):
        assert not selectors.applications_visible_to(outsider).exists()
        with pytest.raises(Http404):
            selectors.application_get_visible(outsider, application.pk)
        c = Client()
        c.force_login(outsider)
        assert c.get(f"/finance/applications/{application.pk}/").status_code == 404
        assert c.get(f"/api/finance/applications/{application.pk}").status_code == 404
    assert list(selectors.applications_visible_to(operator)) == [application]
    # the bureau sees the totals
    c = Client()
    c.force_login(bureau_user)
    figures = c.get("/api/finance/figures").json()
    assert figures["applications"] == 1
    assert figures["by_provider"][0]["applications"] == 1
    assert Client().get("/api/finance/figures").status_code in (401, 403)


def test_amounts_and_terms_outside_the_range_are_refused_and_nothing_is_saved(product, apply_to):
    with pytest.raises(ValidationError) as exc:
        apply_to(product, amount=10 * W, term_months=48)
    errors = exc.value.message_dict
    assert errors["amount"] == ["金额 10 万元超出该产品的额度范围（50 万元–1,000 万元），请调整。"]
    assert errors["term_months"] == ["期限 48 个月超出该产品的期限范围（6–36 个月）。"]
    _nothing_saved()


def test_a_points_bar_not_met_is_refused_with_the_points_named(bank, bank_admin, apply_to, indicators):
    product = services.product_create(
        acting_user=bank_admin, provider=bank, data=product_data(min_points=D("20"))
    )
    with pytest.raises(ValidationError, match="贵企业当前创新积分 0 分，低于该产品要求的 20 分"):
        apply_to(product)
    _nothing_saved()


def test_the_bank_approves_within_ranges_with_a_reason_or_declines_with_one(
    product, apply_to, bank_officer, other_bank_admin, operator
):
    application = apply_to(product)
    for stranger in (other_bank_admin, operator):
        with pytest.raises(PermissionDenied):
            services.loan_decide(
                application=application, acting_user=stranger, approve=True, reason="同意", amount=300 * W,
                rate="4", term_months=24,
            )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.loan_decide(
            application=application, acting_user=bank_officer, approve=True, reason="同意", amount=1200 * W,
            rate="5", term_months=24,
        )  # fmt: skip
    assert "超出该产品的额度范围（50 万元–1,000 万元）" in exc.value.message_dict["approved_amount"][0]
    assert exc.value.message_dict["approved_rate"] == ["利率/费率 5% 超出该产品的范围（3.45%–4.35%）。"]
    fresh = LoanApplication.objects.unscoped().get(pk=application.pk)
    assert fresh.status == LoanApplication.Status.PENDING and fresh.approved_amount is None
    with pytest.raises(ValidationError, match="请填写审批意见"):
        services.loan_decide(
            application=application, acting_user=bank_officer, approve=True, reason="", amount=300 * W, rate="4",
            term_months=24,
        )  # fmt: skip
    approved = services.loan_decide(
        application=application, acting_user=bank_officer, approve=True, reason="积分达标，同意授信。",
        amount=250 * W, rate="3.85", term_months=24,
    )  # fmt: skip
    assert approved.status == LoanApplication.Status.APPROVED
    assert (approved.approved_amount, approved.approved_rate, approved.approved_term_months) == (
        D("2500000.00"),
        D("3.85"),
        24,
    )
    assert approved.decision_note == "积分达标，同意授信。" and approved.decided_by == bank_officer
    assert AuditLog.objects.filter(action="finance.loan_application.approve").count() == 1


def test_declining_needs_a_reason(product, apply_to, bank_officer):
    application = apply_to(product)
    with pytest.raises(ValidationError):
        services.loan_decide(application=application, acting_user=bank_officer, approve=False, reason="")
    declined = services.loan_decide(
        application=application, acting_user=bank_officer, approve=False, reason="纳税信用等级不足"
    )
    assert declined.status == LoanApplication.Status.REJECTED


def test_a_loan_granted_is_recorded_once_within_the_approval_and_counted(product, apply_to, bank_officer):
    application = apply_to(product)
    with pytest.raises(ValidationError, match="只有已批准的申请"):
        services.loan_grant(
            application=application, acting_user=bank_officer, amount=100 * W, granted_on=timezone.localdate()
        )
    services.loan_decide(
        application=application, acting_user=bank_officer, approve=True, reason="同意", amount=200 * W,
        rate="4", term_months=12,
    )  # fmt: skip
    application = LoanApplication.objects.unscoped().get(pk=application.pk)
    with pytest.raises(ValidationError) as exc:
        services.loan_grant(
            application=application, acting_user=bank_officer, amount=300 * W,
            granted_on=timezone.localdate() + timedelta(days=1),
        )  # fmt: skip
    assert exc.value.message_dict["amount"] == ["放款金额应大于 0 且不超过批准额度 200 万元。"]
    assert exc.value.message_dict["granted_on"] == ["放款日期不能晚于今天。"]
    assert not Loan.objects.unscoped().exists()
    loan = services.loan_grant(
        application=application, acting_user=bank_officer, amount=200 * W, granted_on=timezone.localdate()
    )
    assert (loan.amount, loan.term_months, loan.rate) == (D("2000000.00"), 12, D("4.00"))
    with pytest.raises(ValidationError, match="已登记过放款"):
        services.loan_grant(
            application=application, acting_user=bank_officer, amount=100 * W, granted_on=timezone.localdate()
        )
    summary = figures_data.summary()
    assert (summary["loans"], summary["loan_amount_wan"], summary["guarantees"]) == (1, D("200.00"), 0)
    assert summary["by_product"][0]["granted"] == 1


def test_products_check_who_publishes_what_and_their_ranges(
    bank, bank_admin, bank_officer, guarantor, guarantor_admin, indicators
):
    with pytest.raises(PermissionDenied):
        services.product_create(acting_user=bank_officer, provider=bank, data=product_data())
    with pytest.raises(ValidationError) as exc:
        services.product_create(
            acting_user=bank_admin, provider=bank,
            data=product_data(kind=ProductKind.GUARANTEE, min_amount=500 * W, max_amount=100 * W),
        )  # fmt: skip
    assert exc.value.message_dict["kind"] == ["银行不能发布融资担保产品，请选择贷款类产品。"]
    assert exc.value.message_dict["max_amount"] == ["最高额度不能低于最低额度。"]
    with pytest.raises(ValidationError, match="融资担保机构只能发布融资担保产品"):
        services.product_create(acting_user=guarantor_admin, provider=guarantor, data=product_data())
    assert not FinanceProduct.objects.unscoped().exists()
    g = services.product_create(
        acting_user=guarantor_admin, provider=guarantor,
        data=product_data(name="科技担保", kind=ProductKind.GUARANTEE, min_rate="0.5", max_rate="1.5"),
    )  # fmt: skip
    assert g.is_guarantee


def test_closed_products_leave_the_list_but_stay_with_their_provider(product, bank_admin, user):
    services.product_set_status(product=product, acting_user=bank_admin, status=FinanceProduct.Status.CLOSED)
    assert not selectors.product_list_visible_to(user).exists()
    assert list(selectors.product_list_visible_to(bank_admin)) == [product]


def test_the_api_refuses_an_application_without_consent(product, ent_admin, enterprise):
    c = Client()
    c.force_login(ent_admin)
    response = c.post(
        f"/api/finance/{product.pk}/applications",
        data={"organization_id": enterprise.pk, "amount": "3000000", "term_months": 24, "purpose": "中试线建设",
              "consent_items": ["profile"], "consent_confirmed": False},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 422
    assert "未经授权" in response.content.decode()
    _nothing_saved()


def test_the_bank_downloads_the_shared_points_while_consent_stands_and_not_after(
    product, apply_to, bank_officer, ent_admin, other_bank_admin
):
    import io

    from openpyxl import load_workbook

    application = apply_to(product, consent_items=["profile", "points"])
    url = f"/finance/applications/{application.pk}/points.xlsx"
    c = Client()
    c.force_login(bank_officer)
    assert "下载积分明细（xlsx）" in c.get(f"/finance/applications/{application.pk}/").content.decode()
    response = c.get(url)
    assert response.status_code == 200
    rows = [list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    assert rows[0][:2] == ["企业", application.organization.name]
    assert rows[6][:2] == ["指标组", "指标"]
    assert any(str(r[7]).startswith("授权发明专利 0 件 × 5 分") for r in rows[7:])
    assert AuditLog.objects.filter(
        action="finance.application.points_export", target_id=str(application.pk)
    ).exists()
    c.force_login(other_bank_admin)
    assert c.get(url).status_code == 404  # another bank does not see the application at all
    services.loan_withdraw(application=application, acting_user=ent_admin)
    c.force_login(bank_officer)
    refused = c.get(url)
    assert refused.status_code == 403


def test_points_not_consented_cannot_be_downloaded(product, apply_to, bank_officer):
    application = apply_to(product, consent_items=["profile"])
    c = Client()
    c.force_login(bank_officer)
    assert c.get(f"/finance/applications/{application.pk}/points.xlsx").status_code == 403
