"""Issue 9 × issue 10: the needs sheet knows the talent (人才需求) and cooperation (校企合作需求) fields,
in the template, the import and the export, and an exported file imports back without a change."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from imports_factories import build_xlsx, need_row, upload

from techmarket.imports import services
from techmarket.imports.export import export_xlsx
from techmarket.imports.template import build_template
from techmarket.needs.models import CooperationForm, Education, Need, NeedKind, TalentMode

pytestmark = pytest.mark.django_db

KIND_HEADERS = ["岗位名称", "需求人数", "专业领域", "学历要求", "引才方式", "合作形式"]


def _talent_row(key: str, **overrides) -> dict:
    row = need_row(
        key,
        需求类型="人才需求",
        技术难题=None,
        技术指标=None,
        岗位名称="电池材料研发工程师",
        需求人数="3人",
        专业领域="材料科学与工程",
        学历要求="硕士及以上",
        引才方式="全职引进、人才飞地",
    )
    row.update(overrides)
    return row


def _cooperation_row(key: str, **overrides) -> dict:
    row = need_row(key, 需求类型="校企合作需求", 技术难题=None, 合作形式="共建联合实验室，人才培养与培训")
    row.update(overrides)
    return row


def _commit(spec, owner, rows):
    user, org = owner
    content = build_xlsx(spec, rows)
    return services.import_commit(spec, io.BytesIO(content), acting_user=user, owner=org, name="needs.xlsx")


def test_template_documents_every_talent_and_cooperation_column(spec):
    wb = openpyxl.load_workbook(io.BytesIO(build_template(spec)))
    headers = [c.value for c in wb[spec.title][1]]
    assert all(h in headers for h in KIND_HEADERS)
    rules = "\n".join(str(c.value) for row in wb.worksheets[1].iter_rows() for c in row if c.value)
    assert "人才飞地" in rules and "共建产业研究院" in rules and "硕士及以上" in rules


def test_talent_and_cooperation_rows_import_into_their_own_fields(spec, owner):
    result = _commit(spec, owner, [_talent_row("RC-1"), _cooperation_row("HZ-1")])
    assert result.ok and result.created == 2, result.errors
    talent = Need.objects.unscoped().get(external_key="RC-1")
    assert talent.kind == NeedKind.TALENT and talent.talent_position == "电池材料研发工程师"
    assert talent.talent_count == 3 and talent.talent_field == "材料科学与工程"
    assert talent.talent_education == Education.MASTER
    assert talent.talent_modes == [TalentMode.FULL_TIME, TalentMode.ENCLAVE]
    cooperation = Need.objects.unscoped().get(external_key="HZ-1")
    assert cooperation.kind == NeedKind.COOPERATION
    assert cooperation.cooperation_forms == [CooperationForm.JOINT_LAB, CooperationForm.TRAINING]


def test_kind_rules_and_unknown_choices_are_reported_with_the_column(spec, owner):
    result = _commit(
        spec,
        owner,
        [
            _talent_row("RC-1", 岗位名称=None),  # neither position nor problem: the service refuses
            _talent_row("RC-2", 引才方式="挂职"),  # not a talent mode: the cell check refuses
            _talent_row("RC-3", 需求人数="1000"),
        ],
    )
    assert not result.ok and result.created == 0
    by_row = {(e.row, e.column) for e in result.errors}
    assert (2, "岗位名称") in by_row and (3, "引才方式") in by_row and (4, "需求人数") in by_row
    assert Need.objects.unscoped().count() == 0


def test_export_of_talent_and_cooperation_needs_reimports_as_no_change(spec, owner):
    user, org = owner
    assert _commit(spec, owner, [_talent_row("RC-1"), _cooperation_row("HZ-1"), need_row("XQ-1")]).ok
    needs = list(Need.objects.unscoped().filter(owner=org).order_by("pk"))
    content = export_xlsx(spec, needs, user=user, include_confidential=True)
    sheet = openpyxl.load_workbook(io.BytesIO(content))[spec.title]
    headers = [c.value for c in sheet[1]]
    talent_line = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "RC-1")
    exported = dict(zip(headers, talent_line, strict=False))
    assert exported["引才方式"] == "全职引进、人才飞地" and exported["学历要求"] == "硕士及以上"
    assert exported["需求人数"] == 3
    again = services.import_commit(
        spec,
        SimpleUploadedFile("export.xlsx", content),
        acting_user=user,
        owner=org,
        name="export.xlsx",
    )
    assert again.ok, again.errors
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_upload_preview_counts_a_changed_talent_field_as_one_update(spec, owner):
    user, org = owner
    assert _commit(spec, owner, [_talent_row("RC-1"), _cooperation_row("HZ-1")]).ok
    content = build_xlsx(spec, [_talent_row("RC-1", 需求人数=5), _cooperation_row("HZ-1")])
    preview = services.import_preview(spec, upload(content), acting_user=user, owner=org)
    assert preview.ok and (preview.new, preview.update, preview.unchanged) == (0, 1, 1)
    assert Need.objects.unscoped().get(external_key="RC-1").talent_count == 3  # the preview wrote nothing
