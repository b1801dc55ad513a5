"""Engagements for the tests (plain functions; conftest.py holds the fixtures)."""

from factories import MembershipFactory, OrganizationFactory, UserFactory, make_broker

from techmarket.engagements.models import Engagement
from techmarket.orgs.models import Organization, Role


def member_of(org, role=Role.MEMBER, **kw):
    user = UserFactory(**kw)
    MembershipFactory(user=user, organization=org, role=role)
    return user


def make_parties():
    """A demand enterprise, a supply university, a lead broker and one member on each side."""
    demand = OrganizationFactory(name="临沂金锣新材料有限公司")
    supply = OrganizationFactory(name="临沂大学", kind=Organization.Kind.UNIVERSITY)
    return {
        "demand": demand,
        "supply": supply,
        "broker": make_broker(),
        "enterprise_user": member_of(demand),
        "university_user": member_of(supply),
    }


def make_engagement(*, demand, supply=None, broker, **kw):
    data = {"title": "低温磷酸铁锂正极材料对接", **kw}
    return Engagement.objects.create(demand_org=demand, supply_org=supply, lead_broker=broker, **data)
