"""Finding 12: an achievement names only its own organisation's experts; an organisation's admin removes
members and changes roles on the organisation page; a former member no longer edits the expert profile
that shows the old affiliation."""

import pytest
from django.urls import reverse
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_org_admin

from techmarket.audit.models import AuditLog
from techmarket.experts.models import Expert
from techmarket.orgs.models import Membership, Organization, Role

pytestmark = pytest.mark.django_db


def _post(client, url, body, method="post"):
    return getattr(client, method)(url, body, content_type="application/json")


def test_achievement_cannot_name_another_organisations_expert(client):
    mine, theirs = OrganizationFactory(kind=Organization.Kind.INSTITUTE), OrganizationFactory()
    user = UserFactory()
    MembershipFactory(user=user, organization=mine, role=Role.MEMBER)
    outsider = Expert.objects.create(name="李四", affiliation=theirs, research_fields="材料")
    colleague = Expert.objects.create(name="张三", affiliation=mine, research_fields="材料")
    client.force_login(user)
    body = {"owner_id": mine.pk, "title": "低温正极材料成果", "summary": "摘要", "team": [outsider.pk]}
    refused = _post(client, "/api/achievements", body)
    assert refused.status_code == 422 and "team" in refused.json()["error"]["fields"]
    created = _post(client, "/api/achievements", {**body, "team": [colleague.pk]})
    assert created.status_code == 201
    patched = _post(
        client,
        f"/api/achievements/{created.json()['id']}",
        {"team": [colleague.pk, outsider.pk]},
        method="patch",
    )
    assert patched.status_code == 422


def test_org_admin_changes_a_role_and_removes_a_member_with_audit(client):
    org = OrganizationFactory()
    admin = make_org_admin(org)
    member = MembershipFactory(organization=org, role=Role.MEMBER)
    client.force_login(admin)
    response = client.post(
        reverse("orgs:membership_role", args=[org.pk, member.pk]), {"role": Role.ORG_ADMIN}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == Role.ORG_ADMIN
    assert AuditLog.objects.filter(action="orgs.membership.change_role", target_id=str(member.pk)).exists()
    response = client.post(reverse("orgs:membership_remove", args=[org.pk, member.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert AuditLog.objects.get(action="orgs.membership.remove").before["user_id"] == member.user_id


def test_org_admin_cannot_grant_platform_roles_or_remove_the_last_admin(client):
    org = OrganizationFactory()
    admin = make_org_admin(org)
    member = MembershipFactory(organization=org, role=Role.MEMBER)
    client.force_login(admin)
    client.post(reverse("orgs:membership_role", args=[org.pk, member.pk]), {"role": Role.OPERATOR})
    member.refresh_from_db()
    assert member.role == Role.MEMBER
    own = Membership.objects.get(user=admin, organization=org)
    client.post(reverse("orgs:membership_remove", args=[org.pk, own.pk]))
    assert Membership.objects.filter(pk=own.pk).exists()


def test_a_plain_member_cannot_manage_memberships(client):
    org = OrganizationFactory()
    make_org_admin(org)
    me = MembershipFactory(organization=org, role=Role.MEMBER)
    other = MembershipFactory(organization=org, role=Role.MEMBER)
    client.force_login(me.user)
    assert client.post(reverse("orgs:membership_remove", args=[org.pk, other.pk])).status_code == 403
    assert Membership.objects.filter(pk=other.pk).exists()


def test_former_member_cannot_edit_the_expert_profile_of_the_old_affiliation(client):
    org = OrganizationFactory(kind=Organization.Kind.INSTITUTE)
    membership = MembershipFactory(organization=org, role=Role.EXPERT)
    expert = Expert.objects.create(name="王五", affiliation=org, research_fields="材料", user=membership.user)
    client.force_login(membership.user)
    assert _post(client, f"/api/experts/{expert.pk}", {"title": "研究员"}, method="patch").status_code == 200
    membership.delete()
    response = _post(client, f"/api/experts/{expert.pk}", {"title": "教授"}, method="patch")
    assert response.status_code in (403, 404)
    expert.refresh_from_db()
    assert expert.title == "研究员"
