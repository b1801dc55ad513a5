"""Writes on saved searches and notifications, and the fan-out after a catalogue item is published.

E-mail rate limit: at most one e-mail per saved search per NOTIFY_EMAIL_MIN_INTERVAL_MINUTES. An item
that matches inside the interval is notified in-site at once and its id waits in
SavedSearch.pending_item_ids; the next e-mail (the next matching item after the interval, or
saved_search_flush_due_emails run periodically) lists every waiting item. Pending ids are kept on the
row rather than in a digest table: one row lock orders concurrent tasks and the state is visible in admin.
"""

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.audit.services import audit_record, snapshot
from techmarket.catalog import registry

from . import selectors
from .models import Notification, NotificationKind, SavedSearch
from .registry import list_url_with_params, params_from_query, target_for_model, target_labels, target_spec

logger = logging.getLogger(__name__)

MAX_SAVED_SEARCHES = 20
AUDITED_FIELDS = ["name", "target", "params", "notify_email", "notify_in_site"]


def _check_owner(saved: SavedSearch, acting_user: Any) -> None:
    if saved.user_id != getattr(acting_user, "pk", None):
        raise PermissionDenied(_("只能管理自己的订阅。"))


def _default_name(saved: SavedSearch) -> str:
    summary = "；".join(value for _label, value in selectors.filter_summary(saved))
    prefix = saved.get_target_display()
    return (f"{prefix}：{summary}" if summary else _("全部%(target)s") % {"target": prefix})[:60]


def saved_search_create(
    *,
    user: Any,
    target: str,
    query_string: str,
    name: str = "",
    notify_email: bool = True,
    notify_in_site: bool = True,
) -> SavedSearch:
    """Save the filters of a list page's query string (page number and unknown keys are dropped)."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("请先登录再保存订阅。"))
    spec = target_spec(target)
    if spec is None:
        raise ValidationError(
            {
                "target": _("暂不支持订阅“%(t)s”。可订阅：%(types)s。")
                % {"t": target, "types": target_labels()}
            }
        )
    params = params_from_query(QueryDict(query_string), spec.form_class())
    saved = SavedSearch(
        user=user,
        target=target,
        params=params,
        name=name.strip(),
        notify_email=notify_email,
        notify_in_site=notify_in_site,
    )
    if selectors.selector_filters(spec, params) is None:
        raise ValidationError({"params": _("筛选条件无效，请在列表页重新选择筛选条件后再保存。")})
    if not notify_email and not notify_in_site:
        raise ValidationError({"notify_email": _("请至少选择一种通知方式：站内通知或邮件通知。")})
    with transaction.atomic():
        # Lock the user's row so two quick clicks cannot both pass the limit check.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        existing = list(SavedSearch.objects.filter(user=user))
        if len(existing) >= MAX_SAVED_SEARCHES:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: _(
                        "每位用户最多保存 %(n)s 个订阅，您已达到上限。请先在“我的订阅”中删除不再需要的订阅。"
                    )
                    % {"n": MAX_SAVED_SEARCHES}
                }
            )
        if any(s.target == target and s.params == params for s in existing):
            raise ValidationError({NON_FIELD_ERRORS: _("您已订阅过相同的筛选条件，无需重复保存。")})
        if not saved.name:
            saved.name = _default_name(saved)
        saved.full_clean(exclude=["user"])
        saved.save()
        audit_record(
            actor=user,
            action="notifications.savedsearch.create",
            target=saved,
            after=snapshot(saved, AUDITED_FIELDS),
        )
    return saved


def saved_search_update(
    *,
    saved_search: SavedSearch,
    acting_user: Any,
    name: str,
    notify_email: bool,
    notify_in_site: bool,
) -> SavedSearch:
    _check_owner(saved_search, acting_user)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写订阅名称（最多 60 个字）。")})
    if not notify_email and not notify_in_site:
        raise ValidationError({"notify_email": _("请至少选择一种通知方式：站内通知或邮件通知。")})
    with transaction.atomic():
        before = snapshot(saved_search, AUDITED_FIELDS)
        saved_search.name, saved_search.notify_email, saved_search.notify_in_site = (
            name,
            notify_email,
            notify_in_site,
        )
        if not notify_email:
            saved_search.pending_item_ids = []
        saved_search.full_clean(exclude=["user"])
        saved_search.save()
        audit_record(
            actor=acting_user,
            action="notifications.savedsearch.update",
            target=saved_search,
            before=before,
            after=snapshot(saved_search, AUDITED_FIELDS),
        )
    return saved_search


def saved_search_delete(*, saved_search: SavedSearch, acting_user: Any) -> None:
    _check_owner(saved_search, acting_user)
    with transaction.atomic():
        audit_record(
            actor=acting_user,
            action="notifications.savedsearch.delete",
            target=saved_search,
            before=snapshot(saved_search, AUDITED_FIELDS),
        )
        saved_search.delete()


def notification_mark_read(*, notification: Notification, acting_user: Any) -> Notification:
    if notification.user_id != getattr(acting_user, "pk", None):
        raise PermissionDenied(_("只能处理自己的通知。"))
    if notification.read_at is not None:
        return notification
    with transaction.atomic():
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        audit_record(
            actor=acting_user,
            action="notifications.notification.read",
            target=notification,
            after={"read_at": notification.read_at},
        )
    return notification


def notification_mark_all_read(*, acting_user: Any) -> int:
    with transaction.atomic():
        count = Notification.objects.filter(user=acting_user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        audit_record(actor=acting_user, action="notifications.notification.read_all", after={"count": count})
    return count


# --- fan-out after publication -------------------------------------------------------------------


def _interval() -> timedelta:
    return timedelta(minutes=getattr(settings, "NOTIFY_EMAIL_MIN_INTERVAL_MINUTES", 60))


def _item_title(item: Any) -> str:
    return str(getattr(item, "title", "") or item)


def _item_path(saved: SavedSearch, item: Any) -> str:
    spec = target_spec(saved.target)
    return spec.detail_path(item) if spec else ""


def _can_email(saved: SavedSearch) -> bool:
    user = saved.user
    return saved.notify_email and bool(user.email) and getattr(user, "email_verified_at", True) is not None


def saved_search_notify(*, model_label: str, pk: int) -> dict[str, int]:
    """Tell every subscriber whose saved search now lists the item: in-site at once, e-mail rate-limited."""
    target = target_for_model(model_label)
    if target is None or target_spec(target) is None:
        return {"notified": 0, "emailed": 0}
    ctype = registry.for_model(model_label)
    item = ctype.system_queryset().filter(pk=pk).first() if ctype else None
    if item is None:
        return {"notified": 0, "emailed": 0}
    item_key = f"{model_label}:{pk}"
    notified_users: set[int] = set()
    emailed = 0
    for saved in SavedSearch.objects.filter(target=target, user__is_active=True).select_related("user"):
        if not (saved.notify_in_site or _can_email(saved)) or not selectors.saved_search_matches(saved, item):
            continue
        if saved.notify_in_site and saved.user_id not in notified_users:
            _notification, created = Notification.objects.get_or_create(
                user=saved.user,
                item_key=item_key,
                defaults={
                    "kind": NotificationKind.SAVED_SEARCH,
                    "url": _item_path(saved, item),
                    "title": (
                        _("订阅“%(name)s”有新的匹配：%(title)s")
                        % {"name": saved.name, "title": _item_title(item)}
                    )[:200],
                    "body": str(getattr(item, "summary", ""))[:300],
                },
            )
            if created:
                notified_users.add(saved.user_id)
        if _can_email(saved):
            emailed += _email_or_queue(saved, item.pk)
    with transaction.atomic():
        audit_record(
            actor=None,
            action="notifications.savedsearch.notify",
            target=item,
            after={"notified_users": len(notified_users), "emails": emailed},
        )
    return {"notified": len(notified_users), "emailed": emailed}


def _email_or_queue(saved: SavedSearch, new_pk: int | None) -> int:
    """Queue the item on the saved search; send one e-mail listing the queue when the interval allows."""
    now = timezone.now()
    try:
        with transaction.atomic():
            locked = SavedSearch.objects.select_for_update().select_related("user").get(pk=saved.pk)
            pending = list(locked.pending_item_ids)
            if new_pk is not None and new_pk not in pending:
                pending.append(new_pk)
            due = locked.last_emailed_at is None or now - locked.last_emailed_at >= _interval()
            items = selectors.visible_matching_items(locked, pending) if due else []
            if due:
                pending = []
            locked.pending_item_ids = pending
            if items:
                locked.last_emailed_at = now
            locked.save(update_fields=["pending_item_ids", "last_emailed_at", "updated_at"])
            if items:
                # Sent inside the transaction: if the mail server refuses, the queue is kept for next time.
                _send_saved_search_email(locked, items)
    except Exception:
        logger.exception("saved search %s: e-mail failed; the items stay queued", saved.pk)
        return 0
    return 1 if items else 0


def _send_saved_search_email(saved: SavedSearch, items: list[Any]) -> None:
    site = settings.SITE_URL.rstrip("/")
    spec = target_spec(saved.target)
    context = {
        "site_name": settings.SITE_NAME,
        "saved": saved,
        "user": saved.user,
        "count": len(items),
        "items": [
            {
                "title": _item_title(i),
                "url": site + _item_path(saved, i),
                "summary": str(getattr(i, "summary", ""))[:120],
            }
            for i in items
        ],
        "list_url": site + list_url_with_params(spec, saved.params) if spec else site,
        "manage_url": site + reverse("notifications:searches"),
    }
    subject = " ".join(render_to_string("notifications/email/saved_search_subject.txt", context).split())
    body = render_to_string("notifications/email/saved_search_body.txt", context)
    send_mail(subject, body, None, [saved.user.email])


def saved_search_flush_due_emails() -> int:
    """Send the waiting items of saved searches whose interval has passed (run periodically)."""
    cutoff = timezone.now() - _interval()
    sent = 0
    for saved in SavedSearch.objects.filter(
        notify_email=True, last_emailed_at__lte=cutoff, user__is_active=True
    ).select_related("user"):
        if saved.pending_item_ids and _can_email(saved):
            sent += _email_or_queue(saved, None)
    return sent


def notify_users(
    *, users: Any, title: str, body: str = "", url: str = "", item_key: str = "", email: bool = False
) -> int:
    """System notifications to several users; with item_key each user gets it once. Returns how many were new."""
    created = 0
    for user in users:
        if item_key and Notification.objects.filter(user=user, item_key=item_key).exists():
            continue
        Notification.objects.create(
            user=user,
            kind=NotificationKind.SYSTEM,
            title=title[:200],
            body=body[:2000],
            url=url[:500],
            item_key=item_key[:64],
        )
        created += 1
        if email and user.email and user.email_verified_at:
            link = settings.SITE_URL.rstrip("/") + url if url else settings.SITE_URL
            send_mail(
                subject=f"【{settings.SITE_NAME}】{title}",
                message=f"{body}\n\n{link}\n",
                from_email=None,
                recipient_list=[user.email],
                fail_silently=True,
            )
    return created
