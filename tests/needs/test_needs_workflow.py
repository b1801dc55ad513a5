"""Review workflow, validation of structured content and Chinese keyword search."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_operator

from techmarket.audit.models import AuditLog
from techmarket.catalog.models import ListingStatus
from techmarket.catalog.workflow import available_actions, listing_transition
from techmarket.needs import services
from techmarket.needs.selectors import need_list_visible_to
from techmarket.orgs.models import Organization, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    org = OrganizationFactory()
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.ORG_ADMIN)
    return user, org


def _need(user, org, **extra):
    data = {
        "title": "磷酸铁锂电池正极材料低温性能提升",
        "summary": "提升 -20℃ 放电容量保持率",
        "problem": "低温下容量衰减明显",
        "parameters": [{"indicator": "-20℃容量保持率", "target": "≥85", "unit": "%"}],
        "cooperation_modes": ["joint"],
        "budget_min": 50,
        "budget_max": 120,
        "rd_cycle_months": 18,
    }
    data.update(extra)
    return services.need_create(acting_user=user, owner=org, **data)


def test_submit_send_back_fix_and_publish_with_reasons_and_audit(owner):
    user, org = owner
    operator = make_operator()
    need = _need(user, org)
    assert need.status == ListingStatus.DRAFT
    listing_transition(item=need, action="submit", acting_user=user)
    with pytest.raises(ValidationError, match="必须填写原因"):
        listing_transition(item=need, action="request_changes", acting_user=operator, reason="  ")
    listing_transition(
        item=need, action="request_changes", acting_user=operator, reason="请补充技术指标的测试条件"
    )
    assert need.status == ListingStatus.CHANGES_REQUESTED and need.review_note == "请补充技术指标的测试条件"
    services.need_update(need=need, acting_user=user, summary="提升 -20℃、0.5C 放电容量保持率")
    listing_transition(item=need, action="submit", acting_user=user)
    listing_transition(item=need, action="publish", acting_user=operator)
    need.refresh_from_db()
    assert need.status == ListingStatus.PUBLISHED
    assert need.expires_at is not None and need.expires_at > need.published_at
    actions = list(AuditLog.objects.filter(target_id=str(need.pk)).values_list("action", flat=True))
    assert sorted(actions) == sorted(
        [
            "needs.need.create",
            "needs.need.submit",
            "needs.need.request_changes",
            "needs.need.update",
            "needs.need.submit",
            "needs.need.publish",
        ]
    )


def test_owner_cannot_publish_and_wrong_state_is_explained(owner):
    user, org = owner
    need = _need(user, org)
    with pytest.raises(PermissionDenied):
        listing_transition(item=need, action="publish", acting_user=user)
    with pytest.raises(ValidationError, match="当前状态为“草稿”"):
        listing_transition(item=need, action="renew", acting_user=user)
    assert [name for name, _ in available_actions(user, need)] == ["submit", "close"]


def test_editing_a_published_need_sends_it_back_to_review(owner):
    user, org = owner
    operator = make_operator()
    need = _need(user, org)
    listing_transition(item=need, action="submit", acting_user=user)
    listing_transition(item=need, action="publish", acting_user=operator)
    services.need_update(need=need, acting_user=user, title="磷酸铁锂正极材料低温改性")
    assert need.status == ListingStatus.PENDING


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("summary", "<script>alert(1)</script>", "HTML 标签"),
        ("budget_max", 10, "不能低于下限"),
        ("parameters", [{"indicator": "容量", "target": ""}], "第 1 项技术指标"),
        ("cooperation_modes", ["buy"], "未知的合作方式"),
        ("rd_cycle_months", 400, "1–120"),
        ("deadline", datetime.date(2000, 1, 1), "不能早于今天"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(owner, field, value, message):
    user, org = owner
    with pytest.raises(ValidationError) as exc:
        _need(user, org, **{field: value})
    assert field in exc.value.message_dict
    assert message in " ".join(exc.value.message_dict[field])
    assert not org.need_set.exists() if hasattr(org, "need_set") else True
    from techmarket.needs.models import Need

    assert Need.objects.count() == 0


def test_only_members_of_an_approved_organisation_post_needs(owner):
    _user, org = owner
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        _need(stranger, org)
    pending = OrganizationFactory(status=Organization.Status.PENDING)
    member = UserFactory()
    MembershipFactory(user=member, organization=pending, role=Role.ORG_ADMIN)
    with pytest.raises(PermissionDenied):
        _need(member, pending)


def test_chinese_keyword_finds_a_term_inside_a_longer_compound(owner):
    user, org = owner
    operator = make_operator()
    need = _need(user, org)
    _need(user, org, title="木材改性与阻燃处理工艺", summary="板材阻燃", problem="阻燃剂迁移")
    listing_transition(item=need, action="submit", acting_user=user)
    listing_transition(item=need, action="publish", acting_user=operator)
    from django.contrib.auth.models import AnonymousUser

    found = list(need_list_visible_to(AnonymousUser(), q="锂电池"))
    assert found == [need]
    assert list(need_list_visible_to(AnonymousUser(), q="阻燃")) == []  # still a draft, not listed


def test_api_creates_a_draft_and_reports_invalid_codes_by_field(owner, client):
    user, org = owner
    client.force_login(user)
    body = {
        "owner_id": org.pk,
        "title": "高韧性立方氮化硼单晶研制",
        "summary": "开发高韧性 CBN 新牌号",
        "problem": "抗冲击韧性不足",
        "industry": "C99",
        "region": "371302",
    }
    response = client.post("/api/needs", body, content_type="application/json")
    assert response.status_code == 422
    assert "industry" in response.json()["error"]["fields"]
    body["industry"] = "30"
    response = client.post("/api/needs", body, content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "draft" and created["industry_id"] == "30"
    response = client.post(
        f"/api/needs/{created['id']}/actions/publish", {"reason": ""}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_saving_without_changes_writes_nothing_and_keeps_a_published_need_listed(owner):
    user, org = owner
    operator = make_operator()
    need = _need(user, org)
    listing_transition(item=need, action="submit", acting_user=user)
    listing_transition(item=need, action="publish", acting_user=operator)
    audits = AuditLog.objects.count()
    services.need_update(
        need=need, acting_user=user, title=need.title, budget_min="50.00", parameters=list(need.parameters)
    )
    need.refresh_from_db()
    assert need.status == ListingStatus.PUBLISHED
    assert AuditLog.objects.count() == audits and need.versions.count() == 1
