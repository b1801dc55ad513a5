"""Export any (already visibility-filtered) list of a spec's objects to xlsx or CSV.

Callers pass a queryset from the type's visibility selector. Sensitive columns (confidential
detail, contacts, external key) are written only when the caller asks for them AND the user may
edit that item. Every text cell that a spreadsheet would read as a formula is neutralised.
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from techmarket.catalog.visibility import can_see_identifying_details

from .reader import FORMULA_PREFIXES
from .spec import Column, ImportSpec, Kind


def neutralise(text: str) -> str:
    """Prefix a quote so Excel, WPS and LibreOffice show the text instead of running it (CWE-1236)."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def layout_xlsx(title: str, layout: list[tuple[str, Callable[[Any], Any]]], objects: Iterable[Any]) -> bytes:
    """A one-sheet ledger: a bold header of the layout's column names, then one row per object with each
    column's value (text neutralised), columns as wide as their names. For fixed-layout downloads (融资台账,
    直达快享申请台账) that are not import specs."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    headers = [header for header, _value in layout]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for obj in objects:
        row = []
        for _header, value in layout:
            v = value(obj)
            row.append(neutralise(str(v)) if isinstance(v, str) else v)
        ws.append(row)
    for n, header in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(1, n).column_letter].width = max(12, len(header) * 2 + 2)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def format_cell(column: Column, value: Any) -> Any:
    if value is None or value == "" or value == []:
        return ""
    if column.fmt is not None:
        return column.fmt(value)
    if column.kind == Kind.CHOICE:
        return dict(column.choice_pairs()).get(value, value)
    if column.kind == Kind.MULTI:
        labels = dict(column.choice_pairs())
        return "、".join(str(labels.get(v, v)) for v in value)
    if column.kind == Kind.BOOL:
        return "是" if value else "否"
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, Decimal | int | float | datetime.date):
        return value
    return neutralise(str(value))


def _columns(spec: ImportSpec, include_confidential: bool) -> list[Column]:
    # The external key is always a column (blank unless the user may edit the item): without it an
    # export could not be changed and imported back.
    key = spec.external_key_column
    return [c for c in spec.columns if include_confidential or not c.sensitive or c is key]


def headers(spec: ImportSpec, *, include_confidential: bool = False) -> list[str]:
    return [c.header for c in _columns(spec, include_confidential)] + [e.header for e in spec.export_columns]


def export_rows(
    spec: ImportSpec, objects: Iterable[Any], *, user: Any = None, include_confidential: bool = False
) -> Iterable[list[Any]]:
    columns = _columns(spec, include_confidential)
    key = spec.external_key_column
    for obj in objects:
        may_edit = spec.can_edit is None or spec.can_edit(user, obj)
        row = []
        for column in columns:
            if column.sensitive and not (may_edit and (include_confidential or column is key)):
                row.append("")
                continue
            if (
                column.identifying
                and getattr(obj, "is_anonymous", False)
                and not can_see_identifying_details(user, obj)
            ):
                row.append("")
                continue
            raw = column.getter(obj) if column.getter else getattr(obj, column.field)
            row.append(_plain(format_cell(column, raw)))
        for extra in spec.export_columns:
            value = extra.value(obj, user)
            row.append("" if value is None else _plain(value))
        yield row


def export_xlsx(
    spec: ImportSpec, objects: Iterable[Any], *, user: Any = None, include_confidential: bool = False
) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(spec.title)
    widths = [c.width for c in _columns(spec, include_confidential)] + [e.width for e in spec.export_columns]
    for index, width in enumerate(widths):
        ws.column_dimensions[get_column_letter(index + 1)].width = width
    ws.freeze_panes = "A2"
    header_cells = []
    for header in headers(spec, include_confidential=include_confidential):
        cell = WriteOnlyCell(ws, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        header_cells.append(cell)
    ws.append(header_cells)
    for row in export_rows(spec, objects, user=user, include_confidential=include_confidential):
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a string is a string, even one that looks like a formula
            elif isinstance(value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        ws.append(cells)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def export_csv(
    spec: ImportSpec, objects: Iterable[Any], *, user: Any = None, include_confidential: bool = False
) -> bytes:
    """UTF-8 with BOM: Excel on Windows guesses GBK otherwise and shows Chinese as mojibake."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers(spec, include_confidential=include_confidential))
    for row in export_rows(spec, objects, user=user, include_confidential=include_confidential):
        writer.writerow(
            [v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime.datetime) else v for v in row]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
