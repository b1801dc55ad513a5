"""The request base: someone asks, someone decides with a reason the asker sees; on the workflow engine."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from factories import OrganizationFactory, UserFactory, make_operator, make_org_admin

from techmarket.audit.models import AuditLog
from techmarket.decisions.models import DecisionRequest
from techmarket.decisions.services import request_decide, request_withdraw
from techmarket.decisions.types import workflow_of
from techmarket.experts.models import ContactPermission
from techmarket.needs.models import NeedRevision
from techmarket.orgs import services as org_services
from techmarket.orgs.models import JoinRequest
from techmarket.orgs.workflow import JOIN_REQUEST
from techmarket.workflow.engine import StaleTransition

pytestmark = pytest.mark.django_db


@pytest.fixture
def join():
    org = OrganizationFactory()
    admin = make_org_admin(org)
    applicant = UserFactory()
    return org_services.join_request_create(user=applicant, organization=org), admin, applicant


def test_existing_requests_share_the_one_base():
    from techmarket.catalog.models import AccessGrant

    for model in (JoinRequest, AccessGrant, ContactPermission, NeedRevision):
        assert issubclass(model, DecisionRequest)
        assert {"decided_by", "decided_at", "decision_note", "due_at"} <= {f.name for f in model._meta.fields}


def test_the_reason_of_a_refusal_is_kept_for_the_asker(join):
    jr, admin, applicant = join
    org_services.join_request_decide(join_request=jr, acting_user=admin, approve=False, note="非本单位人员")
    jr.refresh_from_db()
    assert (jr.status, jr.decision_note, jr.decided_by) == ("rejected", "非本单位人员", admin)
    assert jr.decided_at is not None


def test_the_asker_may_withdraw_a_pending_request_and_nobody_else_may(join):
    jr, admin, applicant = join
    with pytest.raises(PermissionDenied):
        org_services.join_request_withdraw(join_request=jr, acting_user=UserFactory())
    with pytest.raises(PermissionDenied):
        org_services.join_request_withdraw(join_request=jr, acting_user=admin)
    org_services.join_request_withdraw(join_request=jr, acting_user=applicant)
    jr.refresh_from_db()
    assert jr.status == JoinRequest.Status.WITHDRAWN and jr.due_at is None
    assert AuditLog.objects.filter(action="orgs.join_request.withdraw", actor=applicant).count() == 1
    with pytest.raises(ValidationError):
        org_services.join_request_decide(join_request=jr, acting_user=admin, approve=True)


def test_two_deciders_at_once_the_second_is_told_it_was_handled(join):
    jr, admin, applicant = join
    other_copy = JoinRequest.objects.get(pk=jr.pk)
    request_decide(request_type=JOIN_REQUEST, obj=jr, acting_user=admin, approve=True)
    with pytest.raises(StaleTransition, match="已被他人处理（当前状态：已同意）"):
        request_decide(request_type=JOIN_REQUEST, obj=other_copy, acting_user=make_operator(), approve=False)
    assert JoinRequest.objects.get(pk=jr.pk).status == JoinRequest.Status.APPROVED


def test_a_decider_rule_outside_the_org_is_refused(join):
    jr, admin, applicant = join
    with pytest.raises(PermissionDenied):
        request_decide(request_type=JOIN_REQUEST, obj=jr, acting_user=make_org_admin(), approve=True)
    with pytest.raises(PermissionDenied):
        request_withdraw(request_type=JOIN_REQUEST, obj=jr, acting_user=admin)


def test_request_workflow_is_derived_from_the_declaration():
    workflow = workflow_of(JOIN_REQUEST)
    assert set(workflow.actions) == {"approve", "reject", "withdraw"}
    assert workflow.actions["approve"].sources == ("pending",)
    assert workflow.actions["withdraw"].target == "withdrawn"
    assert workflow.due_field == "due_at"


def test_access_grant_asked_again_after_a_refusal_is_pending_and_due_again():
    from techmarket.catalog.models import AccessGrant
    from techmarket.catalog.services import access_decide, access_request
    from techmarket.needs import services as need_services

    owner_org = OrganizationFactory()
    owner = make_org_admin(owner_org)
    need = need_services.need_create(
        acting_user=owner,
        owner=owner_org,
        title="污泥干化节能",
        summary="摘要",
        problem="能耗高",
        cooperation_modes=["joint"],
    )
    asking_org = OrganizationFactory()
    asker = make_org_admin(asking_org)
    grant = access_request(
        item=need, acting_user=asker, organization=asking_org, purpose="评估", nda_accepted=True
    )
    assert grant.due_at is not None
    access_decide(grant=grant, acting_user=owner, grant_access=False, reason="暂不对外")
    grant.refresh_from_db()
    assert (grant.status, grant.decision_note, grant.due_at) == (
        AccessGrant.Status.DECLINED,
        "暂不对外",
        None,
    )
    again = access_request(
        item=need, acting_user=asker, organization=asking_org, purpose="再评估", nda_accepted=True
    )
    assert again.pk == grant.pk and again.status == AccessGrant.Status.REQUESTED and again.due_at is not None


def test_applicant_sees_the_reason_and_may_withdraw_from_the_workspace(join, client):
    jr, admin, applicant = join
    client.force_login(admin)
    page = client.get("/workspace/").content.decode()
    assert "请于" in page  # the decider sees the due time
    other = org_services.join_request_create(user=applicant, organization=OrganizationFactory())
    client.post(f"/orgs/join-requests/{jr.pk}/decide/", {"approve": "", "note": "请用单位邮箱注册"})
    client.force_login(applicant)
    page = client.get("/workspace/").content.decode()
    assert "请用单位邮箱注册" in page and "撤回申请" in page
    response = client.post(f"/orgs/join-requests/{other.pk}/withdraw/", follow=True)
    assert "已撤回" in response.content.decode()
    other.refresh_from_db()
    assert other.status == JoinRequest.Status.WITHDRAWN
    client.force_login(admin)
    assert client.post(f"/orgs/join-requests/{other.pk}/withdraw/").status_code == 404  # not the applicant
