"""Facilities and their service catalogue as xlsx (two sheets; columns only ever added at the end). A
facility's several industry codes, disciplines and chain links share one cell each, separated by "；"."""

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from techmarket.imports.export import neutralise

from .models import Facility, FacilityService

FACILITY_LAYOUT: list[tuple[str, Any]] = [
    ("编号", lambda f: f.pk),
    ("名称", lambda f: f.name),
    ("类型", lambda f: f.get_kind_display()),
    ("状态", lambda f: f.get_status_display()),
    ("依托单位", lambda f: f.owner.name),
    ("地区代码", lambda f: f.region_id),
    ("地址", lambda f: f.address),
    # Several codes in one cell, separated by "；" (the column keeps its place; its name says 代码 as before).
    ("服务行业代码", lambda f: "；".join(sorted(i.pk for i in f.industries.all()))),
    ("年服务能力（项）", lambda f: f.capacity),
    ("同时可承接预约数", lambda f: f.parallel_capacity),
    (
        "开放时间",
        lambda f: f"{f.opens_at:%H:%M}–{f.closes_at:%H:%M}" if f.opens_at and f.closes_at else "全天",
    ),
    ("开放日", lambda f: f.open_weekdays),
    ("主要设备", lambda f: "；".join(f.equipment_list)),
    ("联系人", lambda f: f.contact_name),
    ("联系电话", lambda f: f.contact_phone),
    ("认定时间", lambda f: f.recognised_at.date() if f.recognised_at else None),
    ("学科代码", lambda f: "；".join(sorted(d.pk for d in f.disciplines.all()))),
    (
        "产业链环节",
        lambda f: "；".join(
            f"{n.chain.name} · {n.name}" for n in sorted(f.chain_nodes.all(), key=lambda n: n.pk)
        ),
    ),
]
SERVICE_LAYOUT: list[tuple[str, Any]] = [
    ("平台编号", lambda s: s.facility_id),
    ("服务平台", lambda s: s.facility.name),
    ("服务名称", lambda s: s.name),
    ("服务类别", lambda s: s.get_kind_display()),
    ("计价单位", lambda s: s.unit),
    ("单价（元）", lambda s: s.price if s.price is not None else "面议"),
    ("周期（天）", lambda s: s.lead_time_days),
    ("需求方须提供", lambda s: s.requirements),
    ("服务说明", lambda s: s.description),
    ("在提供", lambda s: "是" if s.is_active else "否"),
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


def facilities_xlsx(facilities: Iterable[Facility], services: Iterable[FacilityService]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "服务平台"
    _sheet(ws, FACILITY_LAYOUT, facilities)
    _sheet(wb.create_sheet("服务目录"), SERVICE_LAYOUT, services)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
