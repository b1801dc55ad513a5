"""Who may see and attach files to an expert profile (CV, certificates): the expert selector decides."""

from techmarket.documents.registry import register

from .selectors import can_manage_expert, can_see_expert_contact, expert_list_visible_to

register(
    "experts.expert",
    can_view=lambda user, expert: expert_list_visible_to(user).filter(pk=expert.pk).exists(),
    can_upload=can_manage_expert,
    can_view_confidential=can_see_expert_contact,
)
