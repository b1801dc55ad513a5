"""Fixtures of the policies tests: an enterprise in 临沂市兰山区 with a profile and a 高新技术企业 certificate,
its member, another enterprise, an operator and the bureau."""

import datetime
from decimal import Decimal

import pytest
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_bureau, make_operator

from techmarket.orgs.models import CertificationRecord, EnterpriseProfile, OrganizationTag, RevenueRange, Role
from techmarket.policies.selectors import today


@pytest.fixture
def day():
    return today()


@pytest.fixture
def tags(db):
    names = ["高新技术企业", "科技型中小企业", "专精特新中小企业"]
    return {n: OrganizationTag.objects.get_or_create(name=n)[0] for n in names}


@pytest.fixture
def enterprise(db, tags, day):
    org = OrganizationFactory(name="临沂博创新材料有限公司")  # 371302 临沂市兰山区
    EnterpriseProfile.objects.create(
        organization=org,
        total_staff=200,
        rd_staff_count=30,
        annual_revenue_range=RevenueRange.FROM_2000,
        rd_spending_ratio=Decimal("4.50"),
        founded_on=datetime.date(day.year - 8, 1, 1),
    )
    CertificationRecord.objects.create(
        organization=org, tag=tags["高新技术企业"], valid_until=day + datetime.timedelta(days=365)
    )
    return org


@pytest.fixture
def member(enterprise):
    user = UserFactory(username="pol_member")
    MembershipFactory(user=user, organization=enterprise, role=Role.ORG_ADMIN)
    return user


@pytest.fixture
def other_enterprise(db, tags):
    from techmarket.reference.models import Region

    org = OrganizationFactory(name="济南远景科技有限公司", region=Region.objects.get(pk="370102"))
    EnterpriseProfile.objects.create(organization=org, total_staff=50, rd_spending_ratio=Decimal("2.10"))
    return org


@pytest.fixture
def other_member(other_enterprise):
    user = UserFactory(username="pol_other")
    MembershipFactory(user=user, organization=other_enterprise, role=Role.ORG_ADMIN)
    return user


@pytest.fixture
def operator(db):
    return make_operator(username="pol_operator")


@pytest.fixture
def bureau(db):
    return make_bureau(username="pol_bureau")


@pytest.fixture
def rd_rules():
    return [
        {"fact": "region", "op": "in", "values": ["临沂市"]},
        {"fact": "rd_spending_ratio", "op": "gte", "values": ["3"]},
        {"fact": "qualifications", "op": "has_valid", "values": ["高新技术企业"]},
    ]
