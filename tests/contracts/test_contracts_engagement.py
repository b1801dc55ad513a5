"""Contracts recorded from an engagement: its parties only, its brokers see and submit them."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from factories import OrganizationFactory, make_broker

from techmarket.contracts import services
from techmarket.contracts.models import TechContract
from techmarket.contracts.selectors import contract_list_visible_to
from techmarket.engagements.models import Engagement

from .conftest import make_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(university, enterprise):
    broker = make_broker()
    engagement = Engagement.objects.create(
        title="不锈钢表面处理对接", demand_org=enterprise, supply_org=university, lead_broker=broker
    )
    return engagement, broker


def test_broker_records_a_contract_between_the_engagement_parties_and_sees_it(deal, university, enterprise):
    engagement, broker = deal
    c = make_contract(
        seller=university, buyer=enterprise, acting_user=broker, owner=university, engagement=engagement
    )
    assert c.engagement == engagement
    assert list(contract_list_visible_to(broker)) == [c]
    assert not contract_list_visible_to(make_broker()).exists()
    services.contract_move(contract=c, action="submit", acting_user=broker)
    assert c.status == TechContract.Status.SUBMITTED
    with pytest.raises(PermissionDenied):
        services.contract_move(
            contract=c,
            action="register",
            acting_user=broker,
            registration_number="R",
            registered_on=c.signed_on,
        )


def test_party_outside_the_engagement_is_refused_and_nothing_written(deal, university):
    engagement, broker = deal
    stranger = OrganizationFactory(name="临沂无关贸易有限公司")
    with pytest.raises(ValidationError) as info:
        make_contract(
            seller=university, buyer=stranger, acting_user=broker, owner=university, engagement=engagement
        )
    assert "临沂无关贸易有限公司”不是该对接项目的参与方" in info.value.message_dict["parties"][0]
    assert TechContract.objects.count() == 0


def test_broker_of_another_engagement_cannot_record_in_a_party_name(deal, university, enterprise):
    engagement, _broker = deal
    with pytest.raises(PermissionDenied):
        make_contract(
            seller=university,
            buyer=enterprise,
            acting_user=make_broker(),
            owner=university,
            engagement=engagement,
        )


def test_create_page_from_engagement_prefills_and_limits_parties(deal, client, university, enterprise):
    engagement, broker = deal
    client.force_login(broker)
    page = client.get(f"/contracts/new/?engagement={engagement.pk}")
    form = page.context["form"]
    assert form.initial["seller_org"] == university.pk and form.initial["buyer_org"] == enterprise.pk
    assert set(form.fields["buyer_org"].queryset) == {university, enterprise}
    from .conftest import contract_type

    response = client.post(
        f"/contracts/new/?engagement={engagement.pk}",
        {
            "title": engagement.title,
            "contract_type": contract_type().pk,
            "signed_on": "2026-03-02",
            "total_amount": "400000",
            "deductions": "",
            "payment_mode": "lump_sum",
            "owner": university.pk,
            "seller_org": university.pk,
            "buyer_org": enterprise.pk,
        },
    )
    assert response.status_code == 302
    created = TechContract.objects.get()
    assert created.engagement == engagement and created.technical_amount == Decimal("400000.00")
    client.force_login(make_broker())
    assert client.get(f"/contracts/new/?engagement={engagement.pk}").status_code == 404


def test_engagement_page_lists_its_contracts_and_offers_recording(deal, client, university, enterprise):
    engagement, broker = deal
    c = make_contract(
        seller=university, buyer=enterprise, acting_user=broker, owner=university, engagement=engagement
    )
    client.force_login(broker)
    page = client.get(f"/engagements/{engagement.pk}/").content.decode()
    assert f"/contracts/{c.pk}/" in page
    assert f"/contracts/new/?engagement={engagement.pk}" in page


def test_broker_performance_counts_contracts_and_amounts(deal, university, enterprise, operator):
    from techmarket.engagements.performance import PerformanceParams, broker_performance

    engagement, broker = deal
    make_contract(
        seller=university,
        buyer=enterprise,
        acting_user=broker,
        owner=university,
        engagement=engagement,
        total="1000000",
        deductions=[("设备", "250000")],
    )
    refused = make_contract(
        seller=university,
        buyer=enterprise,
        acting_user=broker,
        owner=university,
        engagement=engagement,
        total="50000",
        title="被退回的合同",
    )
    services.contract_move(contract=refused, action="submit", acting_user=broker)
    services.contract_move(contract=refused, action="refuse", acting_user=operator, reason="技术内容不足")
    report = broker_performance(PerformanceParams())
    labels = [str(label) for label in report["extra_labels"]]
    row = next(r for r in report["rows"] if r["broker"] == broker)
    values = dict(zip(labels, row["extra"], strict=True))
    assert values["合同数"] == 1
    assert values["合同成交额（万元）"] == Decimal("100.00")
    assert values["技术交易额（万元）"] == Decimal("75.00")


def test_a_broker_without_contracts_reads_0_00_in_the_amount_columns(deal):
    from techmarket.engagements.performance import PerformanceParams, broker_performance

    _engagement, broker = deal
    report = broker_performance(PerformanceParams())
    labels = [str(label) for label in report["extra_labels"]]
    values = dict(zip(labels, next(r for r in report["rows"] if r["broker"] == broker)["extra"], strict=True))
    assert values["合同数"] == 0
    assert (
        str(values["合同成交额（万元）"]) == "0.00" and str(values["技术交易额（万元）"]) == "0.00"
    )  # was "0"
    assert str(dict(zip(labels, report["total"]["extra"], strict=True))["合同成交额（万元）"]) == "0.00"


def test_contract_page_links_back_to_its_engagement(deal, client, university, enterprise):
    engagement, broker = deal
    c = make_contract(
        seller=university, buyer=enterprise, acting_user=broker, owner=university, engagement=engagement
    )
    client.force_login(broker)
    page = client.get(f"/contracts/{c.pk}/").content.decode()
    assert f'href="/engagements/{engagement.pk}/"' in page
