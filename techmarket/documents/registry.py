"""Who may see and attach files to which kind of object: one policy per model, asked through its selector.

Each app declares its policies in ``attachments.py`` (found at start-up), e.g. for needs::

    register("needs.need",
             can_view=lambda user, need: need_list_visible_to(user).filter(pk=need.pk).exists(),
             can_upload=can_edit, can_view_confidential=can_view_confidential)

A model without a policy has no attachments at all (fail closed).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Check = Callable[[Any, Any], bool]


@dataclass(frozen=True)
class AttachmentPolicy:
    can_view: Check
    can_upload: Check
    can_view_confidential: Check | None = None

    def may_view(self, user: Any, obj: Any, *, confidential: bool = False) -> bool:
        if not self.can_view(user, obj):
            return False
        if confidential:
            check = self.can_view_confidential or self.can_upload
            return check(user, obj)
        return True


_POLICIES: dict[str, AttachmentPolicy] = {}


def register(
    model_label: str, *, can_view: Check, can_upload: Check, can_view_confidential: Check | None = None
) -> AttachmentPolicy:
    policy = AttachmentPolicy(
        can_view=can_view, can_upload=can_upload, can_view_confidential=can_view_confidential
    )
    _POLICIES[model_label.lower()] = policy
    return policy


def policy_for(obj_or_label: Any) -> AttachmentPolicy | None:
    label = obj_or_label if isinstance(obj_or_label, str) else obj_or_label._meta.label_lower
    return _POLICIES.get(label.lower())


def registered_labels() -> list[str]:
    return sorted(_POLICIES)
