"""One description per achievement field: a rule changed in achievements/fields.py shows up in the web form,
the API error and the Excel import error, with the same message."""

import dataclasses
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from factories import MembershipFactory, OrganizationFactory, UserFactory

from techmarket.achievements.fields import ACHIEVEMENT_FIELDS
from techmarket.achievements.forms import AchievementForm
from techmarket.imports import services as imports
from techmarket.imports.specs import get_spec
from techmarket.orgs.models import Organization, Role

pytestmark = pytest.mark.django_db

FORM = {
    "title": "磷酸铁锂正极材料",
    "summary": "低温放电容量保持率 85%",
    "stage": "lab",
    "visibility": "public",
}
BODY = {"title": "磷酸铁锂正极材料", "summary": "低温放电容量保持率 85%", "trl": 6, "stage": "lab"}


@pytest.fixture
def owner():
    org = OrganizationFactory(kind=Organization.Kind.INSTITUTE)
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.MEMBER)
    return user, org


def _sheet(**cells):
    spec = get_spec("achievements")
    row = {
        "外部编号": "CG-1",
        "标题": FORM["title"],
        "公开摘要": FORM["summary"],
        "技术成熟度（TRL）": 6,
        **cells,
    }
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([c.header for c in spec.columns])
    ws.append([row.get(c.header) for c in spec.columns])
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("a.xlsx", buffer.getvalue())


def _three_ways(client, owner, *, form, api, sheet):
    """The message each of the three entry points gives for the same wrong value."""
    user, org = owner
    bound = AchievementForm(data={**FORM, **form})
    assert not bound.is_valid()
    client.force_login(user)
    response = client.post(
        "/api/achievements", {**BODY, **api, "owner_id": org.pk}, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    preview = imports.import_preview(get_spec("achievements"), _sheet(**sheet), acting_user=user, owner=org)
    return bound.errors, response.content.decode(), [(e.column, e.problem) for e in preview.errors]


def _change(monkeypatch, name, **rule):
    monkeypatch.setitem(ACHIEVEMENT_FIELDS.specs, name, dataclasses.replace(ACHIEVEMENT_FIELDS[name], **rule))


def test_a_longer_minimum_title_is_enforced_by_the_form_the_api_and_the_import(client, owner, monkeypatch):
    message = "成果标题至少 %(n)d 个字，请写清成果名称。"
    _change(monkeypatch, "title", min_length=10, messages={"min_length": message})
    short = "锂电池正极材料"  # 7 characters: fine before, too short now
    form_errors, api_body, import_errors = _three_ways(
        client, owner, form={"title": short}, api={"title": short}, sheet={"标题": short}
    )
    expected = "成果标题至少 10 个字，请写清成果名称。"
    assert form_errors["title"] == [expected]
    assert expected in api_body
    assert import_errors == [("标题", f"不符合要求：{expected.rstrip('。')}")]


def test_a_narrower_trl_range_is_enforced_by_the_form_the_api_and_the_import(client, owner, monkeypatch):
    _change(monkeypatch, "trl", max_value=7)
    form_errors, api_body, import_errors = _three_ways(
        client, owner, form={"trl": "8"}, api={"trl": 8}, sheet={"技术成熟度（TRL）": 8}
    )
    expected = "技术成熟度（TRL）应为 1–9 的整数（当前为“8”）。"
    assert form_errors["trl"] == [expected]
    assert expected in api_body
    assert import_errors == [("技术成熟度（TRL）", f"不符合要求：{expected.rstrip('。')}")]


def test_the_shared_price_rule_gives_the_same_message_everywhere(client, owner):
    form_errors, api_body, import_errors = _three_ways(
        client,
        owner,
        form={"asking_price_wan": "-5"},
        api={"asking_price_wan": -5},
        sheet={"报价（万元）": -5},
    )
    assert form_errors["asking_price_wan"] == ["报价不能为负数。"]
    assert "报价不能为负数。" in api_body
    # The sheet's column takes its lower bound from the same description and refuses the cell itself.
    assert [column for column, _problem in import_errors] == ["报价（万元）"]
    share = AchievementForm(data={**FORM, "empowerment_share": "120"})
    assert not share.is_valid() and share.errors["empowerment_share"] == ["完成人所占份额应在 0–100% 之间。"]


def test_form_accepts_what_the_service_accepts():
    form = AchievementForm(data={**FORM, "trl": "6", "asking_price_wan": "300", "keywords": "正极材料、包覆"})
    assert form.is_valid(), form.errors
    assert form.fields["title"].widget.attrs["maxlength"] == 120


def test_api_schema_and_sheet_columns_take_their_limits_from_the_descriptions(client):
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["AchievementIn"]["properties"]
    assert schema["title"]["maxLength"] == ACHIEVEMENT_FIELDS["title"].max_length == 120
    assert schema["trl"]["minimum"] == 1 and schema["trl"]["maximum"] == 9
    assert schema["title"]["description"] == str(ACHIEVEMENT_FIELDS["title"].help)
    columns = {c.field: c for c in get_spec("achievements").columns}
    for name in ("title", "summary", "advantages", "route_to_market", "confidential_detail", "external_key"):
        assert columns[name].max_length == ACHIEVEMENT_FIELDS[name].max_length
    assert (columns["trl"].min_value, columns["trl"].max_value, columns["trl"].required) == (1, 9, True)
    assert columns["asking_price_wan"].min_value == ACHIEVEMENT_FIELDS["asking_price_wan"].min_value == 0
