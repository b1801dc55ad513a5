"""Finance pages: list with search and filters, the apply form showing the refusals next to the fields,
the points page for the enterprise only, the ranking and figures for the bureau."""

from decimal import Decimal as D
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from finance_helpers import W, product_data
from openpyxl import load_workbook

from techmarket.finance import services
from techmarket.finance.export import HEADERS
from techmarket.finance.models import DataConsent, LoanApplication, ProductKind

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_list_searches_and_filters_by_kind_and_amount(product, guarantor, guarantor_admin, user):
    g = services.product_create(
        acting_user=guarantor_admin, provider=guarantor,
        data=product_data(name="科技担保", kind=ProductKind.GUARANTEE, min_rate="0.5", max_rate="1.5",
                          min_amount=100 * W, max_amount=2000 * W),
    )  # fmt: skip
    c = _client(user)
    loan_link, guarantee_link = f'href="/finance/{product.pk}/"', f'href="/finance/{g.pk}/"'
    body = c.get("/finance/").content.decode()
    assert loan_link in body and guarantee_link in body
    body = c.get("/finance/?kind=guarantee").content.decode()
    assert guarantee_link in body and loan_link not in body
    body = c.get("/finance/?amount_wan=1500").content.decode()  # only the guarantee goes up to 2000 万元
    assert guarantee_link in body and loan_link not in body
    assert "没有符合条件的金融产品" in c.get("/finance/?q=不存在的产品").content.decode()
    assert Client().get("/finance/").status_code == 200


def test_the_apply_form_shows_range_and_consent_errors_and_saves_nothing(product, ent_admin, enterprise):
    c = _client(ent_admin)
    response = c.post(
        f"/finance/{product.pk}/apply/",
        {"organization": enterprise.pk, "amount_wan": "10", "term_months": "24", "purpose": "中试线建设",
         "consent_items": ["profile"]},
    )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200
    assert "请阅读并勾选数据授权" in body
    assert not LoanApplication.objects.unscoped().exists() and not DataConsent.objects.unscoped().exists()
    response = c.post(
        f"/finance/{product.pk}/apply/",
        {"organization": enterprise.pk, "amount_wan": "10", "term_months": "24", "purpose": "中试线建设",
         "consent_items": ["profile"], "consent_confirmed": "on"},
    )  # fmt: skip
    assert "金额 10 万元超出该产品的额度范围（50 万元–1,000 万元），请调整。" in response.content.decode()
    assert not LoanApplication.objects.unscoped().exists()
    response = c.post(
        f"/finance/{product.pk}/apply/",
        {"organization": enterprise.pk, "amount_wan": "300", "term_months": "24", "purpose": "中试线建设",
         "consent_items": ["profile"], "consent_confirmed": "on"},
    )  # fmt: skip
    application = LoanApplication.objects.unscoped().get()
    assert response.status_code == 302 and response["Location"] == f"/finance/applications/{application.pk}/"
    assert application.amount == D("3000000.00")


def test_points_pages_are_for_the_enterprise_and_operators_rankings_for_the_bureau(
    indicators, enterprise, ent_admin, bank_admin, bureau_user, operator
):
    services.points_recompute(organization=enterprise, reason="初算")
    assert "每一分的说明" in _client(ent_admin).get(f"/finance/points/{enterprise.pk}/").content.decode()
    assert _client(operator).get(f"/finance/points/{enterprise.pk}/").status_code == 200
    assert _client(bank_admin).get(f"/finance/points/{enterprise.pk}/").status_code == 404
    assert _client(bank_admin).get(f"/api/finance/points/{enterprise.pk}").status_code == 404
    assert _client(bureau_user).get(f"/finance/points/{enterprise.pk}/").status_code == 200
    ranking = _client(bureau_user).get("/finance/points/ranking/")
    assert ranking.status_code == 200 and enterprise.name in ranking.content.decode()
    assert _client(ent_admin).get("/finance/points/ranking/").status_code == 403
    assert _client(bureau_user).get("/finance/figures/").status_code == 200
    assert _client(bank_admin).get("/finance/figures/").status_code == 403


def test_the_loan_ledger_exports_what_each_side_may_see_with_the_decision_and_the_loan(
    product, apply_to, bank_admin, ent_admin, other_bank_admin, other_enterprise, other_ent_admin
):
    granted = apply_to(product)
    services.loan_decide(
        application=granted, acting_user=bank_admin, approve=True, reason="积分与流水良好",
        amount=200 * W, rate="3.85", term_months=24,
    )  # fmt: skip
    services.loan_grant(
        application=granted, acting_user=bank_admin, amount=200 * W, granted_on=timezone.localdate()
    )
    apply_to(product, amount=80 * W, purpose='=HYPERLINK("http://x")购置中试设备')

    def rows(user, query=""):
        response = _client(user).get("/finance/applications/export.xlsx" + query)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(BytesIO(response.content)).active
        return [list(r) for r in sheet.iter_rows(values_only=True)]

    table = rows(bank_admin)
    assert table[0] == HEADERS and len(table) == 3
    by_amount = {r[HEADERS.index("申请额度（元）")]: r for r in table[1:]}
    loan = by_amount[3000000]  # asked 300 万, granted 200 万
    assert loan[HEADERS.index("申请企业")] == "临沂锂享新能源科技有限公司"
    assert loan[HEADERS.index("状态")] == "已批准" and loan[HEADERS.index("批准年利率/费率（%）")] == 3.85
    assert loan[HEADERS.index("批准额度（元）")] == loan[HEADERS.index("放款/担保金额（元）")] == 2000000
    assert loan[HEADERS.index("放款日期")].date() == timezone.localdate()
    assert by_amount[800000][HEADERS.index("资金用途")].startswith("'=HYPERLINK")  # never run as a formula
    assert len(rows(bank_admin, "?status=pending")) == 2
    assert len(rows(ent_admin)) == 3
    assert rows(other_bank_admin) == [HEADERS]  # another bank sees none of them
    assert rows(other_ent_admin) == [HEADERS]
