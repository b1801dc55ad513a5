"""Who may see and attach files to an achievement: the achievement's own visibility selector decides."""

from techmarket.catalog.visibility import can_edit, can_view_confidential
from techmarket.documents.registry import register

from .selectors import achievement_list_visible_to

register(
    "achievements.achievement",
    can_view=lambda user, item: achievement_list_visible_to(user).filter(pk=item.pk).exists(),
    can_upload=can_edit,
    can_view_confidential=can_view_confidential,
)
