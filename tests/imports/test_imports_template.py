"""The downloadable template: header, dropdowns, hidden code list and the instructions sheet."""

import io

import openpyxl
import pytest

from techmarket.imports.template import build_template

pytestmark = pytest.mark.django_db


def test_template_has_header_notes_dropdowns_and_instructions(spec):
    wb = openpyxl.load_workbook(io.BytesIO(build_template(spec)))
    assert wb.sheetnames == ["技术需求", "填写说明", "代码表"]
    ws = wb["技术需求"]
    headers = [c.value for c in ws[1]]
    assert headers == [c.header for c in spec.columns]
    assert ws["A1"].font.bold and ws.freeze_panes == "B2"
    assert "必填" in ws["B1"].comment.text and "示例" in ws["B1"].comment.text

    validations = {str(dv.sqref).split(":")[0][:1]: dv.formula1 for dv in ws.data_validations.dataValidation}
    kind_col = "ABCDEFGHIJKLMNOPQRSTU"[headers.index("需求类型")]
    assert validations[kind_col] == '"技术需求,人才需求,校企合作需求"'
    industry_col = "ABCDEFGHIJKLMNOPQRSTU"[headers.index("所属行业")]
    assert validations[industry_col].startswith("'代码表'!$")  # long list lives on the hidden sheet
    assert wb["代码表"].sheet_state == "hidden"
    codes = [c.value for c in wb["代码表"]["A"] if c.value]
    assert "C26 化学原料和化学制品制造业" in codes

    text = "\n".join(str(c.value) for row in wb["填写说明"].iter_rows() for c in row if c.value)
    assert "整个文件都不会写入" in text and "外部编号" in text and "10 MB" in text
    assert "-20℃容量保持率|≥85|%" in text  # each column's example
