"""Two requests on the decisions base: a points declaration (an operator verifies it) and a loan application
(the product's bank or guarantor approves with terms or declines with a reason the enterprise sees)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.audit.services import snapshot
from techmarket.decisions.types import RequestType, register_request_type

from .models import Declaration, LoanApplication


def _member(user: Any, org_id: int) -> bool:
    from techmarket.accounts import roles

    return any(o.pk == org_id for o in roles.user_organizations(user))


def _is_operator(user: Any) -> bool:
    from techmarket.accounts import roles

    return bool(getattr(user, "is_authenticated", False) and roles.is_operator(user))


def _operators(_obj: Any) -> list[Any]:
    from techmarket.workflow.selectors import operator_users

    return list(operator_users())


def _provider_staff(application: LoanApplication) -> list[Any]:
    from techmarket.orgs.models import Membership

    return [
        m.user
        for m in Membership.objects.filter(
            organization_id=application.product.provider_id, is_active=True
        ).select_related("user")
    ]


def may_decide_loan(user: Any, application: LoanApplication) -> bool:
    """Staff of the product's bank or guarantor, and nobody else (operators do not decide loans)."""
    return _member(user, application.product.provider_id)


DECLARATION = register_request_type(
    RequestType(
        name="finance.declaration",
        model=Declaration,
        requester_field="requested_by",
        is_requester=lambda user, d: _member(user, d.organization_id),
        subject=lambda d: d.organization,
        may_decide=lambda user, d: _is_operator(user),
        deciders=_operators,
        due_working_days=5,
        approve_label=_("核验通过"),
        reject_label=_("退回"),
        audit_prefix="finance.declaration",
        audit_verbs={"approve": "verify", "reject": "return"},
        extra_audit=lambda d: snapshot(d, ["organization_id", "source", "year", "value"]),
        url=lambda d: reverse("finance:points", args=[d.organization_id]),
    )
)

LOAN_APPLICATION = register_request_type(
    RequestType(
        name="finance.loan_application",
        model=LoanApplication,
        requester_field="requested_by",
        is_requester=lambda user, a: _member(user, a.organization_id),
        subject=lambda a: a.product,
        may_decide=may_decide_loan,
        deciders=_provider_staff,
        due_working_days=10,
        approve_label=_("批准"),
        reject_label=_("不予批准"),
        audit_prefix="finance.loan_application",
        extra_audit=lambda a: snapshot(
            a,
            [
                "product_id",
                "organization_id",
                "amount",
                "approved_amount",
                "approved_rate",
                "approved_term_months",
            ],
        ),
        url=lambda a: reverse("finance:application", args=[a.pk]),
    )
)
