"""揭榜挂帅 for the bureau as xlsx: one sheet of challenges (the list page's filters), one of their
applications. Times in Beijing time; money in 元; text neutralised against formula injection."""

import io
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Sum
from openpyxl import Workbook
from openpyxl.styles import Font

from techmarket.imports.export import neutralise

from .models import Payment

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _local(value: datetime | None) -> Any:
    return value.astimezone(SHANGHAI).replace(tzinfo=None) if value else ""


CHALLENGE_LAYOUT: list[tuple[str, Any]] = [
    ("榜单编号", lambda c: c.pk),
    ("榜单名称", lambda c: c.title),
    ("批次", lambda c: c.batch.title if c.batch else ""),
    ("发榜企业", lambda c: c.owner.name),
    ("组织方式", lambda c: c.get_mode_display()),
    ("状态", lambda c: c.get_status_display()),
    ("所属行业", lambda c: c.industry.name if c.industry else ""),
    ("榜单总金额（元）", lambda c: c.funding_total),
    ("企业出资（元）", lambda c: c.enterprise_share),
    ("财政支持（元）", lambda c: c.government_share),
    ("攻关周期（月）", lambda c: c.duration_months),
    ("发布时间（北京时间）", lambda c: _local(c.published_at)),
    ("揭榜截止（北京时间）", lambda c: _local(c.deadline)),
    ("申报数", lambda c: c.n_applications),
    (
        "揭榜单位",
        lambda c: (
            c.proposed_application.organization.name
            if c.status in ("awarded", "completed") and c.proposed_application
            else ""
        ),
    ),
    ("揭榜成功时间（北京时间）", lambda c: _local(c.awarded_at)),
    ("已拨付（元）", lambda c: c.paid or Decimal("0")),
    ("验收评审得分", lambda c: c.acceptance_score if c.acceptance_score is not None else ""),
    ("验收时间（北京时间）", lambda c: _local(c.completed_at)),
]
APPLICATION_LAYOUT: list[tuple[str, Any]] = [
    ("榜单编号", lambda a: a.challenge_id),
    ("榜单名称", lambda a: a.challenge.title),
    ("牵头单位", lambda a: a.organization.name),
    ("团队负责人", lambda a: a.lead_expert.name),
    ("团队成员", lambda a: "、".join(m.name for m in a.members.all())),
    ("状态", lambda a: a.get_status_display()),
    ("提交时间（北京时间）", lambda a: _local(a.created_at)),
    ("经费预算合计（元）", lambda a: a.budget_total),
    ("处理意见", lambda a: a.decision_note),
]


def _sheet(ws: Any, layout: list[tuple[str, Any]], rows: Iterable[Any]) -> None:
    ws.append([h for h, _v in layout])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for obj in rows:
        values = [value(obj) for _h, value in layout]
        ws.append([neutralise(v) if isinstance(v, str) else v for v in values])
    for n, (header, _v) in enumerate(layout, start=1):
        ws.column_dimensions[ws.cell(1, n).column_letter].width = max(12, len(header) * 2 + 2)


def challenges_xlsx(challenges: Any, applications: Any) -> bytes:
    """``challenges`` and ``applications`` come from the visibility selectors (the caller's rows only)."""
    paid = {
        row["milestone__application__challenge"]: row["s"]
        for row in Payment.objects.filter(milestone__application__challenge__in=challenges.values("pk"))
        .values("milestone__application__challenge")
        .annotate(s=Sum("amount"))
    }
    rows = list(
        challenges.select_related(
            "owner", "batch", "industry", "proposed_application__organization"
        ).annotate(n_applications=Count("applications", distinct=True))
    )
    for c in rows:
        c.paid = paid.get(c.pk)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "揭榜挂帅榜单"
    _sheet(ws, CHALLENGE_LAYOUT, rows)
    _sheet(
        wb.create_sheet("揭榜申报"),
        APPLICATION_LAYOUT,
        applications.select_related("challenge", "organization", "lead_expert").prefetch_related("members"),
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
