"""Registration (技术合同认定登记): 待提交 → 待认定 → 已登记 (number, date) or 不予登记 (reason)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import roles
from techmarket.workflow import engine
from techmarket.workflow.engine import BROKER, OPERATOR, OWNER, Action, Workflow

from .models import ContractParty, TechContract

S = TechContract.Status
REVIEW_WORKING_DAYS = 10


def actor_kinds(user: Any, contract: TechContract) -> set[str]:
    kinds: set[str] = set()
    # The registration office (登记机构) is run by the bureau or, for it, the platform operator.
    if roles.is_operator(user) or roles.is_bureau(user):
        kinds.add(OPERATOR)
    orgs = {o.pk for o in roles.user_organizations(user)}
    party_orgs = set(
        ContractParty.objects.filter(contract=contract, organization__isnull=False).values_list(
            "organization_id", flat=True
        )
    )
    if contract.owner_id in orgs or party_orgs & orgs or contract.created_by_id == user.pk:
        kinds.add(OWNER)
    if contract.engagement_id:
        from .engagement_link import is_engagement_broker

        if is_engagement_broker(user, contract.engagement):
            kinds.add(BROKER)  # the broker records the contract for the parties
    return kinds


def _responsible(contract: TechContract) -> list[Any]:
    from techmarket.workflow.selectors import operator_users

    return list(operator_users()) if contract.status == S.SUBMITTED else []


CONTRACT_REGISTRATION = engine.register(
    Workflow(
        name="contracts.techcontract",
        model=TechContract,
        actor_kinds=actor_kinds,
        reason_field="review_note",
        due_field="due_at",
        audit_prefix="contracts.contract",
        responsible=_responsible,
        url=lambda c: reverse("contracts:detail", args=[c.pk]),
        audit_fields=("status", "registration_number", "registered_on", "review_note", "due_at"),
        actions={
            "submit": Action(
                _("提交认定登记"),
                (S.DRAFT,),
                S.SUBMITTED,
                (OWNER, BROKER, OPERATOR),
                stamps=("submitted_at",),
                due_working_days=REVIEW_WORKING_DAYS,
            ),
            "withdraw": Action(_("撤回"), (S.SUBMITTED,), S.DRAFT, (OWNER, BROKER)),
            "register": Action(
                _("认定登记"),
                (S.SUBMITTED,),
                S.REGISTERED,
                (OPERATOR,),
                stamps=("decided_at",),
                by_fields=("decided_by",),
                writes_reason=True,
            ),
            "refuse": Action(
                _("不予登记"),
                (S.SUBMITTED,),
                S.REFUSED,
                (OPERATOR,),
                needs_reason=True,
                stamps=("decided_at",),
                by_fields=("decided_by",),
                reason_message=_("不予登记必须写明原因，申请单位会看到它。"),
            ),
            "revise": Action(_("修改后重新提交"), (S.REFUSED,), S.DRAFT, (OWNER, BROKER, OPERATOR)),
        },
    )
)
