"""Fixtures of the facilities tests: a university with a verification centre and a shared instrument, an
enterprise that books them, and an operator who recognises."""

import pytest
from facility_helpers import facility_data
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_operator, make_org_admin

from techmarket.facilities import services
from techmarket.facilities.models import Facility
from techmarket.orgs.models import Organization, Role


@pytest.fixture
def university(db):
    return OrganizationFactory(name="沂蒙科技大学", kind=Organization.Kind.UNIVERSITY)


@pytest.fixture
def uni_admin(university):
    return make_org_admin(university)


@pytest.fixture
def enterprise(db):
    return OrganizationFactory(name="临沂新材料科技有限公司")


@pytest.fixture
def ent_user(enterprise):
    user = UserFactory()
    MembershipFactory(user=user, organization=enterprise, role=Role.MEMBER)
    return user


@pytest.fixture
def stranger(db):
    return make_org_admin(OrganizationFactory(name="无关机构有限公司"))


@pytest.fixture
def operator(db):
    return make_operator()


@pytest.fixture
def centre(university, uni_admin):
    return services.facility_create(acting_user=uni_admin, owner=university, data=facility_data())


@pytest.fixture
def instrument(university, uni_admin):
    return services.facility_create(
        acting_user=uni_admin,
        owner=university,
        data=facility_data(name="场发射扫描电子显微镜（共享）", kind=Facility.Kind.INSTRUMENT, capacity=2000),
    )
