"""Parse an uploaded workbook against an ImportSpec into per-row data and Chinese row errors.

Never trusts the file: the extension, the zip magic bytes and the workbook structure must all agree it
is xlsx; the file size, the unpacked size, the number of shared strings and the number of rows are
capped (settings IMPORT_MAX_BYTES, IMPORT_MAX_UNPACKED_BYTES, IMPORT_MAX_SHARED_STRINGS,
IMPORT_MAX_ROWS) and reading is bounded in time (IMPORT_READ_SECONDS). The sheet is streamed cell by
cell: only cells present in the file are read (a declared dimension such as A1:XFD1048576 is ignored,
never padded), columns beyond the header are skipped, and every row number counts against the limit.
Formulas are never evaluated (data_only=False) and a formula cell is an error.
"""

import datetime
import io
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from . import normalise
from .spec import Column, ImportSpec, Kind

ZIP_MAGIC = b"PK\x03\x04"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
INSTRUCTIONS_SHEET = "填写说明"
CODES_SHEET = "代码表"
# Values are shown back to the user as typed, up to this many characters (with the full length).
SHOWN_CHARS = 200
# A header wider than this is not a template (the templates have at most a few dozen columns).
MAX_HEADER_COLUMNS = 200
# Row elements past the row limit that hold no value (formatting only) before reading stops.
MAX_TRAILING_EMPTY_ROWS = 1000
MAX_ZIP_ENTRIES = 1000
_MULTI_SPLIT = re.compile(r"[、,，;；\n]+")
_TRUE, _FALSE = (
    {"是", "y", "yes", "true", "1", "√", "✓", "对"},
    {"否", "n", "no", "false", "0", "×", "✗", "错"},
)
_ROW_TAG, _CELL_TAG = f"{{{SHEET_MAIN_NS}}}row", f"{{{SHEET_MAIN_NS}}}c"
_SI_TAG, _SHEET_DATA_TAG = f"{{{SHEET_MAIN_NS}}}si", f"{{{SHEET_MAIN_NS}}}sheetData"


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, too big, damaged, wrong header)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class RowError:
    row: int
    column: str
    value: str
    problem: str
    expected: str

    def __str__(self) -> str:
        if self.value == "":
            return _("第 %(row)d 行，“%(column)s”列：%(problem)s，应为%(expected)s") % asdict(self)
        return _("第 %(row)d 行，“%(column)s”列：值“%(value)s”%(problem)s，应为%(expected)s") % asdict(self)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "message": str(self)}


@dataclass
class ParsedRow:
    row: int
    key: str
    data: dict[str, Any]


@dataclass
class ParsedSheet:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    # Optional template columns the file leaves out: existing records keep those values.
    missing_headers: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows) + len({e.row for e in self.errors})


class _CellError(Exception):
    def __init__(self, problem: str, expected: str) -> None:
        super().__init__(problem)
        self.problem, self.expected = problem, expected


def _size_label(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(n // 1024, 1)} KB"


def _refuse_damaged() -> ImportFileError:
    return ImportFileError(_("文件已损坏或不是有效的 Excel 工作簿，无法读取。请重新下载模板填写后再上传。"))


def _check_archive(content: bytes) -> None:
    """Refuse zip bombs before any XML is parsed: the unpacked size is what memory and time scale with."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse_damaged() from exc
    unpacked = sum(info.file_size for info in infos)
    if len(infos) > MAX_ZIP_ENTRIES or unpacked > settings.IMPORT_MAX_UNPACKED_BYTES:
        raise ImportFileError(
            _(
                "文件解压后超过 %(limit)s 的上限（可能含有大量空白格式、图片或隐藏内容）。"
                "请把数据复制到新下载的模板中再上传，或拆分为多个文件。"
            )
            % {"limit": _size_label(settings.IMPORT_MAX_UNPACKED_BYTES)}
        )


class _Deadline:
    """Reading a workbook is bounded in time (IMPORT_READ_SECONDS), whatever the file declares."""

    def __init__(self) -> None:
        self.at = time.monotonic() + settings.IMPORT_READ_SECONDS
        self.ticks = 0

    def check(self) -> None:
        self.ticks += 1
        if self.ticks % 512 == 0 and time.monotonic() > self.at:
            raise ImportFileError(
                _(
                    "文件结构过于复杂，%(s)d 秒内未能读完。请把数据复制到新下载的模板中再上传，"
                    "或拆分为多个文件。"
                )
                % {"s": settings.IMPORT_READ_SECONDS}
            )


_SI_START = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,40}:)?si[\s>/]")
_SCAN_OVERLAP = 64  # longer than any match: a tag cut by a chunk boundary is counted in the next round


def _count_shared_strings(source: IO[bytes], deadline: _Deadline, limit: int | None = None) -> int:
    """Count <si> tags by scanning bytes (fast, constant memory) before any string is built; stops early
    once past `limit`."""
    count, carry = 0, b""
    while chunk := source.read(1 << 20):
        deadline.check()
        data = carry + chunk
        horizon = max(len(data) - _SCAN_OVERLAP, 0)
        count += len(_SI_START.findall(data, 0, horizon))  # the matches ending before the horizon
        count += sum(
            1
            for m in _SI_START.finditer(data, max(horizon - _SCAN_OVERLAP, 0))
            if m.start() < horizon < m.end()
        )  # and the one that straddles it
        carry = data[horizon:]
        if limit is not None and count > limit:
            return count
    return count + len(_SI_START.findall(carry))


def _read_shared_strings(source: IO[bytes], deadline: _Deadline) -> list[str]:
    """The shared-string table, streamed: each <si> is freed as soon as it is read (openpyxl keeps every
    parsed element until the end)."""
    strings: list[str] = []
    root = None
    text_tag = f"{{{SHEET_MAIN_NS}}}t"
    for event, element in iterparse(source, events=("start", "end")):
        if root is None:
            root = element
        if event != "end" or element.tag != _SI_TAG:
            continue
        deadline.check()
        if len(element) == 1 and element[0].tag == text_tag:  # the common case: one plain <t>
            text = element[0].text or ""
        else:
            text = Text.from_tree(element).content
        strings.append(text.replace("x005F_", ""))
        root.clear()
    return strings


class _SheetWithoutSize(ReadOnlyWorksheet):
    """openpyxl's read-only sheet without its size scan: without a <dimension> element that scan parses
    the whole sheet once more, keeping every cell element of a row in memory."""

    def _get_size(self) -> None:
        return None


class _BoundedReader(ExcelReader):
    """openpyxl's reader with the shared strings counted before they are read, and no sheet size scan."""

    def __init__(self, content: bytes, deadline: _Deadline) -> None:
        super().__init__(io.BytesIO(content), read_only=True, data_only=False)
        self.deadline = deadline

    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        if part is None:
            return
        limit = settings.IMPORT_MAX_SHARED_STRINGS
        with self.archive.open(part.PartName[1:]) as source:
            if _count_shared_strings(source, self.deadline, limit) > limit:
                raise ImportFileError(
                    _(
                        "文件中的不同文字超过 %(n)d 段的上限，不像是按模板填写的数据。"
                        "请把数据复制到新下载的模板中再上传，或拆分为多个文件。"
                    )
                    % {"n": limit}
                )
        with self.archive.open(part.PartName[1:]) as source:
            self.shared_strings = _read_shared_strings(source, self.deadline)

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                ws = _SheetWithoutSize(self.wb, sheet.name, rel.target, self.shared_strings)
                ws.sheet_state = sheet.state
                self.wb._sheets.append(ws)


def _content(file: IO[bytes], name: str) -> bytes:
    if not name.lower().endswith(".xlsx"):
        raise ImportFileError(
            _(
                "只接受 .xlsx 格式的 Excel 文件（您上传的是“%(name)s”）。"
                "请在 Excel 中“另存为” Excel 工作簿（*.xlsx）后再上传。"
            )
            % {"name": name[-60:]}
        )
    limit = settings.IMPORT_MAX_BYTES
    file.seek(0)
    content = file.read(limit + 1)
    if len(content) > limit:
        raise ImportFileError(
            _("文件超过大小上限 %(limit)s，请拆分为多个文件后分别导入。") % {"limit": _size_label(limit)}
        )
    if not content.startswith(ZIP_MAGIC):
        raise ImportFileError(
            _(
                "文件内容不是 xlsx 格式（可能是改了扩展名的 CSV、xls 或其他文件）。"
                "请用平台模板填写，并在 Excel 中保存为 .xlsx。"
            )
        )
    return content


def open_workbook(file: IO[bytes], name: str, deadline: _Deadline | None = None) -> Any:
    """The checks of "is this really a reasonable xlsx", then an openpyxl read-only workbook."""
    content = _content(file, name)
    _check_archive(content)
    reader = _BoundedReader(content, deadline or _Deadline())
    try:
        reader.read()
    except ImportFileError:
        reader.archive.close()
        raise
    except Exception as exc:  # zipfile, XML and openpyxl's own errors: all mean "cannot read this"
        reader.archive.close()
        raise _refuse_damaged() from exc
    return reader.wb


def _data_sheet(workbook: Any, spec: ImportSpec) -> Any:
    if spec.title in workbook.sheetnames:
        return workbook[spec.title]
    for ws in workbook.worksheets:
        if ws.title not in (INSTRUCTIONS_SHEET, CODES_SHEET) and hasattr(ws, "_get_source"):
            return ws
    raise ImportFileError(_("工作簿中没有找到数据工作表“%(title)s”。") % {"title": spec.title})


SheetRow = tuple[int, dict[int, dict[str, Any]]]


def iter_sheet_rows(
    ws: Any, deadline: _Deadline, *, max_column: int = MAX_HEADER_COLUMNS
) -> Iterator[SheetRow]:
    """(row number, {column number: cell}) for the rows present in the file, streamed cell by cell.

    Each cell is parsed by openpyxl's own cell parser (types, dates by number format, shared strings,
    formulas) and freed at once; rows and cells the file does not contain are never made up. Rows past
    IMPORT_MAX_ROWS + 1 that hold a value make the file too long; formatting-only rows there are skipped.
    """
    wb = ws.parent
    last_row = settings.IMPORT_MAX_ROWS + 1
    with ws._get_source() as source:  # openpyxl has no public streaming API for cells
        parser = WorkSheetParser(
            source,
            ws._shared_strings,
            data_only=False,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        sheet_data = row_element = None
        row_number = 0
        cells: dict[int, dict[str, Any]] = {}
        trailing_empty = 0
        try:
            for event, element in iterparse(source, events=("start", "end")):
                deadline.check()
                tag = element.tag
                if event == "start":
                    if tag == _SHEET_DATA_TAG:
                        sheet_data = element
                    elif tag == _ROW_TAG and sheet_data is not None:
                        row_element, cells = element, {}
                        r = element.get("r")
                        row_number = int(float(r)) if r else row_number + 1
                        parser.row_counter, parser.col_counter = row_number, 0
                    continue
                if tag == _CELL_TAG and row_element is not None:
                    cell = parser.parse_cell(element)
                    row_element.remove(element)
                    if cell["column"] <= max_column and (cell["value"] is not None and cell["value"] != ""):
                        cells[cell["column"]] = cell
                elif tag == _ROW_TAG and row_element is not None:
                    sheet_data.remove(element)  # type: ignore[union-attr]
                    row_element = None
                    if row_number > last_row:
                        if cells:
                            raise ImportFileError(
                                _(
                                    "第 %(r)d 行有数据，超过 %(max)d 行的上限（第 1 行为表头）。请拆分为多个文件后分别导入。"
                                )
                                % {"r": row_number, "max": settings.IMPORT_MAX_ROWS}
                            )
                        trailing_empty += 1
                        if trailing_empty > MAX_TRAILING_EMPTY_ROWS:
                            return
                        continue
                    if cells:
                        yield row_number, cells
                elif tag == _SHEET_DATA_TAG:
                    return
        except ImportFileError:
            raise
        except Exception as exc:  # broken XML inside the sheet, bad coordinates, unknown shared string
            raise _refuse_damaged() from exc


def _header_text(value: Any) -> str:
    return str(value or "").strip().rstrip("*＊").strip()


@dataclass
class SheetHeader:
    """Which file column holds which spec column; optional columns may be left out of the file."""

    mapping: dict[int, Column]
    ignored: list[str]
    missing: list[str]

    @property
    def last_column(self) -> int:
        return max(self.mapping, default=0)


def map_header(spec: ImportSpec, header_cells: dict[int, dict[str, Any]]) -> SheetHeader:
    by_header = {c.header: c for c in spec.columns}
    mapping: dict[int, Column] = {}
    ignored: list[str] = []
    seen: set[str] = set()
    for index in sorted(header_cells):
        text = _header_text(header_cells[index]["value"])
        if not text:
            continue
        if text in seen:
            raise ImportFileError(_("第 1 行表头中“%(h)s”列出现了两次，请删除重复的列。") % {"h": text})
        seen.add(text)
        if text in by_header:
            mapping[index] = by_header[text]
        else:
            ignored.append(text)
    missing_required = [c.header for c in spec.columns if c.header not in seen and c.required]
    if missing_required:
        raise ImportFileError(
            _("第 1 行表头缺少这些列：%(missing)s。请使用平台下载的模板，不要修改、删除或移动表头。")
            % {"missing": "、".join(f"“{h}”" for h in missing_required)}
        )
    missing = [c.header for c in spec.columns if c.header not in seen]
    return SheetHeader(mapping, ignored, missing)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value).strip()
    # Our exports write "'=..." so a spreadsheet shows formula-like text as text: take it back on import.
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_PREFIXES else text


def shown(value: Any) -> str:
    """A value as the user typed it, cut for display with its full length said."""
    text = value.text if isinstance(value, ArrayFormula) else _text(value)
    if len(text) <= SHOWN_CHARS:
        return text
    return _("%(head)s…（共 %(n)d 字）") % {"head": text[:SHOWN_CHARS], "n": len(text)}


class _Parser:
    """Cell parsing with the reference-table code sets loaded once per read."""

    def __init__(self) -> None:
        self._codes: dict[str, set[str]] = {}
        self._labels: dict[str, dict[str, Any]] = {}

    def labels(self, column: Column) -> dict[str, Any]:
        if column.header not in self._labels:
            mapping: dict[str, Any] = {}
            for code, label in column.choice_pairs():
                mapping[str(code)] = code
                mapping[label] = code
            self._labels[column.header] = mapping
        return self._labels[column.header]

    def codes(self, column: Column) -> set[str]:
        if column.header not in self._codes:
            self._codes[column.header] = {str(code) for code, _label in column.choice_pairs()}
        return self._codes[column.header]

    def parse(self, column: Column, value: Any) -> Any:  # noqa: C901 - one branch per kind reads best
        text = _text(value)
        if text == "":
            if column.required:
                raise _CellError(_("未填写"), column.help or _("必填项"))
            return column.empty_value()
        kind = column.kind
        if kind == Kind.TEXT:
            if column.max_length and len(text) > column.max_length:
                raise _CellError(
                    _("共 %(n)d 字，超过上限") % {"n": len(text)},
                    _("不超过 %(max)d 字") % {"max": column.max_length},
                )
            return text
        if kind in (Kind.INT, Kind.DECIMAL):
            return self._number(column, value)
        if kind == Kind.DATE:
            try:
                return normalise.parse_date(value)
            except ValueError as exc:
                problem, expected = (exc.args + ("", ""))[:2]
                raise _CellError(str(problem), column.help or str(expected)) from exc
        if kind == Kind.CHOICE:
            labels = self.labels(column)
            text = normalise.normalise_choice(text)
            if text not in labels:
                raise _CellError(
                    _("不在可选范围内"),
                    _("下列之一：%(v)s") % {"v": "、".join(label for _c, label in column.choice_pairs())},
                )
            return labels[text]
        if kind == Kind.MULTI:
            labels = self.labels(column)
            parts = [normalise.normalise_choice(p) for p in _MULTI_SPLIT.split(normalise.fold_width(text))]
            parts = [p for p in parts if p]
            unknown = [p for p in parts if p not in labels]
            if unknown:
                raise _CellError(
                    _("中的“%(u)s”不是可选项") % {"u": "、".join(unknown)},
                    _("下列中的一项或多项（用“、”分隔）：%(v)s")
                    % {"v": "、".join(label for _c, label in column.choice_pairs())},
                )
            return list(dict.fromkeys(labels[p] for p in parts))
        if kind == Kind.CODE:
            code = normalise.normalise_code(normalise.fold_width(text).split()[0])
            if column.normalise:
                code = column.normalise(code)
            if code not in self.codes(column):
                raise _CellError(_("不是有效的代码"), column.help or _("代码表中的代码"))
            return code
        if kind == Kind.BOOL:
            if isinstance(value, bool):
                return value
            folded = normalise.normalise_bool_text(text)
            if folded in _TRUE:
                return True
            if folded in _FALSE:
                return False
            raise _CellError(_("无法识别"), _("“是”或“否”"))
        if kind == Kind.CUSTOM and column.parse is not None:
            try:
                return column.parse(text)
            except ValueError as exc:
                problem, expected = (exc.args + ("", ""))[:2]
                raise _CellError(str(problem), str(expected) or column.help) from exc
        return text

    def _number(self, column: Column, value: Any) -> Any:
        is_int = column.kind == Kind.INT
        expected = column.help or (_("整数") if is_int else _("数字"))
        try:
            number = normalise.parse_number(value, units=column.units)
        except ValueError as exc:
            raise _CellError(str(exc.args[0]), expected) from exc
        if is_int and number != number.to_integral_value():
            raise _CellError(_("不是整数"), expected)
        if not is_int and -number.normalize().as_tuple().exponent > column.decimal_places:  # type: ignore[operator]
            raise _CellError(_("小数位过多"), _("最多 %(n)d 位小数") % {"n": column.decimal_places})
        if (column.min_value is not None and number < Decimal(str(column.min_value))) or (
            column.max_value is not None and number > Decimal(str(column.max_value))
        ):
            raise _CellError(_("超出范围"), expected)
        return int(number) if is_int else number


def _is_formula(cell: dict[str, Any]) -> bool:
    return cell.get("data_type") == "f" or isinstance(cell.get("value"), ArrayFormula)


def read_upload(spec: ImportSpec, file: IO[bytes], *, name: str) -> ParsedSheet:
    """Parse the file; raise ImportFileError for whole-file problems, collect RowErrors for cells."""
    deadline = _Deadline()
    workbook = open_workbook(file, name, deadline)
    try:
        ws = _data_sheet(workbook, spec)
        rows = iter_sheet_rows(ws, deadline)
        first = next(rows, None)
        if first is None or first[0] != 1:
            raise ImportFileError(_("工作表是空的：第 1 行应为模板的表头。"))
        header = map_header(spec, first[1])
        sheet = ParsedSheet(ignored_headers=header.ignored, missing_headers=header.missing)
        parser = _Parser()
        key_column = spec.external_key_column
        first_row_of_key: dict[str, int] = {}
        count = 0
        for row_number, cells in rows:
            if not any(_text(cells[i]["value"]) != "" for i in header.mapping if i in cells):
                continue
            count += 1
            if count > settings.IMPORT_MAX_ROWS:
                raise ImportFileError(
                    _("数据超过 %(max)d 行的上限，请拆分为多个文件后分别导入。")
                    % {"max": settings.IMPORT_MAX_ROWS}
                )
            data: dict[str, Any] = {}
            errors: list[RowError] = []
            for index, column in header.mapping.items():
                cell = cells.get(index)
                value = cell["value"] if cell is not None else None
                if cell is not None and _is_formula(cell):
                    errors.append(
                        RowError(
                            row_number, column.header, shown(value), _("是公式"), _("请填写数值而不是公式")
                        )
                    )
                    continue
                try:
                    data[column.field] = parser.parse(column, value)
                except _CellError as exc:
                    errors.append(
                        RowError(row_number, column.header, shown(value), exc.problem, exc.expected)
                    )
            key = data.get(key_column.field) or ""
            if key and key in first_row_of_key:
                errors.append(
                    RowError(
                        row_number,
                        key_column.header,
                        key,
                        _("与第 %(r)d 行重复") % {"r": first_row_of_key[key]},
                        _("每行一个不重复的外部编号"),
                    )
                )
            elif key:
                first_row_of_key[key] = row_number
            if errors:
                sheet.errors.extend(errors)
            else:
                sheet.rows.append(ParsedRow(row=row_number, key=key, data=data))
        if count == 0:
            raise ImportFileError(
                _("表中没有数据：请从第 2 行开始填写，每行一条%(title)s。") % {"title": spec.title}
            )
        return sheet
    finally:
        workbook.close()


def count_data_rows(spec: ImportSpec, file: IO[bytes], *, name: str) -> int:
    """The file-level checks and the number of data rows, without parsing any value (to decide whether
    the full check runs now or in the background)."""
    deadline = _Deadline()
    workbook = open_workbook(file, name, deadline)
    try:
        rows = iter_sheet_rows(_data_sheet(workbook, spec), deadline)
        first = next(rows, None)
        if first is None or first[0] != 1:
            raise ImportFileError(_("工作表是空的：第 1 行应为模板的表头。"))
        header = map_header(spec, first[1])
        count = sum(1 for _row, cells in rows if any(i in cells for i in header.mapping))
        if count > settings.IMPORT_MAX_ROWS:
            raise ImportFileError(
                _("数据超过 %(max)d 行的上限，请拆分为多个文件后分别导入。")
                % {"max": settings.IMPORT_MAX_ROWS}
            )
        if count == 0:
            raise ImportFileError(
                _("表中没有数据：请从第 2 行开始填写，每行一条%(title)s。") % {"title": spec.title}
            )
        return count
    finally:
        workbook.close()
