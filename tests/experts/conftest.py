"""Shared fixtures for the experts tests: one university with an expert whose contact is guarded."""

import pytest
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_org_admin

from techmarket.experts.models import Availability, Expert
from techmarket.orgs.models import Organization, Role


@pytest.fixture
def university(db):
    return OrganizationFactory(name="临沂大学", kind=Organization.Kind.UNIVERSITY)


@pytest.fixture
def expert_user(university):
    user = UserFactory()
    MembershipFactory(user=user, organization=university, role=Role.EXPERT)
    return user


@pytest.fixture
def expert(university, expert_user):
    return Expert.objects.create(
        user=expert_user,
        name="王立新",
        affiliation=university,
        title="教授",
        research_fields="磷酸铁锂电池正极材料；储能系统热管理",
        bio="长期从事新能源材料研究。",
        availability=[Availability.CONSULTING, Availability.REVIEW],
        email="wanglx@lyu.edu.cn",
        phone="0539-8766123",
    )


@pytest.fixture
def university_admin(university):
    return make_org_admin(university)
