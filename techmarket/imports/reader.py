"""Parse an uploaded workbook against an ImportSpec into per-row data and Chinese row errors.

Never trusts the file: the extension, the zip magic bytes and openpyxl must all agree it is xlsx;
size and row count are capped (settings IMPORT_MAX_BYTES / IMPORT_MAX_ROWS); formulas are never
evaluated (data_only=False) and a formula cell is an error.
"""

import datetime
import io
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula

from .spec import Column, ImportSpec, Kind

ZIP_MAGIC = b"PK\x03\x04"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
INSTRUCTIONS_SHEET = "填写说明"
CODES_SHEET = "代码表"
_MULTI_SPLIT = re.compile(r"[、,，;；\n]+")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_TRUE, _FALSE = {"是", "y", "yes", "true", "1", "√"}, {"否", "n", "no", "false", "0", "×"}


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

    @property
    def total(self) -> int:
        return len(self.rows) + len({e.row for e in self.errors})


class _CellError(Exception):
    def __init__(self, problem: str, expected: str) -> None:
        super().__init__(problem)
        self.problem, self.expected = problem, expected


def _size_label(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(n // 1024, 1)} KB"


def open_workbook(file: IO[bytes], name: str) -> Any:
    """The three checks of "is this really xlsx", then an openpyxl read-only workbook."""
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
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # zipfile, XML and openpyxl's own errors: all mean "cannot read this"
        raise ImportFileError(
            _("文件已损坏或不是有效的 Excel 工作簿，无法读取。请重新下载模板填写后再上传。")
        ) from exc


def _data_sheet(workbook: Any, spec: ImportSpec) -> Any:
    if spec.title in workbook.sheetnames:
        return workbook[spec.title]
    for ws in workbook.worksheets:
        if ws.title not in (INSTRUCTIONS_SHEET, CODES_SHEET):
            return ws
    raise ImportFileError(_("工作簿中没有找到数据工作表“%(title)s”。") % {"title": spec.title})


def _header_text(value: Any) -> str:
    return str(value or "").strip().rstrip("*＊").strip()


def _map_header(spec: ImportSpec, header_cells: tuple[Any, ...]) -> tuple[dict[int, Column], list[str]]:
    by_header = {c.header: c for c in spec.columns}
    mapping: dict[int, Column] = {}
    ignored: list[str] = []
    seen: set[str] = set()
    for index, cell in enumerate(header_cells):
        text = _header_text(cell.value)
        if not text:
            continue
        if text in seen:
            raise ImportFileError(_("第 1 行表头中“%(h)s”列出现了两次，请删除重复的列。") % {"h": text})
        seen.add(text)
        if text in by_header:
            mapping[index] = by_header[text]
        else:
            ignored.append(text)
    missing = [c.header for c in spec.columns if c.header not in seen]
    if missing:
        raise ImportFileError(
            _("第 1 行表头缺少这些列：%(missing)s。请使用平台下载的模板，不要修改、删除或移动表头。")
            % {"missing": "、".join(f"“{h}”" for h in missing)}
        )
    return mapping, ignored


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    text = str(value).strip()
    # Our exports write "'=..." so a spreadsheet shows formula-like text as text: take it back on import.
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_PREFIXES else text


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
            return self._number(column, value, text)
        if kind == Kind.DATE:
            if isinstance(value, datetime.datetime):
                return value.date()
            if isinstance(value, datetime.date):
                return value
            for fmt in _DATE_FORMATS:
                try:
                    return datetime.datetime.strptime(text, fmt).date()
                except ValueError:
                    continue
            raise _CellError(_("不是有效的日期"), _("日期，如 2026-06-30"))
        if kind == Kind.CHOICE:
            labels = self.labels(column)
            if text not in labels:
                raise _CellError(
                    _("不在可选范围内"),
                    _("下列之一：%(v)s") % {"v": "、".join(label for _c, label in column.choice_pairs())},
                )
            return labels[text]
        if kind == Kind.MULTI:
            labels = self.labels(column)
            parts = [p.strip() for p in _MULTI_SPLIT.split(text) if p.strip()]
            unknown = [p for p in parts if p not in labels]
            if unknown:
                raise _CellError(
                    _("中的“%(u)s”不是可选项") % {"u": "、".join(unknown)},
                    _("下列中的一项或多项（用“、”分隔）：%(v)s")
                    % {"v": "、".join(label for _c, label in column.choice_pairs())},
                )
            return list(dict.fromkeys(labels[p] for p in parts))
        if kind == Kind.CODE:
            code = text.split()[0]
            if column.normalise:
                code = column.normalise(code)
            if code not in self.codes(column):
                raise _CellError(_("不是有效的代码"), column.help or _("代码表中的代码"))
            return code
        if kind == Kind.BOOL:
            if isinstance(value, bool):
                return value
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise _CellError(_("无法识别"), _("“是”或“否”"))
        if kind == Kind.CUSTOM and column.parse is not None:
            try:
                return column.parse(text)
            except ValueError as exc:
                problem, expected = (exc.args + ("", ""))[:2]
                raise _CellError(str(problem), str(expected) or column.help) from exc
        return text

    def _number(self, column: Column, value: Any, text: str) -> Any:
        is_int = column.kind == Kind.INT
        expected = column.help or (_("整数") if is_int else _("数字"))
        if isinstance(value, bool):
            raise _CellError(_("不是数字"), expected)
        try:
            number = Decimal(str(value)) if isinstance(value, int | float) else Decimal(text.replace(",", ""))
        except InvalidOperation as exc:
            raise _CellError(_("不是数字"), expected) from exc
        if not number.is_finite():
            raise _CellError(_("不是数字"), expected)
        if is_int and number != number.to_integral_value():
            raise _CellError(_("不是整数"), expected)
        if not is_int and -number.as_tuple().exponent > column.decimal_places:  # type: ignore[operator]
            raise _CellError(_("小数位过多"), _("最多 %(n)d 位小数") % {"n": column.decimal_places})
        if (column.min_value is not None and number < Decimal(str(column.min_value))) or (
            column.max_value is not None and number > Decimal(str(column.max_value))
        ):
            raise _CellError(_("超出范围"), expected)
        return int(number) if is_int else number


def read_upload(spec: ImportSpec, file: IO[bytes], *, name: str) -> ParsedSheet:
    """Parse the file; raise ImportFileError for whole-file problems, collect RowErrors for cells."""
    workbook = open_workbook(file, name)
    try:
        ws = _data_sheet(workbook, spec)
        rows = ws.iter_rows()
        header = next(rows, None)
        if header is None:
            raise ImportFileError(_("工作表是空的：第 1 行应为模板的表头。"))
        mapping, ignored = _map_header(spec, header)
        sheet = ParsedSheet(ignored_headers=ignored)
        parser = _Parser()
        key_column = spec.external_key_column
        first_row_of_key: dict[str, int] = {}
        count = 0
        for row_number, cells in enumerate(rows, start=2):
            if all(_text(c.value) == "" for i, c in enumerate(cells) if i in mapping):
                continue
            count += 1
            if count > settings.IMPORT_MAX_ROWS:
                raise ImportFileError(
                    _("数据超过 %(max)d 行的上限，请拆分为多个文件后分别导入。")
                    % {"max": settings.IMPORT_MAX_ROWS}
                )
            data: dict[str, Any] = {}
            errors: list[RowError] = []
            present = {i: c for i, c in enumerate(cells)}
            for index, column in mapping.items():
                cell = present.get(index)
                value = cell.value if cell is not None else None
                if cell is not None and (
                    getattr(cell, "data_type", None) == "f" or isinstance(value, ArrayFormula)
                ):
                    shown = value.text if isinstance(value, ArrayFormula) else str(value)
                    errors.append(
                        RowError(
                            row_number, column.header, shown[:50], _("是公式"), _("请填写数值而不是公式")
                        )
                    )
                    continue
                try:
                    data[column.field] = parser.parse(column, value)
                except _CellError as exc:
                    errors.append(
                        RowError(row_number, column.header, _text(value)[:50], exc.problem, exc.expected)
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
