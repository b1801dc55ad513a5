"""The organiser's workbook of an event: registrations, meetings and outcomes, one sheet each (xlsx).

Text goes through ``imports.export.neutralise`` (no formula runs when the file is opened); times are shown in
Asia/Shanghai. Contact details are not in it: the organiser's page has them when needed.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from techmarket.imports.export import neutralise

from .models import Event, MeetingRequest, Registration

Layout = list[tuple[str, Callable[[Any], Any]]]


def _when(value: datetime | None) -> Any:
    return timezone.localtime(value).replace(tzinfo=None) if value else ""


def _slot(m: MeetingRequest) -> str:
    window = m.slot_window()
    if window is None:
        return ""
    return f"{timezone.localtime(window[0]):%H:%M}–{timezone.localtime(window[1]):%H:%M}"


REGISTRATIONS: Layout = [
    ("报名编号", lambda r: r.pk),
    ("报名人", lambda r: r.user.display_name),
    ("代表机构", lambda r: r.organization.name if r.organization else ""),
    ("机构类型", lambda r: r.organization.get_kind_display() if r.organization else "个人"),
    ("参会身份", lambda r: r.get_role_display()),
    ("状态", lambda r: r.get_status_display()),
    ("处理意见", lambda r: r.status_note),
    ("参会介绍", lambda r: r.intro),
    ("携带的技术需求", lambda r: "、".join(n.title for n in r.needs.all())),
    ("携带的科技成果", lambda r: "、".join(a.title for a in r.achievements.all())),
    ("报名时间", lambda r: _when(r.created_at)),
    ("签到时间", lambda r: _when(r.checked_in_at)),
]
MEETINGS: Layout = [
    ("洽谈编号", lambda m: m.pk),
    ("发起方", lambda m: m.requester.display_name),
    ("受邀方", lambda m: m.invitee.display_name),
    ("状态", lambda m: m.get_status_display()),
    ("来自匹配推荐", lambda m: "是" if m.suggested else "否"),
    ("留言", lambda m: m.message),
    ("答复说明", lambda m: m.decision_note),
    ("时段", _slot),
    ("桌号", lambda m: m.table or ""),
    ("发起时间", lambda m: _when(m.created_at)),
]
OUTCOMES: Layout = [
    ("洽谈编号", lambda m: m.pk),
    ("发起方", lambda m: m.requester.display_name),
    ("受邀方", lambda m: m.invitee.display_name),
    ("洽谈结果", lambda m: m.get_outcome_display()),
    ("评分", lambda m: m.rating or ""),
    ("结果说明", lambda m: m.outcome_note),
    ("对接项目编号", lambda m: m.engagement_id or ""),
    ("填写时间", lambda m: _when(m.outcome_at)),
]


def _sheet(wb: Workbook, title: str, layout: Layout, rows: Iterable[Any], *, first: bool = False) -> int:
    ws = wb.active if first else wb.create_sheet()
    assert ws is not None
    ws.title = title
    ws.append([header for header, _value in layout])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    n = 0
    for row in rows:
        values = [value(row) for _header, value in layout]
        ws.append([neutralise(v) if isinstance(v, str) else v for v in values])
        n += 1
    for i, (header, _value) in enumerate(layout, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(12, len(header) * 2 + 4)
    ws.freeze_panes = "A2"
    return n


def event_workbook(
    event: Event, registrations: Iterable[Registration], meetings: Iterable[MeetingRequest]
) -> tuple[bytes, int]:
    """The workbook and how many rows it holds (registrations + meetings)."""
    meetings = list(meetings)
    wb = Workbook()
    n = _sheet(wb, "报名", REGISTRATIONS, registrations, first=True)
    n += _sheet(wb, "洽谈", MEETINGS, meetings)
    _sheet(wb, "洽谈结果", OUTCOMES, [m for m in meetings if m.status == MeetingRequest.Status.ACCEPTED])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), n
