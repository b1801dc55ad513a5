"""Investments made after an arranged interest: recorded by the fund's staff only, seen by both sides, counted
in the figures (by fund and by round, per period) and in the figures API; bad input saves nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_broker, make_operator

from techmarket.analytics.indicators import get as indicator
from techmarket.audit.models import AuditLog
from techmarket.investors import figures, selectors, services
from techmarket.investors.models import Interest, Investment, Stage
from techmarket.orgs.models import Organization, Role
from techmarket.reference.models import Industry

pytestmark = pytest.mark.django_db


def _member(org, role=Role.MEMBER):
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=role)
    return user


def _fund(investor, user, name):
    return services.fund_save(
        acting_user=user,
        manager=investor,
        data={
            "name": name,
            "stages": [Stage.ANGEL, Stage.A],
            "ticket_min": Decimal("1000000"),
            "ticket_max": Decimal("10000000"),
        },
    )


@pytest.fixture
def investor(db):
    return OrganizationFactory(name="沂蒙创新投资有限公司", kind=Organization.Kind.INVESTOR)


@pytest.fixture
def inv_user(investor):
    return _member(investor, Role.ORG_ADMIN)


@pytest.fixture
def fund(investor, inv_user):
    return _fund(investor, inv_user, "新材料天使基金")


@pytest.fixture
def enterprise():
    return OrganizationFactory(name="临沂新材料科技有限公司", industry=Industry.objects.get(pk="30"))


@pytest.fixture
def ent_user(enterprise):
    return _member(enterprise)


def _engaged(fund, inv_user, enterprise, ent_user, title="高性能陶瓷扩产项目"):
    seeking = services.seeking_create(
        acting_user=ent_user,
        organization=enterprise,
        title=title,
        amount="5000000",
        stage=Stage.A,
        use_of_funds="扩建中试线、补充流动资金",
    )
    interest = services.interest_express(acting_user=inv_user, fund=fund, seeking=seeking)
    return services.interest_engage(interest=interest, acting_user=make_broker())


@pytest.fixture
def interest(fund, inv_user, enterprise, ent_user):
    return _engaged(fund, inv_user, enterprise, ent_user)


def _record(user, interest, **kw):
    data = {"amount": "3000000", "invested_on": timezone.localdate(), "stage": Stage.A, "note": "首期"}
    data.update(kw)
    return services.investment_record(acting_user=user, interest=interest, **data)


def test_the_funds_staff_record_an_investment_with_an_audit_record(interest, inv_user, ent_user):
    inv = _record(inv_user, interest)
    assert inv.amount == Decimal("3000000") and inv.fund == interest.fund and inv.target == interest.target
    log = AuditLog.objects.get(action="investors.investment.create", target_id=str(inv.pk))
    assert log.after["amount"] == "3000000" and log.after["stage"] == Stage.A
    # both sides see the record; nobody else does one by one
    assert list(selectors.investments_visible_to(inv_user)) == [inv]
    assert list(selectors.investments_visible_to(ent_user)) == [inv]
    for other in (make_operator(), make_broker(), _member(OrganizationFactory())):
        assert not selectors.investments_visible_to(other).exists()


def test_only_the_funds_organisation_records_investments(interest, ent_user):
    for user in (ent_user, make_operator(), make_broker(), _member(OrganizationFactory())):
        with pytest.raises(PermissionDenied):
            _record(user, interest)
    assert not Investment.objects.unscoped().exists()


def test_an_interest_not_arranged_takes_no_investment(fund, inv_user, enterprise, ent_user):
    seeking = services.seeking_create(
        acting_user=ent_user, organization=enterprise, title="储能材料项目", amount="2000000",
        stage=Stage.ANGEL, use_of_funds="研发投入与设备采购",
    )  # fmt: skip
    interest = services.interest_express(acting_user=inv_user, fund=fund, seeking=seeking)
    with pytest.raises(ValidationError, match="已立项对接或已安排路演"):
        _record(inv_user, interest)
    services.interest_move(interest=interest, action="withdraw", acting_user=inv_user)
    with pytest.raises(ValidationError):
        _record(inv_user, interest)
    assert not Investment.objects.unscoped().exists()


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"amount": "0"}, "amount", "投资金额必须大于 0 元"),
        ({"amount": "-5"}, "amount", "投资金额必须大于 0 元"),
        ({"amount": "abc"}, "amount", "投资金额必须是数字"),
        ({"amount": "1.234"}, "amount", "最多两位小数"),
        ({"invested_on": "2026-13-40"}, "invested_on", "请填写投资日期"),
        ({"invested_on": ""}, "invested_on", "请填写投资日期"),
        ({"stage": "z"}, "stage", "请选择投资轮次"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_saves_nothing(interest, inv_user, kw, field, message):
    with pytest.raises(ValidationError) as exc:
        _record(inv_user, interest, **kw)
    assert message in " ".join(exc.value.message_dict[field])
    assert not Investment.objects.unscoped().exists()
    assert not AuditLog.objects.filter(action="investors.investment.create").exists()


def test_a_future_date_is_refused(interest, inv_user):
    with pytest.raises(ValidationError) as exc:
        _record(inv_user, interest, invested_on=timezone.localdate() + timedelta(days=1))
    assert exc.value.message_dict["invested_on"] == ["投资日期不能晚于今天。"]
    assert not Investment.objects.unscoped().exists()


@pytest.fixture
def book(interest, fund, investor, inv_user, enterprise, ent_user):
    """Hand-built: fund A invests 3,000,000 (A 轮, 2026-01-10) and 1,000,000.50 (天使轮, 2026-03-05); fund B
    invests 2,000,000 (A 轮, 2026-03-20) in a second enterprise."""
    other_fund = _fund(investor, inv_user, "成长基金")
    second = OrganizationFactory(name="临沂储能科技有限公司")
    other = _engaged(other_fund, inv_user, second, _member(second), title="储能电池扩产项目")
    _record(inv_user, interest, amount="3000000", invested_on=date(2026, 1, 10), stage=Stage.A)
    _record(inv_user, interest, amount="1000000.50", invested_on=date(2026, 3, 5), stage=Stage.ANGEL)
    _record(inv_user, other, amount="2000000", invested_on=date(2026, 3, 20), stage=Stage.A)
    return fund, other_fund


def test_figures_by_fund_and_by_stage_per_period(book):
    fund, other_fund = book
    rows = Investment.objects.unscoped()
    assert figures.investments_by_fund(rows) == [
        {"fund_id": fund.pk, "fund": fund.name, "manager": fund.manager.name, "investments": 2,
         "amount": Decimal("4000000.50")},
        {"fund_id": other_fund.pk, "fund": other_fund.name, "manager": fund.manager.name, "investments": 1,
         "amount": Decimal("2000000")},
    ]  # fmt: skip
    march = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
    assert [
        (r["fund"], r["investments"], r["amount"]) for r in figures.investments_by_fund(rows, **march)
    ] == [
        (other_fund.name, 1, Decimal("2000000")),
        (fund.name, 1, Decimal("1000000.50")),
    ]
    assert [(r["stage"], r["investments"], r["amount"]) for r in figures.investments_by_stage(rows)] == [
        (Stage.ANGEL, 1, Decimal("1000000.50")),
        (Stage.A, 2, Decimal("5000000")),
    ]
    assert [(r["stage"], r["investments"]) for r in figures.investments_by_stage(rows, **march)] == [
        (Stage.ANGEL, 1),
        (Stage.A, 1),
    ]
    assert indicator("investors.investments").date_field == "invested_on"
    assert indicator("investors.invested").sum_field == "amount"


def test_figures_api_totals_for_operators_and_bureau_own_rows_for_the_parties(book, ent_user, client):
    fund, other_fund = book
    url = "/api/investors/figures/investments"
    operator = make_operator()
    client.force_login(operator)
    body = client.get(url, {"start": "2026-03-01", "end": "2026-03-31"}).json()
    assert [(r["fund"], r["investments"], Decimal(r["amount"])) for r in body["by_fund"]] == [
        (other_fund.name, 1, Decimal("2000000")),
        (fund.name, 1, Decimal("1000000.50")),
    ]
    assert [(r["label"], r["investments"]) for r in body["by_stage"]] == [("天使轮", 1), ("A 轮", 1)]
    # the first enterprise sees only the investments it received
    ent = Client()
    ent.force_login(ent_user)
    body = ent.get(url).json()
    assert [(r["fund"], r["investments"]) for r in body["by_fund"]] == [(fund.name, 2)]
    # a broker sees no amounts
    broker = Client()
    broker.force_login(make_broker())
    assert broker.get(url).json()["by_fund"] == []
    assert client.get(url, {"start": "2026-03-31", "end": "2026-03-01"}).status_code in (400, 422)


def test_the_page_shows_the_form_to_the_fund_and_the_record_to_the_enterprise(interest, inv_user, ent_user):
    page = reverse("investors:interest_detail", args=[interest.pk])
    post = reverse("investors:investment_record", args=[interest.pk])
    fund_side = Client()
    fund_side.force_login(inv_user)
    assert 'data-testid="investment-form"' in fund_side.get(page).content.decode()
    bad = fund_side.post(post, {"amount": "0", "invested_on": "2026-01-10", "stage": Stage.A})
    assert bad.status_code == 422 and "投资金额必须大于 0 元" in bad.content.decode()
    assert not Investment.objects.unscoped().exists()
    ok = fund_side.post(post, {"amount": "3000000", "invested_on": "2026-01-10", "stage": Stage.A})
    assert ok.status_code == 302 and Investment.objects.unscoped().count() == 1
    ent = Client()
    ent.force_login(ent_user)
    html = ent.get(page).content.decode()
    assert '<td class="text-end">300.00</td>' in html and 'data-testid="investment-form"' not in html
    assert ent.post(post, {"amount": "1", "invested_on": "2026-01-10", "stage": Stage.A}).status_code == 403
    seeking_html = ent.get(reverse("investors:seeking_detail", args=[interest.seeking_id])).content.decode()
    assert '<td class="text-end">300.00</td>' in seeking_html
    assert Investment.objects.unscoped().count() == 1
    assert interest.status == Interest.Status.ENGAGED


def test_the_api_records_and_lists_investments_with_the_pages_rules(interest, inv_user, ent_user):
    url = f"/api/investors/interests/{interest.pk}/investments"
    payload = {"amount": "2500000", "invested_on": "2026-02-01", "stage": Stage.A, "note": "首期"}
    fund_side = Client()
    fund_side.force_login(inv_user)
    bad = fund_side.post(url, {**payload, "amount": "0"}, content_type="application/json")
    assert bad.status_code in (400, 422) and "投资金额必须大于 0 元" in bad.content.decode()
    assert not Investment.objects.unscoped().exists()
    ok = fund_side.post(url, payload, content_type="application/json")
    assert ok.status_code == 201, ok.content
    body = ok.json()
    assert Decimal(body["amount"]) == Decimal("2500000") and body["stage_label"] == "A 轮"
    assert body["fund"] == interest.fund.name and body["target_id"] == interest.target_id
    assert AuditLog.objects.filter(action="investors.investment.create", target_id=str(body["id"])).exists()
    # the enterprise sees the record but cannot record one; an outsider sees neither the interest nor its rows
    ent = Client()
    ent.force_login(ent_user)
    assert [row["id"] for row in ent.get(url).json()] == [body["id"]]
    assert ent.post(url, payload, content_type="application/json").status_code == 403
    outsider = Client()
    outsider.force_login(_member(OrganizationFactory()))
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, payload, content_type="application/json").status_code == 404
    assert Investment.objects.unscoped().count() == 1


def test_an_interest_withdrawn_meanwhile_takes_no_investment(interest, inv_user):
    # the page was opened while the interest was arranged; it was withdrawn before the form was sent
    Interest.objects.unscoped().filter(pk=interest.pk).update(status=Interest.Status.WITHDRAWN)
    with pytest.raises(ValidationError, match="只有已立项对接或已安排路演"):
        _record(inv_user, interest)
    assert not Investment.objects.unscoped().exists()
