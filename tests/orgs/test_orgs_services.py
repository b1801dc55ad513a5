"""Organisation registration, operator review, credit-code exceptions and join requests."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from factories import (
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    make_operator,
    make_org_admin,
)

from techmarket.accounts import roles
from techmarket.audit.models import AuditLog
from techmarket.orgs import services
from techmarket.orgs.models import BrokerLevel, JoinRequest, Membership, Organization, Role
from techmarket.orgs.validators import make_uscc
from techmarket.reference.models import Region

pytestmark = pytest.mark.django_db

VALID = make_uscc("91371302MA3C12345")


def _register(user, **overrides):
    kwargs = {
        "acting_user": user,
        "name": "临沂新材料科技有限公司",
        "kind": Organization.Kind.ENTERPRISE,
        "uscc": VALID,
        "region": Region.objects.get(pk="371302"),
    }
    kwargs.update(overrides)
    return services.organization_register(**kwargs)


def _only_audit(action):
    records = list(AuditLog.objects.filter(action=action))
    assert len(records) == 1, f"expected exactly one {action} record, found {len(records)}"
    return records[0]


# Registration


def test_register_creates_pending_org_with_registrant_as_admin_and_one_audit_record():
    user = UserFactory()
    org = _register(user)
    assert org.status == Organization.Status.PENDING
    assert list(Membership.objects.filter(organization=org).values_list("user_id", "role")) == [
        (user.pk, Role.ORG_ADMIN)
    ]
    record = _only_audit("orgs.organization.register")
    assert record.actor == user
    assert record.target_id == str(org.pk)
    assert record.before is None
    assert record.after["uscc"] == VALID
    assert record.after["status"] == "pending"
    assert AuditLog.objects.count() == 1


def test_register_with_wrong_check_character_names_the_uscc_field_and_expected_character():
    wrong = VALID[:17] + ("0" if VALID[17] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        _register(UserFactory(), uscc=wrong)
    assert list(exc.value.message_dict) == ["uscc"]
    assert f"应为“{VALID[17]}”" in exc.value.message_dict["uscc"][0]
    assert not Organization.objects.filter(name="临沂新材料科技有限公司").exists()
    assert not AuditLog.objects.exists()


def test_register_with_existing_credit_code_is_refused_on_the_uscc_field():
    existing = OrganizationFactory()
    with pytest.raises(ValidationError) as exc:
        _register(UserFactory(), uscc=existing.uscc)
    assert list(exc.value.message_dict) == ["uscc"]
    assert existing.name in exc.value.message_dict["uscc"][0]


def test_register_with_existing_name_is_refused_on_the_name_field():
    existing = OrganizationFactory()
    with pytest.raises(ValidationError) as exc:
        _register(UserFactory(), name=f"  {existing.name} ")
    assert list(exc.value.message_dict) == ["name"]
    assert existing.name in exc.value.message_dict["name"][0]


def test_register_with_unknown_kind_is_refused_on_the_kind_field():
    with pytest.raises(ValidationError) as exc:
        _register(UserFactory(), kind="company")
    assert list(exc.value.message_dict) == ["kind"]


def test_registrant_of_pending_org_has_no_role_until_approval(operator):
    user = UserFactory()
    org = _register(user)
    assert roles.user_roles(user) == set()
    services.organization_approve(organization=org, acting_user=operator)
    roles.forget_roles(user)
    assert roles.user_roles(user) == {Role.ORG_ADMIN}


# Operator review


def test_only_operators_may_approve(operator):
    org = OrganizationFactory(status=Organization.Status.PENDING)
    admin = make_org_admin(org)
    with pytest.raises(PermissionDenied):
        services.organization_approve(organization=org, acting_user=admin)
    with pytest.raises(PermissionDenied):
        services.organization_approve(organization=org, acting_user=UserFactory())
    org.refresh_from_db()
    assert org.status == Organization.Status.PENDING

    services.organization_approve(organization=org, acting_user=operator, note="材料齐全")
    org.refresh_from_db()
    assert org.status == Organization.Status.APPROVED
    assert org.reviewed_by == operator
    assert org.reviewed_at is not None
    record = _only_audit("orgs.organization.approve")
    assert record.actor == operator
    assert (record.before["status"], record.after["status"]) == ("pending", "approved")
    assert record.note == "材料齐全"


def test_approving_an_approved_org_again_leaves_no_second_record(operator):
    org = OrganizationFactory(status=Organization.Status.PENDING)
    services.organization_approve(organization=org, acting_user=operator)
    services.organization_approve(organization=org, acting_user=operator)
    assert AuditLog.objects.filter(action="orgs.organization.approve").count() == 1


def test_only_operators_may_reject():
    org = OrganizationFactory(status=Organization.Status.PENDING)
    with pytest.raises(PermissionDenied):
        services.organization_reject(organization=org, acting_user=make_org_admin(org), reason="资料不全")
    org.refresh_from_db()
    assert org.status == Organization.Status.PENDING


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejection_needs_a_reason(operator, reason):
    org = OrganizationFactory(status=Organization.Status.PENDING)
    with pytest.raises(ValidationError) as exc:
        services.organization_reject(organization=org, acting_user=operator, reason=reason)
    assert list(exc.value.message_dict) == ["reason"]
    org.refresh_from_db()
    assert org.status == Organization.Status.PENDING
    assert not AuditLog.objects.exists()


def test_rejection_records_the_reason_for_the_applicant(operator):
    org = OrganizationFactory(status=Organization.Status.PENDING)
    services.organization_reject(organization=org, acting_user=operator, reason="营业执照照片不清晰")
    org.refresh_from_db()
    assert org.status == Organization.Status.REJECTED
    assert org.review_note == "营业执照照片不清晰"
    record = _only_audit("orgs.organization.reject")
    assert record.actor == operator
    assert record.after["review_note"] == "营业执照照片不清晰"
    assert (record.before["status"], record.after["status"]) == ("pending", "rejected")


def test_superuser_counts_as_operator_for_review():
    superuser = UserFactory(is_superuser=True)
    org = OrganizationFactory(status=Organization.Status.PENDING)
    services.organization_approve(organization=org, acting_user=superuser)
    org.refresh_from_db()
    assert org.status == Organization.Status.APPROVED


# Resubmission


def test_admin_of_rejected_org_can_correct_and_resubmit(operator):
    user = UserFactory()
    org = _register(user)
    services.organization_reject(organization=org, acting_user=operator, reason="名称与执照不一致")
    new_code = make_uscc("91371302MA3C99999")
    services.organization_resubmit(
        organization=org, acting_user=user, name="临沂新材料股份有限公司", uscc=new_code
    )
    org.refresh_from_db()
    assert (org.status, org.name, org.uscc) == (
        Organization.Status.PENDING,
        "临沂新材料股份有限公司",
        new_code,
    )
    record = _only_audit("orgs.organization.resubmit")
    assert record.before["status"] == "rejected"
    assert record.after["name"] == "临沂新材料股份有限公司"


def test_resubmit_by_someone_who_is_not_its_admin_is_refused(operator):
    org = _register(UserFactory())
    services.organization_reject(organization=org, acting_user=operator, reason="资料不全")
    with pytest.raises(PermissionDenied):
        services.organization_resubmit(organization=org, acting_user=UserFactory(), name="别的名字有限公司")


def test_resubmit_of_an_org_that_was_not_rejected_is_refused():
    user = UserFactory()
    org = _register(user)
    with pytest.raises(ValidationError):
        services.organization_resubmit(organization=org, acting_user=user, name="改名有限公司")


def test_resubmit_with_wrong_check_character_names_uscc(operator):
    user = UserFactory()
    org = _register(user)
    services.organization_reject(organization=org, acting_user=operator, reason="资料不全")
    with pytest.raises(ValidationError) as exc:
        services.organization_resubmit(
            organization=org,
            acting_user=user,
            uscc=VALID[:17] + "0" if VALID[17] != "0" else VALID[:17] + "1",
        )
    assert "uscc" in exc.value.message_dict


# Credit-code exceptions


def test_operator_can_record_a_real_code_failing_the_check_with_a_reason(operator):
    org = OrganizationFactory()
    odd = VALID[:17] + ("0" if VALID[17] != "0" else "1")
    services.organization_set_uscc_override(
        organization=org, acting_user=operator, uscc=odd, reason="已核对营业执照原件"
    )
    org.refresh_from_db()
    assert (org.uscc, org.uscc_override_reason) == (odd, "已核对营业执照原件")
    record = _only_audit("orgs.organization.uscc_override")
    assert record.after["uscc"] == odd
    assert record.before["uscc"] != odd


def test_uscc_override_needs_an_operator_and_a_reason(operator):
    org = OrganizationFactory()
    odd = VALID[:17] + ("0" if VALID[17] != "0" else "1")
    with pytest.raises(PermissionDenied):
        services.organization_set_uscc_override(
            organization=org, acting_user=make_org_admin(org), uscc=odd, reason="已核对营业执照原件"
        )
    with pytest.raises(ValidationError) as exc:
        services.organization_set_uscc_override(
            organization=org, acting_user=operator, uscc=odd, reason="核对"
        )
    assert "reason" in exc.value.message_dict
    org.refresh_from_db()
    assert org.uscc != odd


def test_uscc_override_still_refuses_a_malformed_code(operator):
    org = OrganizationFactory()
    with pytest.raises(ValidationError):
        services.organization_set_uscc_override(
            organization=org, acting_user=operator, uscc="91371302ISO", reason="已核对营业执照原件"
        )
    org.refresh_from_db()
    assert org.uscc_override_reason == ""


# Join requests


def test_join_request_approved_by_org_admin_creates_the_membership():
    org = OrganizationFactory()
    admin = make_org_admin(org)
    applicant = UserFactory()
    jr = services.join_request_create(user=applicant, organization=org, message="研发部工程师")
    assert _only_audit("orgs.join_request.create").actor == applicant

    services.join_request_decide(join_request=jr, acting_user=admin, approve=True, note="欢迎")
    jr.refresh_from_db()
    assert jr.status == JoinRequest.Status.APPROVED
    assert jr.decided_by == admin
    assert Membership.objects.filter(
        user=applicant, organization=org, role=Role.MEMBER, is_active=True
    ).exists()
    assert roles.is_org_member(applicant, org)
    record = _only_audit("orgs.join_request.approve")
    assert (record.actor, record.after, record.note) == (admin, {"status": "approved"}, "欢迎")


def test_join_request_decided_by_a_non_admin_is_refused_and_creates_nothing():
    org = OrganizationFactory()
    plain_member = MembershipFactory(organization=org, role=Role.MEMBER).user
    admin_elsewhere = make_org_admin()
    jr = services.join_request_create(user=UserFactory(), organization=org)
    for outsider in (plain_member, admin_elsewhere):
        with pytest.raises(PermissionDenied):
            services.join_request_decide(join_request=jr, acting_user=outsider, approve=True)
    jr.refresh_from_db()
    assert jr.status == JoinRequest.Status.PENDING
    assert not Membership.objects.filter(user=jr.user).exists()


def test_rejected_join_request_creates_no_membership():
    org = OrganizationFactory()
    admin = make_org_admin(org)
    jr = services.join_request_create(user=UserFactory(), organization=org)
    services.join_request_decide(join_request=jr, acting_user=admin, approve=False, note="非本单位人员")
    jr.refresh_from_db()
    assert jr.status == JoinRequest.Status.REJECTED
    assert not Membership.objects.filter(user=jr.user).exists()
    assert _only_audit("orgs.join_request.reject").note == "非本单位人员"


def test_broker_approval_is_the_platforms_and_requires_a_level():
    org = OrganizationFactory(kind=Organization.Kind.SERVICE)
    org_admin = make_org_admin(org)
    admin = make_operator()
    applicant = UserFactory()
    jr = services.join_request_create(user=applicant, organization=org, role=Role.BROKER)
    with pytest.raises(PermissionDenied, match="平台运营"):
        services.join_request_decide(
            join_request=jr, acting_user=org_admin, approve=True, broker_level=BrokerLevel.SENIOR
        )
    with pytest.raises(ValidationError) as exc:
        services.join_request_decide(join_request=jr, acting_user=admin, approve=True)
    assert list(exc.value.message_dict) == ["broker_level"]
    assert not Membership.objects.filter(user=applicant).exists()

    services.join_request_decide(
        join_request=jr,
        acting_user=admin,
        approve=True,
        broker_level=BrokerLevel.SENIOR,
        certificate_number="JSJJR-2025-0001",
    )
    membership = Membership.objects.get(user=applicant)
    assert (membership.role, membership.broker_level) == (Role.BROKER, BrokerLevel.SENIOR)
    assert roles.is_broker(applicant)


def test_a_decided_join_request_cannot_be_decided_again():
    org = OrganizationFactory()
    admin = make_org_admin(org)
    jr = services.join_request_create(user=UserFactory(), organization=org)
    services.join_request_decide(join_request=jr, acting_user=admin, approve=False)
    with pytest.raises(ValidationError):
        services.join_request_decide(join_request=jr, acting_user=admin, approve=True)
    assert not Membership.objects.filter(user=jr.user).exists()


def test_join_request_to_a_pending_org_is_refused():
    org = OrganizationFactory(status=Organization.Status.PENDING)
    with pytest.raises(ValidationError):
        services.join_request_create(user=UserFactory(), organization=org)
    assert not JoinRequest.objects.exists()


@pytest.mark.parametrize("role", [Role.ORG_ADMIN, Role.OPERATOR, Role.BUREAU])
def test_join_request_cannot_ask_for_privileged_roles(role):
    with pytest.raises(ValidationError) as exc:
        services.join_request_create(user=UserFactory(), organization=OrganizationFactory(), role=role)
    assert list(exc.value.message_dict) == ["role"]


def test_second_pending_join_request_is_refused():
    org = OrganizationFactory()
    user = UserFactory()
    services.join_request_create(user=user, organization=org)
    with pytest.raises(ValidationError):
        services.join_request_create(user=user, organization=org, role=Role.EXPERT)
    assert JoinRequest.objects.filter(user=user).count() == 1


def test_existing_member_cannot_request_the_same_role_again():
    membership = MembershipFactory(role=Role.MEMBER)
    with pytest.raises(ValidationError):
        services.join_request_create(user=membership.user, organization=membership.organization)


def test_an_admin_cannot_approve_their_own_request_to_become_a_broker_elsewhere_or_here():
    org = OrganizationFactory()
    admin = make_org_admin(org)
    jr = services.join_request_create(user=admin, organization=org, role=Role.EXPERT)
    with pytest.raises(PermissionDenied, match="不能审批自己的申请"):
        services.join_request_decide(join_request=jr, acting_user=admin, approve=True)
    services.join_request_decide(join_request=jr, acting_user=make_operator(), approve=False)
    broker_jr = services.join_request_create(user=admin, organization=org, role=Role.BROKER)
    with pytest.raises(PermissionDenied):
        services.join_request_decide(
            join_request=broker_jr, acting_user=admin, approve=True, broker_level=BrokerLevel.JUNIOR
        )
    assert not roles.is_broker(admin)
