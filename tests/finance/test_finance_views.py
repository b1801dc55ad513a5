"""Finance pages: list with search and filters, the apply form showing the refusals next to the fields,
the points page for the enterprise only, the ranking and figures for the bureau."""

from decimal import Decimal as D

import pytest
from django.test import Client
from finance_helpers import W, product_data

from techmarket.finance import services
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
    assert "金额 10 万元超出该产品的额度范围（50–1000 万元），请调整。" in response.content.decode()
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
