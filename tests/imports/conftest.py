"""Fixtures for the Excel round trip: an owner organisation with a member, and workbook builders."""

import pytest
from factories import MembershipFactory, OrganizationFactory, UserFactory
from imports_factories import build_xlsx, upload

from techmarket.imports.specs import get_spec
from techmarket.orgs.models import Role


@pytest.fixture
def spec():
    return get_spec("needs")


@pytest.fixture
def owner(db):
    org = OrganizationFactory()
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.MEMBER)
    return user, org


@pytest.fixture
def xlsx(spec):
    def make(rows, name="needs.xlsx", **kwargs):
        return upload(build_xlsx(spec, rows, **kwargs), name)

    return make
