"""The hook for opening an engagement from a meeting, without this app depending on the engagements app.

The engagements app (or any other) registers an opener in its ``AppConfig.ready``::

    from techmarket.events.hooks import register_engagement_opener
    register_engagement_opener(lambda meeting, acting_user: engagement_from_meeting(...).pk)

When a meeting's outcome is set to "已立项对接" (``MeetingRequest.Outcome.ENGAGEMENT``),
``services.meeting_record_outcome`` calls the opener inside its transaction (so the outcome and the
engagement commit together, or neither) and stores the returned id in ``MeetingRequest.engagement_id``.
With no opener registered the outcome is recorded alone.
"""

from collections.abc import Callable
from typing import Any

EngagementOpener = Callable[[Any, Any], int | None]

_OPENERS: list[EngagementOpener] = []


def register_engagement_opener(opener: EngagementOpener) -> None:
    if opener not in _OPENERS:
        _OPENERS.append(opener)


def unregister_engagement_opener(opener: EngagementOpener) -> None:
    if opener in _OPENERS:
        _OPENERS.remove(opener)


def open_engagement(meeting: Any, acting_user: Any) -> int | None:
    """The most recently registered opener's engagement id (None when none is registered); a test or a
    deployment may register its own opener in front of the engagements app's."""
    for opener in reversed(_OPENERS):
        return opener(meeting, acting_user)
    return None
