"""Organisation pages: list, detail, operator review, join and join decisions."""

import pytest
from django.test import Client
from django.urls import reverse
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_operator, make_org_admin

from techmarket.audit.models import AuditLog
from techmarket.orgs import services
from techmarket.orgs.models import JoinRequest, Membership, Organization, OrganizationTag, Role
from techmarket.reference.models import Industry

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _orgs_with_tags(n):
    tags = list(OrganizationTag.objects.all()[:3])
    industry = Industry.objects.get(pk="26")
    for _ in range(n):
        OrganizationFactory(industry=industry).tags.set(tags)


@pytest.mark.parametrize("count", [3, 20])
def test_org_list_query_count_does_not_grow_with_the_number_of_orgs(
    client, django_assert_max_num_queries, count
):
    _orgs_with_tags(count)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("orgs:list"))
    assert response.status_code == 200
    assert response.content.decode().count('class="list-group-item list-group-item-action"') == count


def test_org_list_for_a_logged_in_member_has_bounded_queries(django_assert_max_num_queries):
    _orgs_with_tags(20)
    member = MembershipFactory(role=Role.ORG_ADMIN).user
    c = _login(member)
    with django_assert_max_num_queries(7):
        response = c.get(reverse("orgs:list"))
    assert response.status_code == 200


def test_org_list_hides_pending_orgs_from_the_public_and_shows_tags(client):
    approved = OrganizationFactory(name="沂蒙光电有限公司")
    approved.tags.set(OrganizationTag.objects.filter(name="高新技术企业"))
    OrganizationFactory(name="待审核机构有限公司", status=Organization.Status.PENDING)
    html = client.get(reverse("orgs:list")).content.decode()
    assert "沂蒙光电有限公司" in html
    assert "高新技术企业" in html
    assert "待审核机构有限公司" not in html


def test_pending_org_detail_is_404_for_the_public(client):
    org = OrganizationFactory(status=Organization.Status.PENDING)
    response = client.get(reverse("orgs:detail", args=[org.pk]))
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_review_queue_is_forbidden_to_non_operators():
    response = _login(make_org_admin()).get(reverse("orgs:review_queue"))
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()


def test_operator_approves_from_the_review_queue(operator_client, operator):
    org = OrganizationFactory(status=Organization.Status.PENDING, name="待审核机构有限公司")
    assert "待审核机构有限公司" in operator_client.get(reverse("orgs:review_queue")).content.decode()
    response = operator_client.post(reverse("orgs:approve", args=[org.pk]))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.status == Organization.Status.APPROVED
    assert AuditLog.objects.get(action="orgs.organization.approve").actor == operator


def test_approve_by_non_operator_is_forbidden_and_changes_nothing():
    org = OrganizationFactory(status=Organization.Status.PENDING)
    response = _login(make_org_admin(org)).post(reverse("orgs:approve", args=[org.pk]))
    assert response.status_code == 403
    org.refresh_from_db()
    assert org.status == Organization.Status.PENDING


def test_reject_without_reason_in_the_view_leaves_the_org_pending(operator_client):
    org = OrganizationFactory(status=Organization.Status.PENDING)
    response = operator_client.post(reverse("orgs:reject", args=[org.pk]), {"reason": ""}, follow=True)
    assert "驳回时必须填写原因" in response.content.decode()
    org.refresh_from_db()
    assert org.status == Organization.Status.PENDING


def test_reject_with_reason_in_the_view(operator_client):
    org = OrganizationFactory(status=Organization.Status.PENDING)
    operator_client.post(reverse("orgs:reject", args=[org.pk]), {"reason": "请上传清晰的营业执照"})
    org.refresh_from_db()
    assert (org.status, org.review_note) == (Organization.Status.REJECTED, "请上传清晰的营业执照")


def test_join_button_creates_a_pending_request(user_client, user):
    org = OrganizationFactory()
    response = user_client.post(reverse("orgs:join", args=[org.pk]), {"role": "expert", "message": "教授"})
    assert response.status_code == 302
    jr = JoinRequest.objects.get(user=user)
    assert (jr.organization, jr.role, jr.status) == (org, Role.EXPERT, JoinRequest.Status.PENDING)


def test_org_admin_approves_a_join_request_through_the_workspace_form():
    org = OrganizationFactory()
    admin = make_org_admin(org)
    jr = services.join_request_create(user=UserFactory(), organization=org)
    response = _login(admin).post(reverse("orgs:decide_join_request", args=[jr.pk]), {"approve": "on"})
    assert response.status_code == 302
    assert Membership.objects.filter(user=jr.user, organization=org, role=Role.MEMBER).exists()


def test_join_decision_by_a_non_admin_is_404_and_creates_no_membership():
    org = OrganizationFactory()
    outsider = MembershipFactory(organization=org, role=Role.MEMBER).user
    jr = services.join_request_create(user=UserFactory(), organization=org)
    response = _login(outsider).post(reverse("orgs:decide_join_request", args=[jr.pk]), {"approve": "on"})
    assert response.status_code == 404
    jr.refresh_from_db()
    assert jr.status == JoinRequest.Status.PENDING
    assert not Membership.objects.filter(user=jr.user).exists()


def test_broker_join_approved_without_level_shows_the_error_and_creates_nothing():
    org = OrganizationFactory(kind=Organization.Kind.SERVICE)
    admin = make_operator()
    jr = services.join_request_create(user=UserFactory(), organization=org, role=Role.BROKER)
    response = _login(admin).post(
        reverse("orgs:decide_join_request", args=[jr.pk]), {"approve": "on"}, follow=True
    )
    assert "经纪人等级" in response.content.decode()
    assert not Membership.objects.filter(user=jr.user).exists()
