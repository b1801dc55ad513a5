"""Documents of an engagement (NDA, proposals, reports, contract drafts): versioned, visible only to its
parties and the operators; every download audited (techmarket.documents)."""

from typing import Any

from techmarket.documents.registry import register

from .selectors import engagement_list_visible_to, is_party_user


def _can_view(user: Any, engagement: Any) -> bool:
    return engagement_list_visible_to(user).filter(pk=engagement.pk).exists()


def _can_upload(user: Any, engagement: Any) -> bool:
    # Every party may add its documents (the university its verification report, the enterprise its test
    # data); operators too. A closed engagement keeps its files but takes no new ones.
    if not engagement.is_open:
        return False
    from techmarket.accounts import roles

    return roles.is_operator(user) or is_party_user(user, engagement)


register(
    "engagements.engagement",
    can_view=_can_view,
    can_upload=_can_upload,
    can_view_confidential=_can_view,
)
