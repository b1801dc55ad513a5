"""Role checks: which memberships make a user an operator, bureau user, broker or org admin."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from factories import (
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    make_broker,
    make_bureau,
    make_operator,
)

from techmarket.accounts import roles
from techmarket.orgs.models import Organization, Role

pytestmark = pytest.mark.django_db


def test_operator_membership_counts_only_in_a_platform_operator_org():
    ordinary = MembershipFactory(
        role=Role.OPERATOR, organization=OrganizationFactory(is_platform_operator=False)
    )
    assert not roles.is_operator(ordinary.user)
    assert Role.OPERATOR not in roles.user_roles(ordinary.user)
    assert roles.is_operator(make_operator())


def test_bureau_membership_counts_only_in_a_government_org():
    enterprise = MembershipFactory(
        role=Role.BUREAU, organization=OrganizationFactory(kind=Organization.Kind.ENTERPRISE)
    )
    assert not roles.is_bureau(enterprise.user)
    assert roles.is_bureau(make_bureau())


@pytest.mark.parametrize(
    "status", [Organization.Status.PENDING, Organization.Status.REJECTED, Organization.Status.SUSPENDED]
)
def test_memberships_of_orgs_not_approved_do_not_count(status):
    org = OrganizationFactory(status=status, is_platform_operator=True, kind=Organization.Kind.SERVICE)
    user = UserFactory()
    for role in (Role.OPERATOR, Role.ORG_ADMIN, Role.BROKER):
        MembershipFactory(user=user, organization=org, role=role)
    assert roles.user_roles(user) == set()
    assert not roles.is_operator(user)
    assert not roles.is_org_admin(user, org)
    assert not roles.is_org_member(user, org)
    assert roles.user_organizations(user) == []


def test_inactive_membership_does_not_count():
    m = MembershipFactory(role=Role.BROKER, is_active=False)
    assert not roles.is_broker(m.user)


def test_broker_role_comes_from_a_broker_membership():
    assert roles.is_broker(make_broker())
    assert not roles.is_broker(MembershipFactory(role=Role.MEMBER).user)


def test_superuser_is_operator_but_inactive_superuser_is_not():
    assert roles.is_operator(UserFactory(is_superuser=True))
    assert not roles.is_operator(UserFactory(is_superuser=True, is_active=False))


def test_anonymous_user_has_no_roles():
    assert roles.user_roles(AnonymousUser()) == set()
    assert roles.user_organizations(AnonymousUser()) == []


def test_org_admin_is_admin_of_own_org_only_and_operator_of_every_org():
    org, other = OrganizationFactory(), OrganizationFactory()
    admin = MembershipFactory(organization=org, role=Role.ORG_ADMIN).user
    assert roles.is_org_admin(admin, org)
    assert not roles.is_org_admin(admin, other)
    assert not roles.is_org_admin(MembershipFactory(organization=org, role=Role.MEMBER).user, org)
    assert roles.is_org_admin(make_operator(), other)


def test_user_organizations_lists_each_org_once_even_with_several_roles():
    org = OrganizationFactory()
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.ORG_ADMIN)
    MembershipFactory(user=user, organization=org, role=Role.EXPERT)
    assert roles.user_organizations(user) == [org]
    assert roles.user_roles(user) == {Role.ORG_ADMIN, Role.EXPERT}


def test_roles_are_cached_per_user_object_until_forgotten():
    user = UserFactory()
    assert roles.user_roles(user) == set()
    MembershipFactory(user=user, role=Role.EXPERT)
    assert roles.user_roles(user) == set()  # cached for the request
    roles.forget_roles(user)
    assert roles.user_roles(user) == {Role.EXPERT}


def test_role_required_refuses_users_without_the_role_and_redirects_anonymous():
    @roles.role_required(Role.BUREAU)
    def view(request):
        return HttpResponse("ok")

    rf = RequestFactory()
    request = rf.get("/x/")
    request.user = AnonymousUser()
    response = view(request)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    request = rf.get("/x/")
    request.user = UserFactory()
    with pytest.raises(PermissionDenied):
        view(request)

    request = rf.get("/x/")
    request.user = make_bureau()
    assert view(request).content == b"ok"
