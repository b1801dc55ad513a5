"""Evidence of a voucher use (服务报告、发票): the holder, the provider and the bureau see it; the provider
uploads it with the claim, the bureau may add its settlement papers."""

from typing import Any

from techmarket.documents.registry import register

from .selectors import uses_visible_to
from .workflow import OPERATOR, PROVIDER, VOUCHER_USE


def _can_view(user: Any, use: Any) -> bool:
    return uses_visible_to(user).filter(pk=use.pk).exists()


def _can_upload(user: Any, use: Any) -> bool:
    return bool(VOUCHER_USE.kinds(user, use) & {PROVIDER, OPERATOR})


register("vouchers.voucheruse", can_view=_can_view, can_upload=_can_upload, can_view_confidential=_can_view)
