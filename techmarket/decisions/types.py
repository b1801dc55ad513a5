"""Declaring a request type: who asks, who decides, the states, the due time; the workflow is derived.

    JOIN = register_request_type(RequestType(
        name="orgs.join_request", model=JoinRequest, requester_field="user",
        subject=lambda r: r.organization,
        may_decide=lambda user, r: roles.is_org_admin(user, r.organization),
        deciders=lambda r: org_admins(r.organization), due_working_days=5,
    ))

Every request then moves through ``decisions.services`` (``request_open``, ``request_decide``,
``request_withdraw``) and so through the one audited workflow transition.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy

from techmarket.workflow import engine
from techmarket.workflow.engine import DECIDER, OPERATOR, REQUESTER, Action, Workflow

from .models import RequestStatus


@dataclass(frozen=True)
class RequestType:
    name: str
    model: type
    requester_field: str
    subject: Callable[[Any], Any]
    may_decide: Callable[[Any, Any], bool]
    deciders: Callable[[Any], Iterable[Any]]
    due_working_days: int | None = 5
    # state values (models that predate the base keep theirs)
    pending: str = RequestStatus.PENDING
    approved: str = RequestStatus.APPROVED
    rejected: str = RequestStatus.REJECTED
    withdrawn: str = RequestStatus.WITHDRAWN
    reason_on_reject: bool = True  # must the decider give a reason when refusing?
    # extra sources: states from which a decider may still approve / reject (e.g. revoke after approval)
    approve_from: tuple[str, ...] = ()
    reject_from: tuple[str, ...] = ()
    reopen_from: tuple[str, ...] = ()  # states from which the requester may ask again
    approve_label: Any = gettext_lazy("同意")
    reject_label: Any = gettext_lazy("拒绝")
    audit_prefix: str = ""
    audit_verbs: dict[str, str] = field(default_factory=dict)
    decided_by_field: str | None = "decided_by"
    decided_at_field: str | None = "decided_at"
    note_field: str | None = "decision_note"
    due_field: str | None = "due_at"
    url: Callable[[Any], str] | None = None
    listeners: tuple[Callable[[Any, str], None], ...] = ()
    is_requester: Callable[[Any, Any], bool] | None = None  # default: the user in requester_field
    audit_target: Callable[[Any], Any] | None = None
    extra_audit: Callable[[Any], dict[str, Any]] | None = None
    # further actions of the derived workflow, e.g. a SYSTEM move when the subject goes away
    extra_actions: dict[str, Action] = field(default_factory=dict)

    def requester(self, obj: Any) -> Any:
        return getattr(obj, self.requester_field)

    def kinds(self, user: Any, obj: Any) -> set[str]:
        kinds = set()
        if self.is_requester is not None:
            if self.is_requester(user, obj):
                kinds.add(REQUESTER)
        elif getattr(self.requester(obj), "pk", None) == getattr(user, "pk", None):
            kinds.add(REQUESTER)
        if self.may_decide(user, obj):
            kinds.add(DECIDER)
        from techmarket.accounts import roles

        if roles.is_operator(user):
            kinds.add(OPERATOR)
        return kinds

    def build_workflow(self) -> Workflow:
        stamps = tuple(f for f in (self.decided_at_field,) if f)
        by = tuple(f for f in (self.decided_by_field,) if f)
        due = self.due_working_days
        verb = self.audit_verbs.get
        actions = {
            "approve": Action(
                self.approve_label,
                (self.pending, *self.approve_from),
                self.approved,
                (DECIDER,),
                stamps=stamps,
                by_fields=by,
                writes_reason=True,
                audit_verb=verb("approve", ""),
            ),
            "reject": Action(
                self.reject_label,
                (self.pending, *self.reject_from),
                self.rejected,
                (DECIDER,),
                needs_reason=self.reason_on_reject,
                writes_reason=True,
                stamps=stamps,
                by_fields=by,
                audit_verb=verb("reject", ""),
            ),
            "withdraw": Action(
                gettext_lazy("撤回申请"),
                (self.pending,),
                self.withdrawn,
                (REQUESTER,),
                stamps=stamps,
                audit_verb=verb("withdraw", ""),
            ),
        }
        if self.reopen_from:
            actions["reopen"] = Action(
                gettext_lazy("重新申请"),
                self.reopen_from,
                self.pending,
                (REQUESTER,),
                due_working_days=due,
                audit_verb=verb("reopen", ""),
            )
        actions.update(self.extra_actions)
        return Workflow(
            name=self.name,
            model=self.model,
            actions=actions,
            actor_kinds=self.kinds,
            reason_field=self.note_field,
            due_field=self.due_field,
            audit_prefix=self.audit_prefix,
            responsible=self.deciders,
            url=self.url,
            listeners=self.listeners,
            audit_target=self.audit_target,
            extra_audit=self.extra_audit,
            audit_fields=("status",),
        )


_TYPES: dict[str, tuple[RequestType, Workflow]] = {}


def register_request_type(request_type: RequestType) -> RequestType:
    workflow = engine.register(request_type.build_workflow())
    _TYPES[request_type.name] = (request_type, workflow)
    return request_type


def workflow_of(request_type: RequestType) -> Workflow:
    return _TYPES[request_type.name][1]
