"""Fixtures of the finance tests: a known points configuration (the default one removed), an enterprise, two
banks and a guarantor, the operator and the bureau, and a 成果转化贷 with a points bar."""

from decimal import Decimal as D

import pytest
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_org_admin
from finance_helpers import W, product_data

from techmarket.finance import services
from techmarket.finance.models import Indicator, IndicatorGroup
from techmarket.orgs.models import Organization, Role


@pytest.fixture
def indicators(db):
    """研发 (group cap 25): R&D ratio 3/pt ≤ 20, R&D spend 0.02/万元 ≤ 10; 知识产权: patents 5/件 ≤ 20;
    资质: valid certificates 5 each, no cap; 转化: registered contracts 4 each ≤ 16."""
    IndicatorGroup.objects.all().delete()
    rd = IndicatorGroup.objects.create(name="研发投入", cap=D("25"), sort_order=1)
    ip = IndicatorGroup.objects.create(name="知识产权", sort_order=2)
    quals = IndicatorGroup.objects.create(name="资质", sort_order=3)
    deals = IndicatorGroup.objects.create(name="成果转化", sort_order=4)
    Indicator.objects.create(
        group=rd, source="rd_ratio", label="研发投入占营业收入比例", points_per_unit=D("3"), cap=D("20")
    )
    Indicator.objects.create(
        group=rd,
        source="rd_spend",
        label="年度研发投入",
        points_per_unit=D("0.02"),
        cap=D("10"),
        sort_order=2,
    )
    Indicator.objects.create(
        group=ip, source="invention_patents", label="授权发明专利", points_per_unit=D("5"), cap=D("20")
    )
    Indicator.objects.create(
        group=quals, source="qualifications", label="有效期内的资质证书", points_per_unit=D("5")
    )
    Indicator.objects.create(
        group=deals, source="contracts", label="平台登记的技术合同", points_per_unit=D("4"), cap=D("16")
    )
    return {"rd": rd, "ip": ip}


@pytest.fixture
def enterprise(db):
    return OrganizationFactory(name="临沂锂享新能源科技有限公司")


@pytest.fixture
def ent_admin(enterprise):
    return make_org_admin(enterprise)


@pytest.fixture
def other_enterprise(db):
    return OrganizationFactory(name="临沂无关制造有限公司")


@pytest.fixture
def other_ent_admin(other_enterprise):
    return make_org_admin(other_enterprise)


@pytest.fixture
def bank(db):
    return OrganizationFactory(name="中国银行临沂科技支行", kind=Organization.Kind.BANK)


@pytest.fixture
def bank_admin(bank):
    return make_org_admin(bank)


@pytest.fixture
def bank_officer(bank):
    user = UserFactory()
    MembershipFactory(user=user, organization=bank, role=Role.MEMBER)
    return user


@pytest.fixture
def other_bank(db):
    return OrganizationFactory(name="临沂农商银行科创金融部", kind=Organization.Kind.BANK)


@pytest.fixture
def other_bank_admin(other_bank):
    return make_org_admin(other_bank)


@pytest.fixture
def guarantor(db):
    return OrganizationFactory(name="临沂市科技融资担保有限公司", kind=Organization.Kind.GUARANTOR)


@pytest.fixture
def guarantor_admin(guarantor):
    return make_org_admin(guarantor)


@pytest.fixture
def product(bank, bank_admin, indicators):
    return services.product_create(acting_user=bank_admin, provider=bank, data=product_data())


@pytest.fixture
def apply_to(ent_admin, enterprise):
    def apply(product, **overrides):
        kwargs = {
            "acting_user": ent_admin, "product": product, "organization": enterprise, "amount": 300 * W,
            "term_months": 24, "purpose": "受让高校专利并建设中试线", "consent_items": ["profile", "points"],
            "consent_confirmed": True,
        }  # fmt: skip
        kwargs.update(overrides)
        return services.loan_apply(**kwargs)

    return apply
