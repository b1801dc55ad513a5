"""Event documents (agenda, slides, handouts): visible with the event, uploaded by the organiser."""

from techmarket.documents.registry import register

from .permissions import is_organiser
from .selectors import event_list_visible_to

register(
    "events.event",
    can_view=lambda user, event: event_list_visible_to(user).filter(pk=event.pk).exists(),
    can_upload=is_organiser,
    can_view_confidential=None,
)
