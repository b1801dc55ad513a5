"""What follows a stage move, inside its transaction: the stage history, and the linked need's and
achievement's status (对接中 / 已解决 / listed again) through their own listing workflow."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import OPEN_STAGES, Engagement, Stage, StageEntry


def record_stage(engagement: Engagement, *, user: Any = None, now: Any = None) -> None:
    now = now or timezone.now()
    StageEntry.objects.filter(engagement=engagement, left_at__isnull=True).update(left_at=now)
    StageEntry.objects.create(
        engagement=engagement,
        stage=engagement.stage,
        entered_at=now,
        left_at=now if engagement.stage not in OPEN_STAGES else None,
        entered_by=user,
    )


def linked_items(engagement: Engagement) -> list[Any]:
    return [x for x in (engagement.need, engagement.achievement) if x is not None]


def items_opened(engagement: Engagement) -> None:
    """An engagement opened: its published need / achievement moves to 对接中."""
    from techmarket.catalog.models import ListingStatus
    from techmarket.catalog.workflow import listing_transition

    for item in linked_items(engagement):
        if item.status == ListingStatus.PUBLISHED:
            listing_transition(item=item, action="start", acting_user=None)


def stage_changed(engagement: Engagement, action: str) -> None:
    from techmarket.catalog.models import ListingStatus
    from techmarket.catalog.workflow import listing_transition

    record_stage(engagement, now=engagement.stage_entered_at)
    if action == "deal":
        for item in linked_items(engagement):
            if item.status == ListingStatus.IN_PROGRESS:
                listing_transition(item=item, action="solve", acting_user=None)
    elif action == "terminate":
        for item in linked_items(engagement):
            still_open = (
                Engagement.objects.unscoped()
                .filter(stage__in=OPEN_STAGES)
                .filter(**{item._meta.model_name: item})
                .exclude(pk=engagement.pk)
                .exists()
            )
            if item.status == ListingStatus.IN_PROGRESS and not still_open:
                listing_transition(item=item, action="resume", acting_user=None)
    transaction.on_commit(lambda: _notify_parties(engagement.pk, action))


def _notify_parties(engagement_pk: int, action: str) -> None:
    from .notices import notify_stage_change

    notify_stage_change(engagement_pk, action)


__all__ = ["Stage", "record_stage", "items_opened", "stage_changed"]
