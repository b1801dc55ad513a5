"""Fixtures of the voucher tests: a bureau with a batch, an enterprise holding a voucher, a university whose
verification centre accepted the enterprise's booking, and people who are none of these."""

from datetime import timedelta

import pytest
from django.utils import timezone
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_operator, make_org_admin
from voucher_helpers import accepted_booking, facility

from techmarket.orgs.models import Organization, Role
from techmarket.vouchers import services
from techmarket.vouchers.models import Category


@pytest.fixture
def bureau_org(db):
    return OrganizationFactory(name="临沂市科学技术局", kind=Organization.Kind.GOVERNMENT)


@pytest.fixture
def officer(bureau_org):
    user = UserFactory()
    MembershipFactory(user=user, organization=bureau_org, role=Role.BUREAU)
    return user


@pytest.fixture
def enterprise(db):
    return OrganizationFactory(name="临沂新材料科技有限公司")


@pytest.fixture
def ent_user(enterprise):
    user = UserFactory()
    MembershipFactory(user=user, organization=enterprise, role=Role.MEMBER)
    return user


@pytest.fixture
def university(db):
    return OrganizationFactory(name="沂蒙科技大学", kind=Organization.Kind.UNIVERSITY)


@pytest.fixture
def uni_admin(university):
    return make_org_admin(university)


@pytest.fixture
def centre(university, uni_admin):
    return facility(university, uni_admin)


@pytest.fixture
def booking(centre, ent_user, enterprise, uni_admin):
    return accepted_booking(centre, ent_user, enterprise, uni_admin)


@pytest.fixture
def stranger(db):
    return make_org_admin(OrganizationFactory(name="无关机构有限公司"))


@pytest.fixture
def operator(db):
    return make_operator()


@pytest.fixture
def batch(officer, bureau_org):
    today = timezone.localdate()
    return services.batch_create(
        acting_user=officer,
        issuer=bureau_org,
        name="2026 年第一批科技创新券",
        budget="200000",
        categories=[Category.VERIFICATION, Category.PILOT],
        valid_from=today - timedelta(days=30),
        valid_until=today + timedelta(days=60),
    )


@pytest.fixture
def voucher(batch, officer, enterprise):
    return services.voucher_issue(acting_user=officer, batch=batch, holder=enterprise, amount="50000")
