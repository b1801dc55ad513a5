"""Matching tests: every test gets its own empty index directory and the lexical engine only."""

import pytest
from factories import (
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    make_broker,
    make_operator,
)
from matching_items import LITHIUM, make_achievement, make_filler, make_need  # noqa: F401

from techmarket.matching import engine as handle
from techmarket.matching import services
from techmarket.orgs.models import Organization, Role


@pytest.fixture(autouse=True)
def index_dir(settings, tmp_path):
    settings.MATCHING_INDEX_DIR = tmp_path / "techmatch"
    settings.MATCHING_DENSE = False
    handle.forget()
    yield settings.MATCHING_INDEX_DIR
    handle.forget()


@pytest.fixture
def enterprise(db):
    return OrganizationFactory(name="临沂锂电科技有限公司")


@pytest.fixture
def enterprise_user(enterprise):
    user = UserFactory()
    MembershipFactory(user=user, organization=enterprise, role=Role.ORG_ADMIN)
    return user


@pytest.fixture
def university(db):
    return OrganizationFactory(name="临沂大学", kind=Organization.Kind.UNIVERSITY)


@pytest.fixture
def broker(db):
    return make_broker()


@pytest.fixture
def operator_user(db):
    return make_operator()


@pytest.fixture
def rebuild():
    return services.rebuild_index
