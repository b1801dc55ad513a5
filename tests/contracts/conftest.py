"""Helpers for the contract tests: parties, a contract made through the service."""

import datetime
from decimal import Decimal

import pytest
from factories import MembershipFactory, OrganizationFactory, UserFactory

from techmarket.contracts import services
from techmarket.contracts.models import ContractType, PaymentMode
from techmarket.orgs.models import Organization, Role
from techmarket.orgs.validators import make_uscc
from techmarket.reference.models import Region

SIGNED = datetime.date(2026, 3, 2)


def contract_type(subtype: str = "委托开发") -> ContractType:
    return ContractType.objects.get(subtype_name=subtype)


def party(role: str, org: Organization) -> services.PartyData:
    return services.PartyData(role=role, organization=org)


def outside_party(role: str, *, name: str, region: str = "110108", kind: str = "enterprise", n: int = 1):
    return services.PartyData(
        role=role,
        name=name,
        uscc=make_uscc(f"91{region}{n:09d}"),
        kind=kind,
        region=Region.objects.get(pk=region),
    )


def make_contract(*, seller, buyer, acting_user, owner=None, total="1000000.00", deductions=(), **kwargs):
    defaults = {
        "title": "高端不锈钢表面处理工艺委托开发",
        "contract_type": contract_type(),
        "signed_on": SIGNED,
        "payment_mode": PaymentMode.LUMP_SUM,
        "schedule": [],
    }
    defaults.update(kwargs)
    seller_p = seller if isinstance(seller, services.PartyData) else party("seller", seller)
    buyer_p = buyer if isinstance(buyer, services.PartyData) else party("buyer", buyer)
    return services.contract_create(
        acting_user=acting_user,
        owner=owner or (seller_p.organization or buyer_p.organization),
        total_amount=Decimal(total),
        deductions=[(item, Decimal(a)) for item, a in deductions],
        parties=[seller_p, buyer_p],
        **defaults,
    )


@pytest.fixture
def university(db):
    return OrganizationFactory(kind=Organization.Kind.UNIVERSITY, name="临沂测试大学")


@pytest.fixture
def enterprise(db):
    return OrganizationFactory(kind=Organization.Kind.ENTERPRISE, name="临沂测试不锈钢有限公司")


@pytest.fixture
def seller_user(university):
    user = UserFactory()
    MembershipFactory(user=user, organization=university, role=Role.ORG_ADMIN)
    return user


@pytest.fixture
def buyer_user(enterprise):
    user = UserFactory()
    MembershipFactory(user=user, organization=enterprise, role=Role.MEMBER)
    return user


@pytest.fixture
def contract(university, enterprise, seller_user):
    return make_contract(
        seller=university, buyer=enterprise, acting_user=seller_user, deductions=[("设备购置", "150000")]
    )
