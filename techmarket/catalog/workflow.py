"""The review workflow shared by every Listing type (catalog.registry: review=True).

草稿 → 待审核 → 已发布, or 需整改 (reasons, back to the owner) or 已驳回 (reasons);
then 对接中 → 已解决 / 已关闭. Published items expire after LISTING_EXPIRY_DAYS unless renewed.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techmarket.accounts import roles
from techmarket.audit.services import audit_record

from . import events
from .models import ListingStatus as S
from .visibility import is_owner_member

OWNER, OPERATOR, BROKER, SYSTEM = "owner", "operator", "broker", "system"


@dataclass(frozen=True)
class Action:
    label: Any
    sources: tuple[str, ...]
    target: str
    actors: tuple[str, ...]
    needs_reason: bool = False


ACTIONS: dict[str, Action] = {
    "submit": Action(gettext_lazy("提交审核"), (S.DRAFT, S.CHANGES_REQUESTED), S.PENDING, (OWNER,)),
    "publish": Action(gettext_lazy("审核通过并发布"), (S.PENDING,), S.PUBLISHED, (OPERATOR,)),
    "request_changes": Action(gettext_lazy("退回整改"), (S.PENDING,), S.CHANGES_REQUESTED, (OPERATOR,), True),
    "reject": Action(gettext_lazy("驳回"), (S.PENDING,), S.REJECTED, (OPERATOR,), True),
    "start": Action(gettext_lazy("进入对接"), (S.PUBLISHED,), S.IN_PROGRESS, (OWNER, BROKER, OPERATOR)),
    "solve": Action(gettext_lazy("标记已解决"), (S.PUBLISHED, S.IN_PROGRESS), S.SOLVED, (OWNER, OPERATOR)),
    "close": Action(gettext_lazy("关闭"), (S.DRAFT, S.PUBLISHED, S.IN_PROGRESS, S.CHANGES_REQUESTED, S.EXPIRED),
                    S.CLOSED, (OWNER, OPERATOR)),
    "renew": Action(gettext_lazy("续期"), (S.PUBLISHED, S.IN_PROGRESS, S.EXPIRED), S.PUBLISHED, (OWNER, OPERATOR)),
    "expire": Action(gettext_lazy("到期下架"), (S.PUBLISHED,), S.EXPIRED, (SYSTEM,)),
}


def expiry_from(now: Any) -> Any:
    return now + timedelta(days=settings.LISTING_EXPIRY_DAYS)


def _actor_kinds(user: Any, item: Any) -> set[str]:
    if user is None:
        return {SYSTEM}
    kinds = set()
    if roles.is_operator(user):
        kinds.add(OPERATOR)
    if roles.is_broker(user):
        kinds.add(BROKER)
    if is_owner_member(user, item):
        kinds.add(OWNER)
    return kinds


def available_actions(user: Any, item: Any) -> list[tuple[str, Action]]:
    kinds = _actor_kinds(user, item)
    return [(name, a) for name, a in ACTIONS.items()
            if item.status in a.sources and kinds & set(a.actors) and SYSTEM not in a.actors]


def listing_transition(*, item: Any, action: str, acting_user: Any, reason: str = "") -> Any:
    """Move an item through the workflow; one audit record; raises with a message a person understands."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise ValidationError(_("未知操作：%(a)s") % {"a": action})
    if not (_actor_kinds(acting_user, item) & set(spec.actors)):
        raise PermissionDenied(_("您无权对该条目执行“%(a)s”。") % {"a": spec.label})
    if item.status not in spec.sources:
        raise ValidationError(_("当前状态为“%(s)s”，不能执行“%(a)s”。") % {
            "s": item.get_status_display(), "a": spec.label})
    reason = reason.strip()
    if spec.needs_reason and not reason:
        raise ValidationError({"reason": _("“%(a)s”必须填写原因，所有者会看到它。") % {"a": spec.label}})
    now = timezone.now()
    with transaction.atomic():
        before = {"status": item.status, "expires_at": item.expires_at}
        item.status = spec.target
        if action == "submit":
            item.submitted_at = now
        if action in {"publish", "renew"}:
            item.published_at = item.published_at or now
            item.expires_at = expiry_from(now)
        if spec.needs_reason or action == "publish":
            item.review_note = reason
        item.save()
        audit_record(actor=acting_user, action=f"{item._meta.app_label}.{item._meta.model_name}.{action}",
                     target=item, before=before, after={"status": item.status, "expires_at": item.expires_at},
                     note=reason)
        events.listing_changed(item)
        events.listing_transitioned(item, action)
        if action == "publish":
            events.listing_published(item)
    return item
