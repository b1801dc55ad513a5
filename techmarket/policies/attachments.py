"""Policy documents (the original 文件, 申报指南): public with the policy, uploaded by operators."""

from techmarket.documents.registry import register

from .permissions import may_manage_policies
from .selectors import policy_list_visible_to

register(
    "policies.policy",
    can_view=lambda user, p: policy_list_visible_to(user).filter(pk=p.pk).exists(),
    can_upload=lambda user, p: may_manage_policies(user),
)
