"""The owner hears the review outcome; the three kinds of needs ask for their own facts; the version
history shows labels and no false changes; forms show no "---------"; grouped, named code pickers."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_operator

from techmarket.catalog.diff import diff_fields
from techmarket.catalog.models import ListingStatus
from techmarket.catalog.workflow import listing_transition
from techmarket.needs import services
from techmarket.needs.forms import NeedForm
from techmarket.needs.models import Need
from techmarket.notifications.models import Notification
from techmarket.orgs.models import Role
from techmarket.reference.models import ChainNode, IndustryChain

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    org = OrganizationFactory()
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.ORG_ADMIN)
    return user, org


def _pending(org, title="果蔬预冷保鲜工艺"):
    return Need.objects.create(
        owner=org, title=title, summary="摘要", problem="难题", status=ListingStatus.PENDING
    )


def test_owner_is_told_when_the_need_is_published(owner, django_capture_on_commit_callbacks):
    user, org = owner
    need = _pending(org)
    with django_capture_on_commit_callbacks(execute=True):
        listing_transition(item=need, action="publish", acting_user=make_operator())
    note = Notification.objects.get(user=user, item_key__startswith="review:")
    assert "已审核通过并发布" in note.title and note.url == f"/needs/{need.pk}/"


def test_owner_is_told_why_the_need_was_sent_back(owner, django_capture_on_commit_callbacks):
    user, org = owner
    need = _pending(org)
    with django_capture_on_commit_callbacks(execute=True):
        listing_transition(
            item=need, action="request_changes", acting_user=make_operator(), reason="请补充指标"
        )
    note = Notification.objects.get(user=user, item_key__startswith="review:")
    assert "需要整改" in note.title and "请补充指标" in note.body


def test_talent_need_asks_for_a_position_not_a_technical_problem(owner):
    user, org = owner
    with pytest.raises(ValidationError) as exc:
        services.need_create(
            acting_user=user, owner=org, kind="talent", title="引进研发工程师", summary="摘要"
        )
    assert "talent_position" in exc.value.message_dict
    need = services.need_create(
        acting_user=user,
        owner=org,
        kind="talent",
        title="引进研发工程师",
        summary="摘要",
        talent_position="电池材料研发工程师",
        talent_count=2,
        talent_education="master",
        talent_modes=["enclave", "part_time"],
    )
    assert need.problem == "" and need.talent_mode_labels == ["人才飞地", "兼职"]


def test_cooperation_need_asks_for_the_form_of_cooperation(owner):
    user, org = owner
    with pytest.raises(ValidationError) as exc:
        services.need_create(
            acting_user=user, owner=org, kind="cooperation", title="共建联合实验室", summary="摘要"
        )
    assert "cooperation_forms" in exc.value.message_dict
    need = services.need_create(
        acting_user=user,
        owner=org,
        kind="cooperation",
        title="共建联合实验室",
        summary="摘要",
        cooperation_forms=["joint_lab", "training"],
    )
    assert need.cooperation_form_labels == ["共建联合实验室", "人才培养与培训"]
    with pytest.raises(ValidationError):
        services.need_create(
            acting_user=user,
            owner=org,
            kind="cooperation",
            title="共建联合实验室二",
            summary="摘要",
            cooperation_forms=["picnic"],
        )


def test_technology_need_still_requires_its_problem(owner):
    user, org = owner
    with pytest.raises(ValidationError) as exc:
        services.need_create(acting_user=user, owner=org, title="提升压实密度", summary="摘要")
    assert "problem" in exc.value.message_dict


def test_version_history_shows_labels_and_does_not_report_100_as_changed_to_100_00():
    labels = {"budget_min": "预算下限（万元）", "cooperation_modes": "合作方式"}
    choices = services.VERSION_CHOICES
    assert diff_fields({"budget_min": "100"}, {"budget_min": "100.00"}, labels, choices) == []
    (change,) = diff_fields(
        {"cooperation_modes": ["commissioned"]},
        {"cooperation_modes": ["commissioned", "joint"]},
        labels,
        choices,
    )
    text = "".join(t for _op, t in change.segments)
    assert "委托开发" in text and "合作开发" in text and "commissioned" not in text


def test_saving_a_budget_again_records_no_new_version(owner):
    user, org = owner
    need = services.need_create(
        acting_user=user, owner=org, title="提升压实密度", summary="摘要", problem="难题", budget_min="100"
    )
    services.need_update(need=need, acting_user=user, budget_min="100.00", title="提升压实密度")
    assert need.versions.count() == 1


def test_need_form_has_no_dashes_parameter_rows_and_chain_nodes_grouped_by_chain():
    chain = IndustryChain.objects.create(name="绿色果蔬加工")
    segment = ChainNode.objects.create(chain=chain, name="中游")
    ChainNode.objects.create(chain=chain, parent=segment, name="预冷保鲜")
    html = str(NeedForm())
    assert "---------" not in html
    assert 'name="parameters-indicator"' in html and "添加一项指标" in html
    assert '<optgroup label="绿色果蔬加工">' in html and "中游 › 预冷保鲜" in html
    assert ">农副食品加工业<" in html and ">13 农副食品加工业<" not in html


def test_parameter_rows_post_as_a_list(owner):
    user, org = owner
    c = Client()
    c.force_login(user)
    response = c.post(
        "/needs/new/",
        {
            "owner": org.pk,
            "kind": "technology",
            "title": "提升压实密度",
            "summary": "摘要",
            "problem": "难题",
            "visibility": "public",
            "parameters-indicator": ["压实密度", "", "循环寿命"],
            "parameters-target": ["≥2.5", "", "≥4000"],
            "parameters-unit": ["g/cm³", "", "次"],
        },
    )
    assert response.status_code == 302
    assert Need.objects.get().parameters == [
        {"indicator": "压实密度", "target": "≥2.5", "unit": "g/cm³"},
        {"indicator": "循环寿命", "target": "≥4000", "unit": "次"},
    ]
