"""The downloadable xlsx template of a spec: data sheet, instructions sheet, hidden code lists."""

import io

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from techmarket.catalog.text import HARMLESS_TAGS

from .reader import CODES_SHEET, INSTRUCTIONS_SHEET
from .spec import Column, ImportSpec, Kind

# Excel limits an inline list ("a,b,c") to 255 characters; longer lists go to the hidden code sheet.
INLINE_LIST_MAX = 250
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
EXAMPLE_TITLE = "示例行（按此格式填写的一行可以通过校验）"
KIND_FORMAT = {
    Kind.TEXT: "文本",
    Kind.INT: "整数",
    Kind.DECIMAL: "数字",
    Kind.DATE: "日期（2026-06-30 或 2026年6月30日）",
    Kind.CHOICE: "下拉选择",
    Kind.MULTI: "多选，用“、”分隔",
    Kind.CODE: "代码（可下拉选择）",
    Kind.BOOL: "是 / 否",
    Kind.CUSTOM: "按说明填写",
}


def dropdown_values(column: Column) -> list[str]:
    if column.kind == Kind.BOOL:
        return ["是", "否"]
    if column.kind == Kind.CODE:
        return [f"{code} {label}" for code, label in column.dropdown_pairs()]
    return [label for _code, label in column.dropdown_pairs()]


def column_note(column: Column) -> str:
    lines = [_("必填") if column.required else _("选填"), KIND_FORMAT[column.kind]]
    if column.max_length:
        lines.append(_("不超过 %(n)d 字") % {"n": column.max_length})
    if column.help:
        lines.append(column.help)
    if column.example:
        lines.append(_("示例：%(e)s") % {"e": column.example})
    return "\n".join(lines)


def _add_validation(ws, codes_ws, column: Column, letter: str, code_col: list[int]) -> None:  # type: ignore[no-untyped-def]
    values = dropdown_values(column)
    if not values:
        return
    inline = ",".join(values)
    if len(inline) <= INLINE_LIST_MAX and not any("," in v or '"' in v for v in values):
        formula = f'"{inline}"'
    else:
        code_col[0] += 1
        target = get_column_letter(code_col[0])
        codes_ws.cell(row=1, column=code_col[0], value=column.header).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            codes_ws.cell(row=row, column=code_col[0], value=value)
        formula = f"{quote_sheetname(CODES_SHEET)}!${target}$2:${target}${len(values) + 1}"
    # Code columns accept any valid code, not only the shorter dropdown list: warn, don't block.
    strict = column.kind in (Kind.CHOICE, Kind.BOOL)
    dv = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=not column.required,
        showErrorMessage=strict,
        errorStyle="stop",
        error=_("请从下拉列表中选择。"),
        errorTitle=column.header,
        showInputMessage=True,
        promptTitle=column.header[:32],
        prompt=column_note(column)[:250],
    )
    dv.add(f"{letter}2:{letter}{settings.IMPORT_MAX_ROWS + 1}")
    ws.add_data_validation(dv)


def _instructions(ws, spec: ImportSpec) -> None:  # type: ignore[no-untyped-def]
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 60
    ws.column_dimensions["D"].width = 36
    ws.append([_("%(title)s导入模板 · 填写说明") % {"title": spec.title}])
    ws["A1"].font = Font(bold=True, size=14)
    rules = [
        _(
            "1. 在“%(sheet)s”工作表中从第 2 行开始填写，每行一条；不要修改、删除或移动第 1 行表头。"
            "选填列可以整列删除：再次导入时，已有记录中这些列的内容保持不变。"
        )
        % {"sheet": spec.title},
        _(
            "2. 全部校验通过才会导入：只要有一行出错，整个文件都不会写入。上传后先预览，平台逐行列出错误"
            "（行号、列名、填写的值、问题、应填写的内容），并可下载标注了错误的文件（出错的单元格标红并附批注），改正后重新上传即可。"
        ),
        _(
            "3. “外部编号”是贵单位给每条记录的编号：再次导入同一编号时更新原记录而不是新增；内容没有变化的行不会被改动，"
            "也不会重新送审，因此可以反复修改、重复导入，也可以把平台导出的文件改好后直接导入。"
        ),
        _(
            "4. 文件须为 .xlsx 格式，不超过 %(mb)d MB、%(rows)d 行；超过 %(inline)d 行的文件在后台校验和导入，页面显示进度。"
        )
        % {
            "mb": settings.IMPORT_MAX_BYTES // (1024 * 1024),
            "rows": settings.IMPORT_MAX_ROWS,
            "inline": settings.IMPORT_INLINE_ROWS,
        },
        _("5. 请填写数值或文字，不要使用公式；带公式的单元格会被拒绝。"),
        _(
            "6. 数字和代码中的全角字符（如 ５０、３７０１０２）会自动转为半角；金额可写“50”“50.5”“1,200”或带单位“50万元”，"
            "单位必须与列名中的单位一致；整数列（如研发周期、技术成熟度）可带单位，如“18个月”“7级”，但不能写汉字数字（如“十”）。"
        ),
        _(
            "7. 日期可写 2026-06-30、2026/6/30、2026.6.30、2026年6月30日、二〇二六年六月三十日、20260630，"
            "或使用 Excel 的日期格式（包括显示为数字的日期序号）。"
        ),
        _(
            "8. 多个值用“、”“，”或“；”分隔（如合作方式、行业代码、关键词）；关键词中英文词组的空格不拆分。"
            "中国专利号不区分大小写，可带空格，如“zl 2023 1012 3456.6”，会校验格式和校验位。"
        ),
        _(
            "9. 文字中的排版标签（%(tags)s）会被自动去掉，<br> 和 <p> 变为换行；会执行或加载内容的 HTML 标签"
            "（如 <script>、<img>、<a>、<iframe>）或带事件属性的标签会被拒绝；其他尖括号文字（如 <Journal of Energy>）保持原样。"
            "标题至少 2 个字；各列的字数上限见下表。"
        )
        % {"tags": "、".join(f"<{t}>" for t in sorted(HARMLESS_TAGS))},
    ]
    if spec.creates_drafts:
        rules.append(
            _(
                "10. 新导入的条目为“草稿”，需要在平台上提交审核后才会发布（可在“本机构的%(title)s”中批量提交）；"
                "已发布的条目内容有变化时会重新进入审核。"
            )
            % {"title": spec.title}
        )
    for rule in rules:
        ws.append([rule])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=4)
        ws.cell(row=ws.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[ws.max_row].height = 32
    ws.append([])
    ws.append([_("列名"), _("是否必填"), _("格式与要求"), _("示例")])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for column in spec.columns:
        requirement = "；".join(
            filter(
                None,
                [
                    KIND_FORMAT[column.kind],
                    _("不超过 %(n)d 字") % {"n": column.max_length} if column.max_length else "",
                    column.help,
                ],
            )
        )
        ws.append([column.header, _("必填") if column.required else _("选填"), requirement, column.example])
        for cell in ws[ws.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.append([])
    ws.append([EXAMPLE_TITLE])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    # The example row, laid out like the data sheet: copy both rows into it and it imports.
    ws.append([column.header for column in spec.columns])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    ws.append([column.example or None for column in spec.columns])
    for cell in ws[ws.max_row]:
        cell.number_format = "@"


def build_template(spec: ImportSpec) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = spec.title
    instructions = wb.create_sheet(INSTRUCTIONS_SHEET)
    codes = wb.create_sheet(CODES_SHEET)
    codes.sheet_state = "hidden"
    code_col = [0]
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        cell = ws.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True, color="C00000" if column.required else None)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.comment = Comment(column_note(column), "科技大市场", width=260, height=140)
        ws.column_dimensions[letter].width = column.width
        if column.kind in (Kind.TEXT, Kind.CODE, Kind.CUSTOM, Kind.MULTI):
            ws.column_dimensions[letter].number_format = "@"  # keep 001 and 371302 as text
        elif column.kind == Kind.DATE:
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
        if column.kind in (Kind.CHOICE, Kind.CODE, Kind.BOOL):
            _add_validation(ws, codes, column, letter, code_col)
    ws.freeze_panes = "B2"
    ws.row_dimensions[1].height = 30
    _instructions(instructions, spec)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
