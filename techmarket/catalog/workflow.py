"""The review workflow shared by every Listing type (catalog.registry: review=True), declared as a
table on the workflow engine.

草稿 → 待审核 → 已发布, or 需整改 (reasons, back to the owner) or 已驳回 (reasons);
then 对接中 (when the first engagement opens) → 已解决 (only through an engagement ended 成交) / 已关闭. Published items expire after LISTING_EXPIRY_DAYS unless renewed.
A submitted item is due for review within LISTING_REVIEW_WORKING_DAYS Chinese working days.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy

from techmarket.accounts import roles
from techmarket.workflow import engine
from techmarket.workflow.engine import BROKER, OPERATOR, OWNER, SYSTEM, Action, Workflow

from . import events
from .models import ListingStatus as S
from .visibility import is_owner_member

__all__ = [
    "ACTIONS",
    "Action",
    "OWNER",
    "OPERATOR",
    "BROKER",
    "SYSTEM",
    "available_actions",
    "listing_transition",
    "listing_workflow",
    "expiry_from",
    "review_due",
]

REVIEW_DAYS = getattr(settings, "LISTING_REVIEW_WORKING_DAYS", 5)

ACTIONS: dict[str, Action] = {
    "submit": Action(
        gettext_lazy("提交审核"),
        (S.DRAFT, S.CHANGES_REQUESTED),
        S.PENDING,
        (OWNER,),
        stamps=("submitted_at",),
        due_working_days=REVIEW_DAYS,
    ),
    "publish": Action(
        gettext_lazy("审核通过并发布"),
        (S.PENDING,),
        S.PUBLISHED,
        (OPERATOR,),
        keep_stamps=("published_at",),
        writes_reason=True,
    ),
    "request_changes": Action(
        gettext_lazy("退回整改"),
        (S.PENDING,),
        S.CHANGES_REQUESTED,
        (OPERATOR,),
        True,
        reason_message=gettext_lazy("“退回整改”必须填写原因，所有者会看到它。"),
    ),
    "reject": Action(
        gettext_lazy("驳回"),
        (S.PENDING,),
        S.REJECTED,
        (OPERATOR,),
        True,
        reason_message=gettext_lazy("“驳回”必须填写原因，所有者会看到它。"),
    ),
    # 对接中 and 已解决 follow the engagements (techmarket.engagements): the first engagement opened on an item
    # starts it, an engagement ended 成交 solves it, and when the last open one is terminated it is listed
    # again. Nobody sets them by hand: a "solved" item without a counterparty records nothing.
    "start": Action(gettext_lazy("进入对接"), (S.PUBLISHED,), S.IN_PROGRESS, (SYSTEM,)),
    "solve": Action(gettext_lazy("标记已解决"), (S.IN_PROGRESS,), S.SOLVED, (SYSTEM,)),
    "resume": Action(gettext_lazy("恢复发布"), (S.IN_PROGRESS,), S.PUBLISHED, (SYSTEM,)),
    "close": Action(
        gettext_lazy("关闭"),
        (S.DRAFT, S.PUBLISHED, S.IN_PROGRESS, S.CHANGES_REQUESTED, S.EXPIRED),
        S.CLOSED,
        (OWNER, OPERATOR),
    ),
    "renew": Action(
        gettext_lazy("续期"),
        (S.PUBLISHED, S.IN_PROGRESS, S.EXPIRED),
        S.PUBLISHED,
        (OWNER, OPERATOR),
        keep_stamps=("published_at",),
    ),
    "expire": Action(gettext_lazy("到期下架"), (S.PUBLISHED,), S.EXPIRED, (SYSTEM,)),
}


def review_due(now: Any) -> Any:
    """When an item sent to review (by submitting, or by editing a listed item) is due for a decision."""
    from techmarket.workflow.workdays import add_working_days

    return add_working_days(now, REVIEW_DAYS)


def expiry_from(now: Any) -> Any:
    return now + timedelta(days=settings.LISTING_EXPIRY_DAYS)


def _actor_kinds(user: Any, item: Any) -> set[str]:
    kinds = set()
    if roles.is_operator(user):
        kinds.add(OPERATOR)
    if roles.is_broker(user):
        kinds.add(BROKER)
    if is_owner_member(user, item):
        kinds.add(OWNER)
    return kinds


def _apply(item: Any, action: str, now: Any, reason: str) -> None:
    if action in {"publish", "renew"}:
        item.expires_at = expiry_from(now)


def _events(item: Any, action: str) -> None:
    # Inside the transaction: listeners owe their work through the outbox, which commits with the move.
    events.listing_changed(item)
    events.listing_transitioned(item, action)
    if action == "publish":
        events.listing_published(item)


def _responsible(item: Any) -> list[Any]:
    from techmarket.workflow.selectors import operator_users

    return list(operator_users()) if item.status == S.PENDING else []


def _url(item: Any) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(f"{item._meta.app_label}:detail", kwargs={f"{item._meta.model_name}_id": item.pk})
    except NoReverseMatch:
        return ""


def listing_workflow(model: Any) -> Workflow:
    """The review workflow of one concrete catalogue model (registered once per model)."""
    name = f"listing:{model._meta.label_lower}"
    try:
        return engine.get(name)
    except KeyError:
        return engine.register(
            Workflow(
                name=name,
                model=model,
                actions=ACTIONS,
                actor_kinds=_actor_kinds,
                reason_field="review_note",
                due_field="due_at",
                apply=_apply,
                events=(_events,),
                responsible=_responsible,
                url=_url,
                extra_audit=lambda item: {"expires_at": item.expires_at},
            )
        )


def available_actions(user: Any, item: Any) -> list[tuple[str, Action]]:
    return listing_workflow(type(item)).available(user, item)


def listing_transition(
    *, item: Any, action: str, acting_user: Any, reason: str = "", expected_state: str | None = None
) -> Any:
    """Move an item through the workflow; one audit record; raises with a message a person understands.
    ``expected_state`` is the state the person saw; a move made meanwhile by someone else is refused."""
    return engine.transition(
        workflow=listing_workflow(type(item)),
        obj=item,
        action=action,
        acting_user=acting_user,
        reason=reason,
        expected_state=expected_state,
    )
