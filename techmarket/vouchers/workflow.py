"""A voucher use: 已使用 → (the provider claims with evidence) 已申请兑付 → (the bureau settles) 已结算.

The bureau may send a claim back (退回, with the reason the provider sees) to 已使用; the holder may cancel
a use nobody has claimed yet (已撤销), which gives the amount back to the voucher in the same transaction.
"""

from typing import Any

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import roles
from techmarket.workflow import engine
from techmarket.workflow.engine import OPERATOR, OWNER, Action, Workflow

from .models import Voucher, VoucherUse

S = VoucherUse.Status
PROVIDER = "provider"
SETTLE_WORKING_DAYS = 10


def actor_kinds(user: Any, use: VoucherUse) -> set[str]:
    kinds: set[str] = set()
    if roles.is_bureau(user) or roles.is_operator(user):
        kinds.add(OPERATOR)
    orgs = {o.pk for o in roles.user_organizations(user)}
    if use.voucher.holder_id in orgs:
        kinds.add(OWNER)
    if use.provider_id in orgs:
        kinds.add(PROVIDER)
    return kinds


def _apply(use: VoucherUse, action: str, now: Any, reason: str) -> None:
    if action == "claim":
        use.evidence = reason[:2000]
        use.return_note = ""
    elif action == "send_back":
        use.return_note = reason[:500]
    elif action == "settle":
        use.settle_note = reason[:500]


def _give_back(use: VoucherUse, action: str) -> None:
    """A cancelled use returns its amount to the voucher (inside the move's transaction, row locked)."""
    if action == "cancel":
        Voucher.objects.unscoped().select_for_update().filter(pk=use.voucher_id).first()
        Voucher.objects.unscoped().filter(pk=use.voucher_id).update(balance=F("balance") + use.amount)


def _responsible(use: VoucherUse) -> list[Any]:
    from techmarket.orgs.models import Membership, Role

    if use.status != S.CLAIMED:
        return []
    return [
        m.user
        for m in Membership.objects.filter(
            organization_id=use.voucher.batch.issuer_id, role=Role.BUREAU, is_active=True
        ).select_related("user")
    ]


VOUCHER_USE = engine.register(
    Workflow(
        name="vouchers.voucheruse",
        model=VoucherUse,
        actor_kinds=actor_kinds,
        due_field="due_at",
        audit_prefix="vouchers.use",
        apply=_apply,
        events=(_give_back,),
        responsible=_responsible,
        url=lambda u: reverse("vouchers:use_detail", args=[u.pk]),
        audit_fields=("status", "amount", "evidence", "return_note", "settle_note", "due_at"),
        extra_audit=lambda u: {"voucher": u.voucher_id, "booking": u.booking_id, "provider": u.provider_id},
        actions={
            "claim": Action(
                _("申请兑付"),
                (S.SPENT,),
                S.CLAIMED,
                (PROVIDER,),
                needs_reason=True,
                reason_message=_("申请兑付须写明服务完成情况（如报告编号、发票号），科技局据此结算。"),
                stamps=("claimed_at",),
                by_fields=("claimed_by",),
                due_working_days=SETTLE_WORKING_DAYS,
            ),
            "send_back": Action(
                _("退回补充"),
                (S.CLAIMED,),
                S.SPENT,
                (OPERATOR,),
                needs_reason=True,
                reason_message=_("退回须写明原因，服务机构会看到它。"),
            ),
            "settle": Action(
                _("结算"),
                (S.CLAIMED,),
                S.SETTLED,
                (OPERATOR,),
                stamps=("settled_at",),
                by_fields=("settled_by",),
            ),
            "cancel": Action(
                _("撤销使用"),
                (S.SPENT,),
                S.CANCELLED,
                (OWNER, OPERATOR),
                stamps=("cancelled_at",),
            ),
        },
    )
)
