"""Keeping the catalogue fresh: published items expire after LISTING_EXPIRY_DAYS unless renewed.

Owners are reminded LISTING_EXPIRY_REMINDER_DAYS before (in-site and by e-mail, once per expiry date)
and told when an item has expired; renewing is the workflow action "renew".
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.orgs.models import Membership, Organization

from . import registry
from .models import ListingStatus
from .workflow import listing_transition


def _owner_users(owner: Organization) -> list[Any]:
    return [
        m.user
        for m in Membership.objects.filter(
            organization=owner, is_active=True, user__is_active=True
        ).select_related("user")
    ]


def listings_expire(*, now: Any = None) -> int:
    """Move published items past their expiry date to 已过期 and tell their owners. Returns the count."""
    from techmarket.notifications.services import notify_users

    now = now or timezone.now()
    count = 0
    for ctype in registry.expiring():
        model = ctype.model
        due = (
            ctype.system_queryset()
            .filter(status=ListingStatus.PUBLISHED, expires_at__lte=now)
            .select_related("owner")
        )
        for item in due.iterator(chunk_size=200):
            with transaction.atomic():
                listing_transition(item=item, action="expire", acting_user=None)
                notify_users(
                    users=_owner_users(item.owner),
                    email=True,
                    title=_("“%(t)s”已到期下架") % {"t": item.title[:60]},
                    body=_("该条目已超过有效期，不再对外展示。如仍有效，请在详情页点击“续期”。"),
                    url=ctype.detail_url(item),
                    item_key=f"exp:{model._meta.label_lower}:{item.pk}:{now:%Y%m%d}",
                )
            count += 1
    return count


def listings_remind_expiring(*, now: Any = None) -> int:
    """Remind owners once per expiry date that an item expires soon. Returns the number of new reminders."""
    from techmarket.notifications.services import notify_users

    now = now or timezone.now()
    horizon = now + timedelta(days=settings.LISTING_EXPIRY_REMINDER_DAYS)
    sent = 0
    for ctype in registry.expiring():
        model = ctype.model
        soon = (
            ctype.system_queryset()
            .filter(status=ListingStatus.PUBLISHED, expires_at__gt=now, expires_at__lte=horizon)
            .select_related("owner")
        )
        for item in soon.iterator(chunk_size=200):
            sent += notify_users(
                users=_owner_users(item.owner),
                email=True,
                title=_("“%(t)s”将于 %(d)s 到期")
                % {"t": item.title[:60], "d": f"{item.expires_at:%Y-%m-%d}"},
                body=_("到期后将不再对外展示。如仍有效，请在详情页点击“续期”。"),
                url=ctype.detail_url(item),
                item_key=f"rem:{model._meta.label_lower}:{item.pk}:{item.expires_at:%Y%m%d}",
            )
    return sent
