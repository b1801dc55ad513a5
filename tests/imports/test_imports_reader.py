"""Bad uploads get one clear message; bad cells get row, column, value, problem and what is expected."""

import io
import os

import openpyxl
import pytest
from imports_factories import build_xlsx, need_row, upload

from techmarket.imports.reader import ImportFileError, read_upload

pytestmark = pytest.mark.django_db


def _read(spec, f):
    return read_upload(spec, f, name=f.name)


def test_csv_renamed_to_xlsx_is_refused_by_content(spec):
    f = upload("外部编号,标题\nA1,测试\n".encode(), "needs.xlsx")
    with pytest.raises(ImportFileError, match="不是 xlsx 格式"):
        _read(spec, f)


def test_random_binary_and_wrong_extension_are_refused(spec):
    with pytest.raises(ImportFileError, match="不是 xlsx 格式"):
        _read(spec, upload(os.urandom(2048), "needs.xlsx"))
    with pytest.raises(ImportFileError, match="只接受 .xlsx"):
        _read(spec, upload(build_xlsx(spec, [need_row("A1")]), "needs.xls"))


def test_zip_that_is_not_a_workbook_is_malformed(spec):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    with pytest.raises(ImportFileError, match="已损坏或不是有效的 Excel"):
        _read(spec, upload(buffer.getvalue()))


def test_oversized_file_and_too_many_rows_are_refused(spec, settings):
    content = build_xlsx(spec, [need_row(f"A{i}") for i in range(5)])
    settings.IMPORT_MAX_BYTES = len(content) - 1
    with pytest.raises(ImportFileError, match="超过大小上限"):
        _read(spec, upload(content))
    settings.IMPORT_MAX_BYTES = 10 * 1024 * 1024
    settings.IMPORT_MAX_ROWS = 4
    with pytest.raises(ImportFileError, match="超过 4 行的上限"):
        _read(spec, upload(content))


def test_missing_or_renamed_header_column_is_named(spec):
    headers = [c.header for c in spec.columns]
    headers[headers.index("标题")] = "名称"  # a required column: optional ones may be left out
    with pytest.raises(ImportFileError, match="缺少这些列：“标题”"):
        _read(spec, upload(build_xlsx(spec, [need_row("A1")], headers=headers)))


def test_cell_errors_say_row_column_value_problem_and_expected(spec):
    rows = [
        need_row("A1"),
        need_row(
            "A2",
            需求类型="买技术",
            所属行业="Z99",
            技术指标="只有指标",
            **{"研发周期（月）": 12.5, "预算上限（万元）": "很多"},
        ),
        need_row("A1"),
    ]
    sheet = _read(spec, upload(build_xlsx(spec, rows)))
    assert [r.row for r in sheet.rows] == [2]
    by_column = {e.column: e for e in sheet.errors if e.row == 3}
    assert by_column["需求类型"].value == "买技术"
    assert (
        str(by_column["需求类型"])
        == "第 3 行，“需求类型”列：值“买技术”不在可选范围内，应为下列之一：技术需求、人才需求、校企合作需求"
    )
    assert (
        by_column["研发周期（月）"].problem == "不是整数"
        and by_column["预算上限（万元）"].problem == "不是数字"
    )
    assert "GB/T 4754" in by_column["所属行业"].expected
    assert "指标|目标值|单位" in by_column["技术指标"].expected
    duplicate = next(e for e in sheet.errors if e.row == 4)
    assert duplicate.column == "外部编号" and "与第 2 行重复" in duplicate.problem


def test_industry_code_with_or_without_section_letter_and_typed_values(spec):
    rows = [
        need_row("A1", 所属行业="26"),
        need_row("A2", 所属行业="C26 化学原料和化学制品制造业", 匿名发布="是"),
        need_row("A3", 所属行业="C"),
    ]
    sheet = _read(spec, upload(build_xlsx(spec, rows)))
    assert not sheet.errors
    assert [r.data["industry"] for r in sheet.rows] == ["26", "26", "C"]
    first = sheet.rows[0].data
    assert first["parameters"] == [
        {"indicator": "-20℃容量保持率", "target": "≥85", "unit": "%"},
        {"indicator": "循环寿命", "target": "3000", "unit": "次"},
    ]
    assert first["cooperation_modes"] == ["joint", "transfer"] and first["kind"] == "technology"
    assert first["rd_cycle_months"] == 18 and str(first["budget_min"]) == "50"
    assert sheet.rows[1].data["is_anonymous"] is True


def test_formula_cells_are_errors_and_never_evaluated(spec):
    wb = openpyxl.load_workbook(io.BytesIO(build_xlsx(spec, [need_row("A1")])))
    ws = wb.active
    headers = [c.value for c in ws[1]]
    ws.cell(row=2, column=headers.index("预算上限（万元）") + 1, value="=1+1")
    buffer = io.BytesIO()
    wb.save(buffer)
    sheet = _read(spec, upload(buffer.getvalue()))
    assert not sheet.rows
    (error,) = sheet.errors
    assert (
        error.column == "预算上限（万元）"
        and error.value == "=1+1"
        and error.expected == "请填写数值而不是公式"
    )
