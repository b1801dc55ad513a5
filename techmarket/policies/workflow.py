"""The policy lifecycle and the payment step of an application, as workflow tables.

草稿 → 已发布 (operators; the publish pushes it to matching enterprises through the outbox) → 已停止
(with a reason) → 已发布 again. An approved application is paid by the bureau: 已核定 → 已拨付.
"""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.workflow import engine
from techmarket.workflow.engine import DECIDER, OPERATOR, Action, Workflow

from .models import Policy as P
from .models import PolicyApplication as A
from .permissions import may_decide_applications, may_manage_policies


def policy_actor_kinds(user: Any, policy: P) -> set[str]:
    return {OPERATOR} if may_manage_policies(user) else set()


def _enqueue_push(policy: P, action: str) -> None:
    if action in ("publish", "republish"):
        from techmarket.outbox.services import outbox_enqueue

        outbox_enqueue(task="techmarket.policies.tasks.push_policy", args=[policy.pk])


POLICY = engine.register(
    Workflow(
        name="policies.policy",
        model=P,
        actor_kinds=policy_actor_kinds,
        reason_field="status_note",
        audit_prefix="policies.policy",
        url=lambda p: reverse("policies:detail", args=[p.pk]),
        events=(_enqueue_push,),
        actions={
            "publish": Action(
                _("发布并推送"), (P.Status.DRAFT,), P.Status.PUBLISHED, (OPERATOR,), stamps=("published_at",)
            ),
            "withdraw": Action(
                _("停止"),
                (P.Status.PUBLISHED,),
                P.Status.WITHDRAWN,
                (OPERATOR,),
                needs_reason=True,
                reason_message=_("停止政策必须说明原因。"),
            ),
            "republish": Action(
                _("重新发布"),
                (P.Status.WITHDRAWN,),
                P.Status.PUBLISHED,
                (OPERATOR,),
                stamps=("published_at",),
            ),
        },
    )
)


def _notify_paid(application: A, action: str) -> None:
    from .notify import application_decided

    application_decided(application, action)


def payment_actor_kinds(user: Any, application: A) -> set[str]:
    return {DECIDER} if may_decide_applications(user) else set()


PAYMENT = engine.register(
    Workflow(
        name="policies.application_payment",
        model=A,
        actor_kinds=payment_actor_kinds,
        audit_prefix="policies.application",
        url=lambda a: reverse("policies:application", args=[a.pk]),
        audit_fields=("status", "paid_amount", "paid_at", "payment_reference"),
        listeners=(_notify_paid,),
        actions={
            "pay": Action(
                _("确认拨付"),
                (A.Status.APPROVED,),
                A.Status.PAID,
                (DECIDER,),
                stamps=("paid_at",),
                by_fields=("paid_by",),
            ),
        },
    )
)
