"""The table-driven workflow: states and actions as data, one audited transition service.

A workflow is declared once (``Workflow(...)``) and registered; a domain then only calls
``transition(workflow=..., obj=..., action=..., acting_user=...)``. The service

- checks that the acting user is one of the action's actor kinds (the workflow's ``actor_kinds``
  function says which kinds a user is for an object: owner, operator, broker, requester, decider, system…);
- refuses a stale move: the caller passes the state it saw (``expected_state``, default: the state of the
  object it holds); the row is locked (SELECT … FOR UPDATE) and moved with a conditional UPDATE, so of two
  concurrent moves the second gets "该条目已被他人处理（当前状态：…），请刷新后重试";
- requires a reason where the table says so, sets the time stamps and the due time (Chinese working days);
- writes exactly one audit record, runs the workflow's ``events`` inside the transaction (listeners that owe
  work through the outbox, whose row commits with the move) and its ``listeners`` after the commit.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.audit.services import audit_record

OWNER, OPERATOR, BROKER, SYSTEM = "owner", "operator", "broker", "system"
REQUESTER, DECIDER = "requester", "decider"


@dataclass(frozen=True)
class Action:
    """One row of a workflow table."""

    label: Any
    sources: tuple[str, ...]
    target: str
    actors: tuple[str, ...]
    needs_reason: bool = False
    stamps: tuple[str, ...] = ()  # datetime fields set to "now" by this action
    keep_stamps: tuple[str, ...] = ()  # datetime fields set to "now" only when still empty
    by_fields: tuple[str, ...] = ()  # user fields set to the acting user (e.g. decided_by)
    due_working_days: int | None = None  # sets the workflow's due field; None clears it
    writes_reason: bool | None = None  # store the reason in the reason field (default: needs_reason)
    audit_verb: str = ""  # the last part of the audit action name (default: the action name)
    reason_message: Any = None  # what to say when a required reason is missing


class StaleTransition(ValidationError):
    """The object moved on since the caller looked at it."""


@dataclass(frozen=True)
class Workflow:
    """A state machine over one model's state field, declared as data plus a small adapter."""

    name: str
    model: type[models.Model]
    actions: dict[str, Action]
    actor_kinds: Callable[[Any, Any], set[str]]
    state_field: str = "status"
    reason_field: str | None = None
    due_field: str | None = None
    audit_prefix: str | Callable[[Any], str] = ""
    # adapter hook: extra field changes of an action, called as apply(obj, action_name, now, reason)
    apply: Callable[[Any, str, Any, str], None] | None = None
    # hooks called inside the transaction, after the audit record, as hook(obj, action_name): for listeners
    # that owe work through the outbox (techmarket.outbox), whose row commits with the move
    events: tuple[Callable[[Any, str], None], ...] = ()
    # after-commit listeners, called as listener(obj, action_name)
    listeners: tuple[Callable[[Any, str], None], ...] = ()
    # preconditions of a move, called as preconditions(obj, action_name) under the row lock: the messages of
    # what is still missing (e.g. required checklist items); a move with any is refused with all of them
    preconditions: Callable[[Any, str], list[str]] | None = None
    # who is responsible for an overdue object (people to remind), and its page
    responsible: Callable[[Any], Iterable[Any]] | None = None
    url: Callable[[Any], str] | None = None
    extra_audit: Callable[[Any], dict[str, Any]] | None = None
    # fields recorded before/after (default: the state, the action's stamps and the due time)
    audit_fields: tuple[str, ...] | None = None
    # the object the audit record is filed under (default: the object itself), e.g. a need for its revisions
    audit_target: Callable[[Any], Any] | None = None
    labels: dict[str, Any] = field(default_factory=dict)

    def action(self, name: str) -> Action:
        try:
            return self.actions[name]
        except KeyError:
            raise ValidationError(_("未知操作：%(a)s") % {"a": name}) from None

    def state_of(self, obj: Any) -> str:
        return str(getattr(obj, self.state_field))

    def state_label(self, obj: Any, state: str) -> str:
        choices = dict(getattr(self.model._meta.get_field(self.state_field), "choices", None) or [])
        return str(choices.get(state, state))

    def kinds(self, user: Any, obj: Any) -> set[str]:
        if user is None:
            return {SYSTEM}
        if not getattr(user, "is_authenticated", False):
            return set()
        return set(self.actor_kinds(user, obj)) - {SYSTEM}

    def available(self, user: Any, obj: Any) -> list[tuple[str, Action]]:
        """The actions this user may take now (never system-only ones)."""
        kinds = self.kinds(user, obj)
        state = self.state_of(obj)
        return [
            (name, a)
            for name, a in self.actions.items()
            if state in a.sources and kinds & set(a.actors) and SYSTEM not in a.actors
        ]

    def may(self, user: Any, obj: Any, action: str) -> bool:
        spec = self.actions.get(action)
        return spec is not None and bool(self.kinds(user, obj) & set(spec.actors))

    def audit_action(self, obj: Any, action: str) -> str:
        prefix = self.audit_prefix(obj) if callable(self.audit_prefix) else self.audit_prefix
        prefix = prefix or f"{obj._meta.app_label}.{obj._meta.model_name}"
        return f"{prefix}.{self.actions[action].audit_verb or action}"


_REGISTRY: dict[str, Workflow] = {}


def register(workflow: Workflow) -> Workflow:
    """Register a workflow under its name (idempotent for the same object); returns it."""
    existing = _REGISTRY.get(workflow.name)
    if existing is not None and existing is not workflow and existing.model is not workflow.model:
        raise ValueError(f"workflow {workflow.name!r} is already registered for {existing.model}")
    _REGISTRY[workflow.name] = workflow
    return workflow


def registered() -> list[Workflow]:
    return list(_REGISTRY.values())


def get(name: str) -> Workflow:
    return _REGISTRY[name]


def stale_message(workflow: Workflow, obj: Any, current: str) -> str:
    return _("该条目已被他人处理（当前状态：%(s)s），请刷新后重试。") % {
        "s": workflow.state_label(obj, current)
    }


def transition(
    *,
    workflow: Workflow,
    obj: Any,
    action: str,
    acting_user: Any,
    reason: str = "",
    expected_state: str | None = None,
    request: Any = None,
    changes: dict[str, Any] | None = None,
) -> Any:
    """Move ``obj`` by ``action``; one audit record; raises with a message a person understands.
    ``changes`` are other field values saved (and audited) with the move, e.g. a corrected registration."""
    spec = workflow.action(action)
    if not (workflow.kinds(acting_user, obj) & set(spec.actors)):
        raise PermissionDenied(_("您无权对该条目执行“%(a)s”。") % {"a": spec.label})
    seen = workflow.state_of(obj) if expected_state is None else expected_state
    reason = (reason or "").strip()
    if spec.needs_reason and not reason:
        message = spec.reason_message or _("“%(a)s”必须填写原因，对方会看到它。") % {"a": spec.label}
        raise ValidationError({"reason": str(message)})
    model = type(obj)
    with transaction.atomic():
        current = (
            model._base_manager.select_for_update()
            .filter(pk=obj.pk)
            .values_list(workflow.state_field, flat=True)
            .first()
        )
        if current is None:
            raise ValidationError(_("该条目已不存在，请刷新后重试。"))
        if current != seen:
            raise StaleTransition(stale_message(workflow, obj, current))
        if seen not in spec.sources:
            raise ValidationError(
                _("当前状态为“%(s)s”，不能执行“%(a)s”。")
                % {"s": workflow.state_label(obj, seen), "a": spec.label}
            )
        if workflow.preconditions is not None:
            missing = workflow.preconditions(obj, action)
            if missing:
                raise ValidationError([str(m) for m in missing])
        # The conditional UPDATE is the guard on databases without row locks (SQLite): only one of two
        # concurrent moves from the same state changes a row.
        moved = model._base_manager.filter(pk=obj.pk, **{workflow.state_field: seen}).update(
            **{workflow.state_field: spec.target}
        )
        if moved != 1:
            now_state = (
                model._base_manager.filter(pk=obj.pk).values_list(workflow.state_field, flat=True).first()
            )
            raise StaleTransition(stale_message(workflow, obj, str(now_state)))
        now = timezone.now()
        if workflow.audit_fields is not None:
            audited = list(workflow.audit_fields)
        else:
            audited = [workflow.state_field, *spec.stamps, *spec.keep_stamps]
            if workflow.due_field:
                audited.append(workflow.due_field)
        before = {name: getattr(obj, name) for name in audited}
        if workflow.extra_audit:
            before.update(workflow.extra_audit(obj))
        setattr(obj, workflow.state_field, spec.target)
        for name, value in (changes or {}).items():
            setattr(obj, name, value)
        for name in spec.stamps:
            setattr(obj, name, now)
        for name in spec.keep_stamps:
            if getattr(obj, name) is None:
                setattr(obj, name, now)
        for name in spec.by_fields:
            setattr(obj, name, acting_user)
        if workflow.due_field:
            from .workdays import add_working_days

            due = add_working_days(now, spec.due_working_days) if spec.due_working_days is not None else None
            setattr(obj, workflow.due_field, due)
        writes_reason = spec.needs_reason if spec.writes_reason is None else spec.writes_reason
        if workflow.reason_field and writes_reason:
            setattr(obj, workflow.reason_field, reason)
        if workflow.apply is not None:
            workflow.apply(obj, action, now, reason)
        obj.save()
        after = {name: getattr(obj, name) for name in audited}
        if workflow.extra_audit:
            after.update(workflow.extra_audit(obj))
        target = workflow.audit_target(obj) if workflow.audit_target else obj
        audit_record(
            actor=acting_user,
            action=workflow.audit_action(obj, action),
            target=target,
            before=before,
            after=after,
            note=reason,
            request=request,
        )
        for hook in workflow.events:
            hook(obj, action)
        for listener in workflow.listeners:
            transaction.on_commit(partial(listener, obj, action))
    return obj
