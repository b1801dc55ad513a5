"""Policies written by operators, published and pushed (idempotent, off the request), re-pushed on a profile
change; 直达快享 applications: apply → approve an amount (≤ the maximum) → pay, every step audited; who sees
what; bad input saves nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from factories import make_bureau
from policy_helpers import policy_data

from techmarket.audit.models import AuditLog
from techmarket.notifications.models import Notification
from techmarket.orgs.profile_services import enterprise_profile_update
from techmarket.outbox.models import OutboxMessage
from techmarket.policies import selectors, services
from techmarket.policies.models import Policy, PolicyApplication, PolicyPush, PolicyRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(operator, rd_rules):
    policy, warnings = services.policy_create(acting_user=operator, rules=rd_rules, **policy_data())
    assert warnings == []
    return policy


@pytest.fixture
def published(policy, operator, django_capture_on_commit_callbacks, member):
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_move(policy=policy, action="publish", acting_user=operator)
    policy.refresh_from_db()
    return policy


def test_only_operators_write_policies(member, rd_rules):
    with pytest.raises(PermissionDenied):
        services.policy_create(acting_user=member, rules=rd_rules, **policy_data())
    assert not Policy.objects.unscoped().exists()


def test_bad_rules_save_nothing(operator):
    rules = [
        {"fact": "rd_spending_ratio", "op": "gte", "values": ["abc"]},
        {"fact": "region", "op": "in", "values": ["火星"]},
    ]
    with pytest.raises(ValidationError) as exc:
        services.policy_create(acting_user=operator, rules=rules, **policy_data())
    messages = exc.value.message_dict["rules"]
    assert messages[0].startswith("第 1 条条件：") and messages[1].startswith("第 2 条条件：")
    assert not Policy.objects.unscoped().exists() and not PolicyRule.objects.exists()


def test_missing_fields_are_named(operator):
    with pytest.raises(ValidationError) as exc:
        services.policy_create(
            acting_user=operator, rules=[], **policy_data(title="", level="x", max_amount="")
        )
    errors = exc.value.message_dict
    assert "title" in errors and "level" in errors
    assert "须填写单个企业最高金额" in errors["max_amount"][0]  # a 直达快享 policy needs its cap
    assert not Policy.objects.unscoped().exists()


def test_contradictory_rules_are_saved_with_a_warning(operator):
    rules = [
        {"fact": "total_staff", "op": "gte", "values": ["5"]},
        {"fact": "total_staff", "op": "lte", "values": ["3"]},
    ]
    policy, warnings = services.policy_create(acting_user=operator, rules=rules, **policy_data())
    assert policy.rules.count() == 2
    assert warnings == ["“职工总数”既要求 ≥ 5人 又要求 ≤ 3人，没有企业能满足。"]


def test_publish_pushes_through_the_outbox_with_reasons(
    policy, operator, member, other_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.policy_move(policy=policy, action="publish", acting_user=operator)
    # the push is owed, not done, inside the request
    assert OutboxMessage.objects.filter(
        task="techmarket.policies.tasks.push_policy", args=[policy.pk]
    ).exists()
    assert not PolicyPush.objects.unscoped().exists()
    for callback in callbacks:
        callback()
    push = PolicyPush.objects.unscoped().get()
    assert push.organization.name == "临沂博创新材料有限公司" and push.eligible
    assert "研发投入占比 4.5% ≥ 3% ✓" in push.reasons
    note = Notification.objects.get(user=member)
    assert "临沂市企业研发投入后补助" in note.title and "研发投入占比 4.5% ≥ 3% ✓" in note.body
    assert not Notification.objects.filter(user=other_member).exists()  # 济南, 2.1%, no certificate: not near


def test_push_is_idempotent_per_version(published, member):
    assert PolicyPush.objects.unscoped().count() == 1
    assert services.policy_push(policy_id=published.pk) == 0
    assert services.organization_push(organization_id=member.memberships.first().organization_id) == 0
    assert PolicyPush.objects.unscoped().count() == 1
    assert Notification.objects.filter(user=member).count() == 1


def test_changed_rules_make_a_new_version_and_push_again(
    published, operator, member, rd_rules, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_update(policy=published, acting_user=operator, rules=rd_rules[:2], **policy_data())
    published.refresh_from_db()
    assert published.version == 2
    assert list(PolicyPush.objects.unscoped().order_by("version").values_list("version", flat=True)) == [1, 2]
    # saving the same again writes nothing
    before = AuditLog.objects.count()
    services.policy_update(policy=published, acting_user=operator, rules=rd_rules[:2], **policy_data())
    assert AuditLog.objects.count() == before


def test_near_miss_is_pushed_with_what_is_missing(operator, other_member, django_capture_on_commit_callbacks):
    rules = [
        {"fact": "region", "op": "in", "values": ["370000"]},
        {"fact": "rd_spending_ratio", "op": "gte", "values": ["3"]},
    ]
    policy, _w = services.policy_create(acting_user=operator, rules=rules, **policy_data(region="370000"))
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_move(policy=policy, action="publish", acting_user=operator)
    push = PolicyPush.objects.unscoped().get(organization__name="济南远景科技有限公司")
    assert not push.eligible
    note = Notification.objects.get(user=other_member)
    assert "差一项" in note.title and "研发投入占比 2.1% < 3% ✗" in note.body


def test_a_near_miss_that_meets_every_rule_later_is_told_once_more(
    operator, other_member, other_enterprise, django_capture_on_commit_callbacks
):
    rules = [
        {"fact": "region", "op": "in", "values": ["370000"]},
        {"fact": "rd_spending_ratio", "op": "gte", "values": ["3"]},
    ]
    policy, _w = services.policy_create(acting_user=operator, rules=rules, **policy_data(region="370000"))
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_move(policy=policy, action="publish", acting_user=operator)
    assert not PolicyPush.objects.unscoped().get(organization=other_enterprise).eligible
    with django_capture_on_commit_callbacks(execute=True):
        enterprise_profile_update(
            organization=other_enterprise, acting_user=other_member, rd_spending_ratio="3.5"
        )
    push = PolicyPush.objects.unscoped().get(organization=other_enterprise)  # still one per version
    assert push.eligible and "研发投入占比 3.5% ≥ 3% ✓" in push.reasons
    titles = list(
        Notification.objects.filter(user=other_member).order_by("pk").values_list("title", flat=True)
    )
    assert len(titles) == 2 and "差一项" in titles[0] and "符合" in titles[1] and "差一项" not in titles[1]
    # nothing new: no third notice
    assert services.organization_push(organization_id=other_enterprise.pk) == 0
    assert Notification.objects.filter(user=other_member).count() == 2


def test_profile_change_pushes_newly_matching_policies(
    published, other_member, other_enterprise, django_capture_on_commit_callbacks
):
    assert not PolicyPush.objects.unscoped().filter(organization=other_enterprise).exists()
    other_enterprise.region_id = "371311"
    other_enterprise.save()
    with django_capture_on_commit_callbacks(execute=True):
        enterprise_profile_update(
            organization=other_enterprise,
            acting_user=other_member,
            rd_spending_ratio="3.5",
            certifications=[{"tag": "高新技术企业", "valid_until": "2099-01-01"}],
        )
    push = PolicyPush.objects.unscoped().get(organization=other_enterprise)
    assert push.eligible and "高新技术企业（有效期至 2099-01-01）✓" in push.reasons


def _apply(policy, enterprise, member, **over):
    data = {
        "requested_amount": "300000",
        "statement": "2025 年研发投入 1200 万元，增量 300 万元。",
        "contact_phone": "0539-8123456",
    }
    data.update(over)
    return services.application_open(policy=policy, organization=enterprise, acting_user=member, **data)


def test_application_apply_approve_pay_each_step_audited(
    published, enterprise, member, bureau, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        a = _apply(published, enterprise, member)
        assert a.status == PolicyApplication.Status.PENDING and a.due_at is not None
        assert "研发投入占比 4.5% ≥ 3% ✓" in a.reasons
        services.application_approve(
            application=a, acting_user=bureau, approved_amount="250000", note="按增量核定"
        )
        assert a.status == "approved" and a.approved_amount == Decimal("250000.00") and a.decided_by == bureau
        services.application_pay(application=a, acting_user=bureau, payment_reference="LYKJ-2026-001")
    a.refresh_from_db()
    assert a.status == "paid" and a.paid_amount == Decimal("250000.00") and a.paid_by == bureau
    actions = list(
        AuditLog.objects.filter(action__startswith="policies.application")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "policies.application.request",
        "policies.application.approve",
        "policies.application.pay",
    ]
    assert Notification.objects.filter(user=member, title__contains="已拨付").exists()
    totals = selectors.application_totals(selectors.applications_visible_to(bureau))
    assert totals["approved"] == Decimal("250000.00") and totals["paid"] == Decimal("250000.00")


def test_approved_amount_cannot_exceed_the_maximum(published, enterprise, member, bureau):
    a = _apply(published, enterprise, member, requested_amount="500000")
    with pytest.raises(ValidationError) as exc:
        services.application_approve(application=a, acting_user=bureau, approved_amount="500000.01")
    assert "超过该政策单个企业最高 500,000.00 元（50 万元）" in exc.value.message_dict["approved_amount"][0]
    a.refresh_from_db()
    assert a.status == "pending" and a.approved_amount is None


def test_paid_amount_cannot_exceed_the_approved(published, enterprise, member, bureau):
    a = _apply(published, enterprise, member)
    services.application_approve(application=a, acting_user=bureau, approved_amount="100000")
    with pytest.raises(ValidationError, match="超过核定金额"):
        services.application_pay(
            application=a, acting_user=bureau, paid_amount="100001", payment_reference="X1"
        )
    with pytest.raises(ValidationError, match="拨付凭证号"):
        services.application_pay(application=a, acting_user=bureau, payment_reference="")
    a.refresh_from_db()
    assert a.status == "approved" and a.paid_at is None


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"requested_amount": "500000.01"}, "requested_amount"),
        ({"requested_amount": ""}, "requested_amount"),
        ({"requested_amount": "0"}, "requested_amount"),
        ({"statement": "要钱"}, "statement"),
        ({"contact_phone": ""}, "contact_phone"),
    ],
)
def test_bad_applications_save_nothing(published, enterprise, member, over, field):
    with pytest.raises(ValidationError) as exc:
        _apply(published, enterprise, member, **over)
    assert field in exc.value.message_dict
    assert not PolicyApplication.objects.unscoped().exists()
    assert not AuditLog.objects.filter(action__startswith="policies.application").exists()


def test_an_enterprise_that_does_not_qualify_cannot_apply(published, other_enterprise, other_member):
    with pytest.raises(ValidationError, match="暂不符合申报条件：.*研发投入占比 2.1% < 3% ✗"):
        _apply(published, other_enterprise, other_member)
    assert not PolicyApplication.objects.unscoped().exists()


def test_no_second_open_application(published, enterprise, member, bureau):
    first = _apply(published, enterprise, member)
    with pytest.raises(ValidationError, match="不能重复申请"):
        _apply(published, enterprise, member)
    services.application_reject(application=first, acting_user=bureau, reason="材料不全")
    assert _apply(published, enterprise, member).status == "pending"  # after a refusal it may apply again


def test_only_the_bureau_decides_and_pays(published, enterprise, member, other_member):
    a = _apply(published, enterprise, member)
    with pytest.raises(PermissionDenied):
        services.application_approve(application=a, acting_user=member, approved_amount="1000")
    with pytest.raises(PermissionDenied):
        services.application_reject(application=a, acting_user=other_member, reason="x")
    with pytest.raises(ValidationError, match="必须填写原因"):
        services.application_reject(application=a, acting_user=make_bureau(), reason="")
    a.refresh_from_db()
    assert a.status == "pending"


def test_who_sees_applications(published, enterprise, member, other_member, bureau, operator):
    a = _apply(published, enterprise, member)
    assert list(selectors.applications_visible_to(member)) == [a]
    assert list(selectors.applications_visible_to(bureau)) == [a]
    assert list(selectors.applications_visible_to(operator)) == [a]
    assert not selectors.applications_visible_to(other_member).exists()
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.applications_visible_to(AnonymousUser()).exists()


def test_drafts_are_seen_by_operators_only(policy, member, operator):
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.policy_list_visible_to(AnonymousUser()).exists()
    assert not selectors.policy_list_visible_to(member).exists()
    assert list(selectors.policy_list_visible_to(operator)) == [policy]


def test_list_filters(published, operator):
    from django.contrib.auth.models import AnonymousUser

    anon = AnonymousUser()
    assert list(selectors.policy_list_visible_to(anon, level="municipal", support_type="subsidy")) == [
        published
    ]
    assert not selectors.policy_list_visible_to(anon, level="national").exists()
    assert list(selectors.policy_list_visible_to(anon, region="371302")) == [
        published
    ]  # a county sees its city's
    assert not selectors.policy_list_visible_to(anon, region="370102").exists()
    assert list(selectors.policy_list_visible_to(anon, q="研发投入")) == [published]
    assert list(selectors.policy_list_visible_to(anon, validity="open")) == [published]
    Policy.objects.unscoped().filter(pk=published.pk).update(
        valid_until=selectors.today() - datetime.timedelta(days=1)
    )
    assert not selectors.policy_list_visible_to(anon, validity="open").exists()
    assert list(selectors.policy_list_visible_to(anon, validity="expired")) == [published]
