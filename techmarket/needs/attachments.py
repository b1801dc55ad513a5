"""Who may see and attach files to a need: the need's own visibility selector decides."""

from techmarket.catalog.visibility import can_edit, can_view_confidential
from techmarket.documents.registry import register

from .selectors import need_list_visible_to

register(
    "needs.need",
    can_view=lambda user, need: need_list_visible_to(user).filter(pk=need.pk).exists(),
    can_upload=can_edit,
    can_view_confidential=can_view_confidential,
)
