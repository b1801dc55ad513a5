"""One rule for content edits: an owner's change to an item that has been listed goes back to review.

An item that was ever visible (published, in negotiation, waiting for review, or expired) must not
show new text without an operator seeing it first; otherwise an owner could edit an expired item and
renew it, publishing unreviewed text. Operators' own edits are the review and stay listed.
"""

from typing import Any

from django.utils import timezone

from techmarket.accounts import roles

from .models import ListingStatus

REVIEW_AGAIN_FROM = {
    ListingStatus.PUBLISHED,
    ListingStatus.IN_PROGRESS,
    ListingStatus.PENDING,
    ListingStatus.EXPIRED,
}


def send_back_to_review_after_edit(item: Any, acting_user: Any) -> bool:
    """Move an edited listed item to 待审核 unless an operator edited it; True when it moved."""
    if item.status in REVIEW_AGAIN_FROM and not roles.is_operator(acting_user):
        item.status = ListingStatus.PENDING
        item.submitted_at = timezone.now()
        return True
    return False
