"""直达快享 applications as xlsx (申请台账) for the bureau and each enterprise: the rows the user may see on the
applications page, under the same filters, with the decision and the payment. Text cells are neutralised so
a spreadsheet never runs them as formulas."""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from techmarket.imports.export import layout_xlsx

from .models import PolicyApplication


def _local_date(moment: Any) -> Any:
    return timezone.localdate(moment) if moment is not None else None


LAYOUT: list[tuple[str, Any]] = [
    ("申请编号", lambda a: a.pk),
    ("申请日期", lambda a: _local_date(a.created_at)),
    ("政策", lambda a: a.policy.title),
    ("发文单位", lambda a: a.policy.issuer),
    ("申请企业", lambda a: a.organization.name),
    ("统一社会信用代码", lambda a: a.organization.uscc),
    ("申请金额（元）", lambda a: a.requested_amount),
    ("状态", lambda a: a.get_status_display()),
    ("处理日期", lambda a: _local_date(a.decided_at)),
    ("处理意见", lambda a: a.decision_note),
    ("核定金额（元）", lambda a: a.approved_amount),
    ("拨付金额（元）", lambda a: a.paid_amount),
    ("拨付日期", lambda a: _local_date(a.paid_at)),
    ("拨付凭证号", lambda a: a.payment_reference),
]
HEADERS = [h for h, _v in LAYOUT]


def applications_xlsx(applications: Iterable[PolicyApplication]) -> bytes:
    return layout_xlsx("直达快享申请", LAYOUT, applications)
