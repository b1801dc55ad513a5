"""The owner hears how the review of its need or achievement ended: published, sent back, or rejected.

Registered in NotificationsConfig.ready with catalog.events.on_listing_transition, which owes the task
through the outbox (notifications.tasks.schedule_review_notice); it runs after the transition committed. Everybody in the owning organisation who may see the item gets one in-site notice
(and an e-mail) per review decision.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from .services import notify_users

# In a sentence ("您的需求“…”已审核通过"), so English reads "Your need “…”" in lower case.
KIND_NAMES = {
    "needs.need": pgettext_lazy("in a sentence", "需求"),
    "achievements.achievement": pgettext_lazy("in a sentence", "成果"),
}
DETAIL_URLS = {"needs.need": "needs:detail", "achievements.achievement": "achievements:detail"}


def _message(action: str, kind: str, title: str, reason: str) -> tuple[str, str] | None:
    if action == "publish":
        return (
            _("您的%(kind)s“%(title)s”已审核通过并发布") % {"kind": kind, "title": title},
            _("现在所有可见范围内的用户都能看到它，系统会为它推荐匹配的对象。"),
        )
    if action == "request_changes":
        return (
            _("您的%(kind)s“%(title)s”需要整改") % {"kind": kind, "title": title},
            _("审核意见：%(reason)s。修改后请重新提交审核。") % {"reason": reason},
        )
    if action == "reject":
        return (
            _("您的%(kind)s“%(title)s”未通过审核") % {"kind": kind, "title": title},
            _("驳回原因：%(reason)s") % {"reason": reason},
        )
    return None


def notify_review_outcome(label: str, pk: int, action: str) -> int:
    """Tell the owning organisation's members about a review decision; returns how many were told."""
    if label not in KIND_NAMES or action not in {"publish", "request_changes", "reject"}:
        return 0
    item = apps.get_model(label).objects.filter(pk=pk).select_related("owner").first()
    if item is None:
        return 0
    message = _message(action, str(KIND_NAMES[label]), item.title, item.review_note)
    if message is None:
        return 0
    members = (
        get_user_model()
        .objects.filter(
            is_active=True, memberships__organization_id=item.owner_id, memberships__is_active=True
        )
        .distinct()
    )
    try:
        url = reverse(DETAIL_URLS[label], args=[pk])
    except NoReverseMatch:
        url = ""
    # One notice per decision: a need sent back twice is told twice, a retried task only once.
    submitted = int(item.submitted_at.timestamp()) if item.submitted_at else 0
    key = f"review:{label.split('.')[1]}:{pk}:{action}:{submitted}"
    return notify_users(
        users=list(members), title=message[0], body=message[1], url=url, item_key=key, email=True
    )
