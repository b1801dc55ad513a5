"""Opening, deciding and withdrawing any request: one audited workflow transition each."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from techmarket.audit.services import audit_record
from techmarket.workflow.engine import transition
from techmarket.workflow.workdays import add_working_days

from .types import RequestType, workflow_of


def request_due(request_type: RequestType, *, now: Any = None) -> Any:
    """The due time of a new request: REQUEST_DUE_WORKING_DAYS[name] (operators' setting per request kind)
    or the declaration's due_working_days; None means no deadline."""
    days = getattr(settings, "REQUEST_DUE_WORKING_DAYS", {}).get(
        request_type.name, request_type.due_working_days
    )
    if days is None:
        return None
    return add_working_days(now or timezone.now(), days)


def request_open(
    *,
    request_type: RequestType,
    obj: Any,
    acting_user: Any,
    audit_verb: str = "request",
    after: dict[str, Any] | None = None,
    before: dict[str, Any] | None = None,
    note: str = "",
) -> Any:
    """Save a new (or re-asked) request as pending with its due time, and audit it once."""
    with transaction.atomic():
        setattr(obj, workflow_of(request_type).state_field, request_type.pending)
        if request_type.due_field:
            setattr(obj, request_type.due_field, request_due(request_type))
        obj.save()
        workflow = workflow_of(request_type)
        prefix = request_type.audit_prefix or f"{obj._meta.app_label}.{obj._meta.model_name}"
        target = request_type.audit_target(obj) if request_type.audit_target else obj
        audit_record(
            actor=acting_user,
            action=f"{prefix}.{audit_verb}",
            target=target,
            before=before,
            after=after if after is not None else {workflow.state_field: request_type.pending},
            note=note,
        )
    return obj


def request_decide(
    *,
    request_type: RequestType,
    obj: Any,
    acting_user: Any,
    approve: bool,
    reason: str = "",
    expected_state: str | None = None,
) -> Any:
    return transition(
        workflow=workflow_of(request_type),
        obj=obj,
        action="approve" if approve else "reject",
        acting_user=acting_user,
        reason=reason,
        expected_state=expected_state,
    )


def request_withdraw(
    *, request_type: RequestType, obj: Any, acting_user: Any, expected_state: str | None = None
) -> Any:
    return transition(
        workflow=workflow_of(request_type),
        obj=obj,
        action="withdraw",
        acting_user=acting_user,
        expected_state=expected_state,
    )


def request_reopen(
    *, request_type: RequestType, obj: Any, acting_user: Any, expected_state: str | None = None
) -> Any:
    return transition(
        workflow=workflow_of(request_type),
        obj=obj,
        action="reopen",
        acting_user=acting_user,
        expected_state=expected_state,
    )
