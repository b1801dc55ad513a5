"""The experts sheet: template, a bad row reported with row and column, fix → import, re-import updates."""

import io

import openpyxl
import pytest
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_org_admin
from imports_factories import build_xlsx, upload

from techmarket.experts.models import Expert
from techmarket.imports import services
from techmarket.imports.specs import get_spec
from techmarket.imports.template import build_template
from techmarket.orgs.models import Organization, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def espec():
    return get_spec("experts")


@pytest.fixture
def university():
    return OrganizationFactory(name="临沂大学", kind=Organization.Kind.UNIVERSITY)


def _row(key, **overrides):
    row = {
        "外部编号": key,
        "姓名": f"专家{key}",
        "职称": "教授",
        "研究方向": "磷酸铁锂电池正极材料",
        "学科": "430、530",
        "服务行业": "C38",
        "合作意向": "技术咨询、揭榜攻关",
        "电子邮箱": f"{key.lower()}@lyu.edu.cn",
        "联系电话": "0539-8766123",
    }
    row.update(overrides)
    return row


def test_template_has_the_expert_columns_and_an_availability_dropdown(espec):
    ws = openpyxl.load_workbook(io.BytesIO(build_template(espec)))["专家人才"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["外部编号", "姓名", "职称", "研究方向"] and "申报的关联单位" in headers
    assert "可担任评审专家" not in headers  # set by operators on the platform, not by a sheet
    assert any(dv.formula1 == '"是,否"' for dv in ws.data_validations.dataValidation)


def test_bad_row_blocks_the_file_then_fixed_file_imports_and_reimport_updates(espec, university):
    admin = make_org_admin(university)
    partner = OrganizationFactory(name="临沂化工集团有限公司")
    bad = upload(
        build_xlsx(espec, [_row("ZJ-1"), _row("ZJ-2", **{"联系电话": "12", "学科": "999"})]), "experts.xlsx"
    )
    preview = services.import_preview(espec, bad, acting_user=admin, owner=university)
    assert sorted((e.row, e.column) for e in preview.errors) == [(3, "学科"), (3, "联系电话")]
    assert not services.import_commit(espec, bad, acting_user=admin, owner=university).ok
    assert not Expert.objects.exists()

    fixed = upload(build_xlsx(espec, [_row("ZJ-1", **{"申报的关联单位": partner.name}), _row("ZJ-2")]))
    result = services.import_commit(espec, fixed, acting_user=admin, owner=university)
    assert result.ok and result.created == 2, result.errors
    expert = Expert.objects.get(external_key="ZJ-1")
    assert expert.affiliation == university and expert.user is None
    assert sorted(d.pk for d in expert.disciplines.all()) == ["430", "530"]
    assert [i.pk for i in expert.industries.all()] == ["38"]
    assert expert.availability == ["consulting", "challenge"] and expert.is_active
    assert list(expert.related_organizations.all()) == [partner]

    changed = upload(build_xlsx(espec, [_row("ZJ-1", **{"研究方向": "固态电池电解质"}), _row("ZJ-2")]))
    again = services.import_commit(espec, changed, acting_user=admin, owner=university)
    # Only ZJ-1 changed (research fields, declared relations); ZJ-2 is written nowhere.
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1) and Expert.objects.count() == 2
    expert.refresh_from_db()
    assert expert.research_fields == "固态电池电解质"
    assert not expert.related_organizations.exists()  # the sheet is the full truth for the declared relations


def test_unknown_related_organisation_is_reported_on_its_row(espec, university):
    admin = make_org_admin(university)
    f = upload(build_xlsx(espec, [_row("ZJ-1", **{"申报的关联单位": "不存在的公司"})]))
    preview = services.import_preview(espec, f, acting_user=admin, owner=university)
    assert [(e.row, e.column) for e in preview.errors] == [(2, "申报的关联单位")]
    assert "不存在的公司" in preview.errors[0].problem


def test_plain_member_may_not_bulk_import_experts(espec, university):
    member = UserFactory()
    MembershipFactory(user=member, organization=university, role=Role.MEMBER)
    f = upload(build_xlsx(espec, [_row("ZJ-1"), _row("ZJ-2")]))
    result = services.import_commit(espec, f, acting_user=member, owner=university)
    assert "机构管理员" in result.file_error and not Expert.objects.exists()


def test_export_follows_the_list_filters_and_keeps_contacts_to_profile_managers(client, university):
    Expert.objects.create(
        name="王立新",
        affiliation=university,
        research_fields="磷酸铁锂电池正极材料",
        email="wanglx@lyu.edu.cn",
        external_key="ZJ-1",
    )
    Expert.objects.create(name="刘海波", affiliation=university, research_fields="农产品冷链保鲜")
    client.force_login(UserFactory())
    text = client.get("/imports/experts/export.csv", {"q": "锂电池", "confidential": "1"}).content.decode(
        "utf-8-sig"
    )
    assert "王立新" in text and "刘海波" not in text and "wanglx@lyu.edu.cn" not in text
    client.force_login(make_org_admin(university))
    text = client.get("/imports/experts/export.csv", {"q": "锂电池", "confidential": "1"}).content.decode(
        "utf-8-sig"
    )
    assert "wanglx@lyu.edu.cn" in text and "ZJ-1" in text
