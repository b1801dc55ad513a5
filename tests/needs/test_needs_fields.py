"""One description per need field: the service, the web form, the API schema and the Excel import agree."""

import pytest
from django.core.exceptions import ValidationError
from factories import MembershipFactory, OrganizationFactory, UserFactory

from techmarket.imports.specs import get_spec
from techmarket.needs import services
from techmarket.needs.fields import NEED_FIELDS
from techmarket.needs.forms import NeedForm
from techmarket.orgs.models import Role

pytestmark = pytest.mark.django_db

GOOD = {
    "kind": "technology",
    "title": "高盐废水蒸发结晶分盐",
    "summary": "分盐纯度提升",
    "problem": "杂盐难处置",
    "visibility": "public",
}


@pytest.fixture
def member():
    org = OrganizationFactory()
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.MEMBER)
    return user, org


def test_service_names_every_wrong_field_with_the_shared_messages(member):
    user, org = member
    with pytest.raises(ValidationError) as exc:
        services.need_create(
            acting_user=user,
            owner=org,
            **{
                **GOOD,
                "title": "废",
                "rd_cycle_months": 200,
                "budget_min": -1,
                "summary": "<script>摘要</script>",
            },
        )
    errors = exc.value.message_dict
    assert errors["title"] == ["标题至少 2 个字，请写清要解决的技术问题。"]
    assert errors["rd_cycle_months"] == ["研发周期应在 1–120 个月之间。"]
    assert errors["budget_min"] == ["预算不能为负数。"]
    assert "HTML 标签" in errors["summary"][0]


def test_form_shows_the_same_messages_next_to_the_fields_before_any_service_call():
    form = NeedForm(
        data={**GOOD, "title": "废", "rd_cycle_months": "200", "budget_min": "100", "budget_max": "50"}
    )
    assert not form.is_valid()
    assert form.errors["title"] == ["标题至少 2 个字，请写清要解决的技术问题。"]
    assert form.errors["rd_cycle_months"] == ["研发周期应在 1–120 个月之间。"]
    assert form.errors["budget_max"] == ["预算上限（50 万元）不能低于下限（100 万元）。"]
    assert form.fields["title"].widget.attrs["maxlength"] == 120
    assert form.fields["rd_cycle_months"].widget.attrs["max"] == 120


def test_form_accepts_what_the_service_accepts():
    assert NeedForm(
        data={**GOOD, "rd_cycle_months": "18", "budget_min": "50", "budget_max": "120"}
    ).is_valid()


def test_api_schema_publishes_the_same_limits(client):
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["NeedIn"]["properties"]
    assert schema["title"]["maxLength"] == NEED_FIELDS["title"].max_length == 120
    assert schema["rd_cycle_months"]["maximum"] == 120 and schema["rd_cycle_months"]["minimum"] == 1
    assert schema["title"]["description"] == "2–120 字，写清要解决的技术问题"


def test_api_refuses_a_bad_cycle_with_the_services_message(member, client):
    user, org = member
    client.force_login(user)
    response = client.post(
        "/api/needs", {**GOOD, "owner_id": org.pk, "rd_cycle_months": 500}, content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert "研发周期应在 1–120 个月之间" in response.content.decode()


def test_excel_columns_take_their_limits_from_the_field_descriptions():
    columns = {c.field: c for c in get_spec("needs").columns}
    for name in ("title", "summary", "problem", "background", "contact_phone"):
        assert columns[name].max_length == NEED_FIELDS[name].max_length
        assert columns[name].required == NEED_FIELDS[name].required
    assert (columns["rd_cycle_months"].min_value, columns["rd_cycle_months"].max_value) == (1, 120)
    assert columns["budget_max"].min_value == NEED_FIELDS["budget_max"].min_value
