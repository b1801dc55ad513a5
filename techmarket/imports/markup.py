"""The uploaded file back, with every bad cell filled red and a comment saying what is wrong.

The data sheet is rewritten from the upload (values as typed, every row, so the user fixes this file and
uploads it again); a last column sums up each row's problems and a second sheet lists them all.
Formulas are written back as text, never as formulas.
"""

import datetime
import io
from collections import defaultdict

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula

from .reader import (
    ImportFileError,
    RowError,
    _data_sheet,
    _Deadline,
    _header_text,
    iter_sheet_rows,
    open_workbook,
)
from .spec import ImportSpec

BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
SUMMARY_HEADER = "错误说明"
ERRORS_SHEET = "错误清单"
AUTHOR = "科技大市场"


def _value(cell_value: object) -> object:
    if isinstance(cell_value, ArrayFormula):
        return cell_value.text
    return cell_value


def build_error_workbook(spec: ImportSpec, content: bytes, errors: list[RowError]) -> bytes:
    """An xlsx like the upload, bad cells marked; raises ImportFileError if the upload cannot be read."""
    deadline = _Deadline()
    source = open_workbook(io.BytesIO(content), "upload.xlsx", deadline)
    by_row: dict[int, list[RowError]] = defaultdict(list)
    for error in errors:
        by_row[error.row].append(error)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(spec.title)
    try:
        rows = iter_sheet_rows(_data_sheet(source, spec), deadline)
        first = next(rows, None)
        if first is None:
            raise ImportFileError(_("工作表是空的：第 1 行应为模板的表头。"))
        header_cells = first[1]
        width = max(header_cells)
        column_of = {_header_text(header_cells[i]["value"]): i for i in header_cells}
        key_index = column_of.get(spec.external_key_column.header, 1)
        summary_index = width + 1
        for index in range(1, summary_index + 1):
            ws.column_dimensions[get_column_letter(index)].width = 18
        ws.column_dimensions[get_column_letter(summary_index)].width = 60
        ws.freeze_panes = "A2"
        header = []
        for index in range(1, summary_index + 1):
            text = header_cells[index]["value"] if index in header_cells else None
            cell = WriteOnlyCell(ws, value=SUMMARY_HEADER if index == summary_index else text)
            cell.font = Font(bold=True, color="C00000" if index == summary_index else None)
            cell.fill = HEADER_FILL
            header.append(cell)
        ws.append(header)
        next_row = 2
        for row_number, cells in rows:
            while next_row < row_number:  # keep row numbers equal to the upload's
                ws.append([])
                next_row += 1
            problems: dict[int, list[RowError]] = defaultdict(list)
            for error in by_row.get(row_number, []):
                problems[column_of.get(error.column, key_index)].append(error)
            out = []
            for index in range(1, summary_index):
                raw = _value(cells[index]["value"]) if index in cells else None
                cell = WriteOnlyCell(ws, value=raw)
                if isinstance(raw, str):
                    cell.data_type = "s"  # a formula comes back as its text
                elif isinstance(raw, datetime.datetime | datetime.date):
                    cell.number_format = "yyyy-mm-dd"
                if problems.get(index):
                    cell.fill = BAD_FILL
                    text = "\n".join(
                        _("%(problem)s，应为%(expected)s") % {"problem": e.problem, "expected": e.expected}
                        if e.expected
                        else e.problem
                        for e in problems[index]
                    )
                    cell.comment = Comment(text[:2000], AUTHOR, width=300, height=120)
                out.append(cell)
            messages = [str(e) for e in by_row.get(row_number, [])]
            summary = WriteOnlyCell(ws, value="\n".join(messages)[:32000] if messages else None)
            summary.data_type = "s"
            summary.font = Font(color="C00000")
            out.append(summary)
            ws.append(out)
            next_row = row_number + 1
    finally:
        source.close()
    listing = wb.create_sheet(ERRORS_SHEET)
    listing.append([_("行"), _("列"), _("填写的值"), _("问题"), _("应填写")])
    for error in sorted(errors, key=lambda e: e.row):
        listed = [
            WriteOnlyCell(listing, value=v)
            for v in (error.row, error.column, error.value, error.problem, error.expected)
        ]
        for text_cell in listed[1:]:
            text_cell.data_type = "s"
        listing.append(listed)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
