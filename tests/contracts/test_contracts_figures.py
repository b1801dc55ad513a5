"""The bureau's figures against a hand-built fixture, worked out by hand."""

import datetime
from decimal import Decimal

import pytest
from factories import OrganizationFactory

from techmarket.contracts import figures, services
from techmarket.contracts.models import TechContract
from techmarket.contracts.selectors import contract_list_visible_to
from techmarket.orgs.models import Organization
from techmarket.reference.models import Industry, Region

from .conftest import contract_type, make_contract, outside_party

pytestmark = pytest.mark.django_db
K = Organization.Kind


@pytest.fixture
def fixture(operator):
    """Four contracts; three registered (two in 2026-03, one in 2026-04), one left in draft.

    | # | type     | seller (region)         | buyer (region)            | total   | deductions | technical | registered |
    | A | 技术开发 | 大学 (临沂 371302)      | 企业 (临沂 371302)        | 1000000 | 200000     | 800000    | 2026-03-10 |
    | B | 技术转让 | 院所 (济南 370102)      | 北京企业 (110108)         |  500000 | 0          | 500000    | 2026-03-25 |
    | C | 技术服务 | 大学 (临沂 371302)      | 企业 (济南 370102)        |  300000 | 100000     | 200000    | 2026-04-02 |
    | D | 技术开发 | 大学                    | 企业                      | 9999999 | —          | —         | (draft)    |
    """
    university = OrganizationFactory(kind=K.UNIVERSITY)
    institute = OrganizationFactory(kind=K.INSTITUTE, region=Region.objects.get(pk="370102"))
    linyi_firm = OrganizationFactory(kind=K.ENTERPRISE, industry=Industry.objects.get(pk="31"))
    jinan_firm = OrganizationFactory(kind=K.ENTERPRISE, region=Region.objects.get(pk="370102"))
    beijing = outside_party("buyer", name="北京测试科技有限公司", region="110108")

    def registered(c, day):
        services.contract_move(contract=c, action="submit", acting_user=operator)
        services.contract_move(
            contract=c,
            action="register",
            acting_user=operator,
            registration_number=f"R{c.pk}",
            registered_on=day,
        )

    signed = datetime.date(2026, 3, 1)
    a = make_contract(
        seller=university,
        buyer=linyi_firm,
        acting_user=operator,
        total="1000000",
        deductions=[("设备", "150000"), ("材料", "50000")],
        signed_on=signed,
    )
    b = make_contract(
        seller=institute,
        buyer=beijing,
        acting_user=operator,
        total="500000",
        contract_type=contract_type("专利权转让"),
        signed_on=signed,
    )
    c = make_contract(
        seller=university,
        buyer=jinan_firm,
        acting_user=operator,
        total="300000",
        deductions=[("场地", "100000")],
        contract_type=contract_type("技术服务"),
        signed_on=signed,
    )
    make_contract(
        seller=university, buyer=linyi_firm, acting_user=operator, total="9999999", signed_on=signed
    )
    registered(a, datetime.date(2026, 3, 10))
    registered(b, datetime.date(2026, 3, 25))
    registered(c, datetime.date(2026, 4, 2))
    return operator


def _rows(result, dim):
    return {r.key: (r.count, r.total, r.technical) for r in result.by[dim]}


def test_totals_periods_types_and_kinds(fixture):
    qs = figures.figures_queryset(contract_list_visible_to(fixture))
    result = figures.compute(qs, period="month")
    assert (result.count, result.total, result.technical) == (3, Decimal("1800000.00"), Decimal("1500000.00"))
    assert _rows(result, "period") == {
        "2026-03": (2, Decimal("1500000.00"), Decimal("1300000.00")),
        "2026-04": (1, Decimal("300000.00"), Decimal("200000.00")),
    }
    assert _rows(result, "type") == {
        "技术开发": (1, Decimal("1000000.00"), Decimal("800000.00")),
        "技术转让": (1, Decimal("500000.00"), Decimal("500000.00")),
        "技术服务": (1, Decimal("300000.00"), Decimal("200000.00")),
    }
    assert _rows(result, "seller_kind") == {
        "university": (2, Decimal("1300000.00"), Decimal("1000000.00")),
        "institute": (1, Decimal("500000.00"), Decimal("500000.00")),
    }
    assert _rows(result, "buyer_kind") == {"enterprise": (3, Decimal("1800000.00"), Decimal("1500000.00"))}
    assert _rows(figures.compute(qs, period="quarter"), "period") == {
        "2026-Q1": (2, Decimal("1500000.00"), Decimal("1300000.00")),
        "2026-Q2": (1, Decimal("300000.00"), Decimal("200000.00")),
    }


def test_regions_industries_and_local_share(fixture):
    result = figures.compute(figures.figures_queryset(contract_list_visible_to(fixture)))
    assert _rows(result, "region") == {
        "371300": (1, Decimal("1000000.00"), Decimal("800000.00")),
        "110100": (1, Decimal("500000.00"), Decimal("500000.00")),
        "370100": (1, Decimal("300000.00"), Decimal("200000.00")),
    }
    # 31 (黑色金属冶炼和压延加工业) is in 门类 C; the other buyers have no industry.
    assert _rows(result, "industry") == {
        "C": (1, Decimal("1000000.00"), Decimal("800000.00")),
        "": (2, Decimal("800000.00"), Decimal("700000.00")),
    }
    # Sellers in Shandong (37): A 800000 + B 500000 + C 200000 = 1500000; buyers there too: A + C = 1000000.
    assert result.local_technical == Decimal("1000000.00")
    assert result.regional_seller_technical == Decimal("1500000.00")
    assert result.local_share == Decimal("66.7")


def test_date_window_and_unregistered_scope(fixture):
    visible = contract_list_visible_to(fixture)
    march = figures.compute(
        figures.figures_queryset(visible, start=datetime.date(2026, 3, 1), end=datetime.date(2026, 3, 31))
    )
    assert (march.count, march.technical) == (2, Decimal("1300000.00"))
    everything = figures.compute(figures.figures_queryset(visible, registered_only=False))
    assert everything.count == 4
    assert everything.total == Decimal("11799999.00")
    assert TechContract.objects.filter(status=TechContract.Status.DRAFT).count() == 1


def test_figures_page_and_api_for_the_bureau_only(fixture, client, bureau_user, user):
    client.force_login(bureau_user)
    page = client.get("/contracts/figures/?period=month")
    assert page.status_code == 200
    assert 'data-testid="figure-technical">150.00<' in page.content.decode()  # 万元
    body = client.get("/api/contracts/figures?period=quarter").json()
    assert body["count"] == 3 and Decimal(body["technical"]) == Decimal("1500000.00")
    assert Decimal(body["local_share_percent"]) == Decimal("66.7")
    assert [r["key"] for r in body["by_period"]] == ["2026-Q1", "2026-Q2"]
    client.force_login(user)
    assert client.get("/contracts/figures/").status_code == 403
    assert client.get("/api/contracts/figures").status_code == 403


def test_the_dates_placing_a_contract_in_a_month_are_indexed():
    """Refreshing a month of a contract figure filters on signed_on / registered_on (analytics.facts): on
    PostgreSQL with 100,000 contracts the planner scans these indexes instead of the whole table."""
    from django.db import connection

    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TechContract._meta.db_table)
    single = {tuple(c["columns"]) for c in found.values() if c["index"] and not c["unique"]}
    assert ("signed_on",) in single
    assert ("registered_on",) in single
