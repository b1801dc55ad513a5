"""Loan applications as xlsx (融资台账) for banks, guarantors and the platform: the rows the user may see on
the list page, with the decision and the loan granted. Consent-governed data (profile, points) is left out:
it is read on each application's page while the consent stands."""

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from techmarket.imports.export import layout_xlsx, neutralise

from .models import LoanApplication


def _loan(a: LoanApplication, field: str) -> Any:
    loan = getattr(a, "loan", None)
    return getattr(loan, field) if loan is not None else None


LAYOUT: list[tuple[str, Any]] = [
    ("申请日期", lambda a: a.created_at.date()),
    ("申请企业", lambda a: a.organization.name),
    ("统一社会信用代码", lambda a: a.organization.uscc),
    ("金融机构", lambda a: a.product.provider.name),
    ("金融产品", lambda a: a.product.name),
    ("产品类型", lambda a: a.product.get_kind_display()),
    ("申请额度（元）", lambda a: a.amount),
    ("申请期限（月）", lambda a: a.term_months),
    ("资金用途", lambda a: a.purpose),
    ("状态", lambda a: a.get_status_display()),
    ("批准额度（元）", lambda a: a.approved_amount),
    ("批准年利率/费率（%）", lambda a: a.approved_rate),
    ("批准期限（月）", lambda a: a.approved_term_months),
    ("放款/担保金额（元）", lambda a: _loan(a, "amount")),
    ("放款日期", lambda a: _loan(a, "granted_on")),
]
HEADERS = [h for h, _v in LAYOUT]


def applications_xlsx(applications: Iterable[LoanApplication]) -> bytes:
    return layout_xlsx("融资台账", LAYOUT, applications)


POINTS_HEADERS = ["指标组", "指标", "数量", "单位", "每单位积分", "上限", "得分", "说明", "依据"]


def points_xlsx(snapshot: Any, *, organization_name: str, uscc: str) -> bytes:
    """The innovation points an enterprise shared with a bank for one application: the snapshot taken when it
    applied (total, grade, one row per indicator with its explanation)."""
    from django.utils import timezone

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "创新积分"
    ws.append(["企业", neutralise(organization_name)])
    ws.append(["统一社会信用代码", uscc])
    ws.append(["创新积分", snapshot.total])
    ws.append(["等级", snapshot.grade])
    ws.append(["计算时间", timezone.localtime(snapshot.computed_at).strftime("%Y-%m-%d %H:%M")])
    ws.append([])
    ws.append(POINTS_HEADERS)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for line in snapshot.lines:
        row = [
            line.get("group", ""), line.get("label", ""), line.get("quantity", ""), line.get("unit", ""),
            line.get("per_unit", ""), line.get("cap") or "", line.get("points", ""), line.get("text", ""),
            "；".join(line.get("notes") or []),
        ]  # fmt: skip
        ws.append([neutralise(str(v)) if isinstance(v, str) else v for v in row])
    for n in range(1, len(POINTS_HEADERS) + 1):
        ws.column_dimensions[ws.cell(7, n).column_letter].width = 40 if n >= 8 else 14
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
