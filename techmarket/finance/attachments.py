"""Evidence for points declarations (审计报告、专利证书 …): uploaded by the enterprise while the declaration
waits for verification, read by the enterprise and the operators who verify it."""

from typing import Any

from techmarket.documents.registry import register

from .selectors import declarations_visible_to, enterprise_orgs


def _visible(user: Any, declaration: Any) -> bool:
    return declarations_visible_to(user).filter(pk=declaration.pk).exists()


def _may_upload(user: Any, declaration: Any) -> bool:
    return declaration.status == "pending" and any(
        o.pk == declaration.organization_id for o in enterprise_orgs(user)
    )


register("finance.declaration", can_view=_visible, can_upload=_may_upload, can_view_confidential=_visible)
