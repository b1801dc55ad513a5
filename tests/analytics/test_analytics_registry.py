"""Every domain's figures reach the bureau's dashboard the same way: the apps merged later (finance, policies,
vouchers, investors) register their indicators in a dashboard group, their figures are pre-aggregated like the
others', and the dashboard, the headline download and the API list them."""

import importlib

import pytest
from django.apps import apps
from factories import make_bureau

from techmarket.analytics import facts, indicators

pytestmark = pytest.mark.django_db
LATER = ("finance", "policies", "vouchers", "investors")


def test_every_figures_module_registers_indicators_in_a_dashboard_group():
    grouped = {ind.key for _group, members in indicators.groups() for ind in members}
    for config in apps.get_app_configs():
        if not config.name.startswith("techmarket."):
            continue
        try:
            importlib.import_module(f"{config.name}.figures")
        except ModuleNotFoundError:
            continue
        own = [i for i in indicators.all_indicators() if i.key.startswith(f"{config.label}.")]
        if config.label in LATER:
            assert own, config.label
        assert all(i.key in grouped for i in own), config.label  # none left off the dashboard
    for label in LATER:
        assert all(facts.factable(i) for i in indicators.all_indicators() if i.key.startswith(f"{label}."))


def test_dashboard_headline_download_and_api_show_the_later_domains(client):
    client.force_login(make_bureau())
    page = client.get("/analytics/").content.decode()
    for heading in (
        "金融服务",
        "政策直达",
        "创新券与投资",
        "发放贷款",
        "直达快享申请",
        "发放创新券",
        "投资意向",
    ):
        assert heading in page, heading
    keys = {row["key"] for row in client.get("/api/statistics/figures").json()["headlines"]}
    for label in LATER:
        assert any(key.startswith(f"{label}.") for key in keys), label
    for key in (
        "finance.loan_amount",
        "policies.paid_amount",
        "vouchers.settled_amount",
        "investors.arranged",
    ):
        assert client.get(f"/analytics/?indicator={key}").status_code == 200, key
