"""The achievements sheet: patent check digits reported on their row; all-or-nothing; re-import updates."""

import io

import openpyxl
import pytest
from imports_factories import build_xlsx, upload

from techmarket.achievements.models import Achievement
from techmarket.achievements.validators import make_patent_application_number
from techmarket.imports import services
from techmarket.imports.specs import get_spec
from techmarket.imports.template import build_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def aspec():
    return get_spec("achievements")


def _row(key, patent):
    return {
        "外部编号": key,
        "标题": f"高镍三元正极材料表面包覆技术{key}",
        "公开摘要": "循环 1000 次容量保持率 ≥ 90%",
        "关键词": "正极材料、包覆",
        "学科": "110",
        "适用行业": "C38、26",
        "技术成熟度（TRL）": 6,
        "所处阶段": "中试",
        "转化方式": "转让、普通许可",
        "报价（万元）": 300,
        "知识产权": f"发明专利|{patent}|一种正极材料包覆方法|已授权",
    }


def test_wrong_patent_check_digit_blocks_the_file_then_fixed_file_imports_and_reimports(aspec, owner):
    user, org = owner
    good = make_patent_application_number("202310123456")
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    f = upload(build_xlsx(aspec, [_row("CG-1", good), _row("CG-2", wrong)]), "achievements.xlsx")
    preview = services.import_preview(aspec, f, acting_user=user, owner=org)
    assert [(e.row, e.column) for e in preview.errors] == [(3, "知识产权")]
    assert "第 1 项知识产权" in preview.errors[0].problem
    assert not services.import_commit(aspec, f, acting_user=user, owner=org).ok
    assert Achievement.objects.count() == 0

    other = make_patent_application_number("202310654321")
    fixed = upload(build_xlsx(aspec, [_row("CG-1", good), _row("CG-2", other)]))
    result = services.import_commit(aspec, fixed, acting_user=user, owner=org)
    assert result.ok and result.created == 2, result.errors
    item = Achievement.objects.get(external_key="CG-1")
    assert sorted(i.pk for i in item.industries.all()) == ["26", "38"] and item.trl == 6
    assert item.ip_rights.get().number.endswith(good[-1])
    again = services.import_commit(aspec, fixed, acting_user=user, owner=org)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2) and Achievement.objects.count() == 2


def test_achievements_template_has_stage_dropdown(aspec):
    ws = openpyxl.load_workbook(io.BytesIO(build_template(aspec)))["科技成果"]
    assert any(dv.formula1 == '"实验室,小试,中试,产业化"' for dv in ws.data_validations.dataValidation)
