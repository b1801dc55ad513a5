"""Contract files (signed contract, invoices, 认定材料): visible to whoever sees the contract."""

from typing import Any

from techmarket.documents.registry import register

from .selectors import contract_list_visible_to
from .workflow import CONTRACT_REGISTRATION


def _can_view(user: Any, contract: Any) -> bool:
    return contract_list_visible_to(user).filter(pk=contract.pk).exists()


def _can_upload(user: Any, contract: Any) -> bool:
    return bool(CONTRACT_REGISTRATION.kinds(user, contract))


register(
    "contracts.techcontract",
    can_view=_can_view,
    can_upload=_can_upload,
    can_view_confidential=_can_upload,
)
