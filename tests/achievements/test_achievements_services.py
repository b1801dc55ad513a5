"""Achievement writes: permissions, review workflow with audit, bad input leaves nothing behind, IP list."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_operator

from techmarket.achievements import services
from techmarket.achievements.models import Achievement, AchievementIP
from techmarket.audit.models import AuditLog
from techmarket.catalog.models import ListingStatus
from techmarket.experts.models import Expert
from techmarket.orgs.models import Organization, Role
from techmarket.reference.models import Discipline

pytestmark = pytest.mark.django_db

PATENT = {
    "ip_type": "invention",
    "number": "ZL202310123456.6",
    "title": "一种磷酸铁锂正极材料的制备方法",
    "legal_status": "granted",
}


@pytest.fixture
def owner():
    org = OrganizationFactory(kind=Organization.Kind.UNIVERSITY, name="临沂大学")
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.MEMBER)
    return user, org


def _create(user, org, **extra):
    data = {
        "title": "磷酸铁锂电池正极材料低温改性技术",
        "summary": "-20℃ 放电容量保持率达 85%",
        "keywords": ["磷酸铁锂", "正极材料"],
        "trl": 6,
        "stage": "pilot",
        "transfer_modes": ["ordinary_license", "transfer"],
        "asking_price_wan": 300,
        "advantages": "低温容量保持率比现有产品高 15 个百分点",
    }
    data.update(extra)
    return services.achievement_create(acting_user=user, owner=org, **data)


def _actions(item):
    return sorted(
        AuditLog.objects.filter(target_id=str(item.pk), action__startswith="achievements.").values_list(
            "action", flat=True
        )
    )


def test_create_stores_a_draft_with_team_industries_and_ip_and_audits_once(owner):
    user, org = owner
    expert = Expert.objects.create(name="李明", affiliation=org, research_fields="锂电池材料")
    item = _create(
        user,
        org,
        discipline=Discipline.objects.get(pk="430"),
        industries=["384"],
        team=[expert.pk],
        ip_rights=[PATENT],
        keywords="磷酸铁锂，正极材料、 低温",
    )
    assert item.status == ListingStatus.DRAFT and item.created_by == user
    assert item.keywords == ["磷酸铁锂", "正极材料", "低温"]
    assert item.transfer_modes == ["transfer", "ordinary_license"]  # canonical order
    assert [i.pk for i in item.industries.all()] == ["384"] and list(item.team.all()) == [expert]
    assert list(item.ip_rights.values_list("number", flat=True)) == ["ZL202310123456.6"]
    log = AuditLog.objects.get(action="achievements.achievement.create", target_id=str(item.pk))
    assert log.after["ip_rights"][0]["number"] == "ZL202310123456.6" and log.after["team"] == [expert.pk]


def test_submit_send_back_fix_and_publish_with_reasons_and_audit(owner):
    user, org = owner
    operator = make_operator()
    item = _create(user, org)
    services.achievement_transition(achievement=item, action="submit", acting_user=user)
    with pytest.raises(ValidationError, match="必须填写原因"):
        services.achievement_transition(achievement=item, action="request_changes", acting_user=operator)
    services.achievement_transition(
        achievement=item, action="request_changes", acting_user=operator, reason="请量化与现有产品相比的优势"
    )
    assert item.status == ListingStatus.CHANGES_REQUESTED and item.review_note == "请量化与现有产品相比的优势"
    services.achievement_update(achievement=item, acting_user=user, advantages="容量保持率 85%，行业平均 70%")
    services.achievement_transition(achievement=item, action="submit", acting_user=user)
    services.achievement_transition(achievement=item, action="publish", acting_user=operator)
    item.refresh_from_db()
    assert item.status == ListingStatus.PUBLISHED and item.expires_at > item.published_at
    assert _actions(item) == sorted(
        [
            "achievements.achievement.create",
            "achievements.achievement.submit",
            "achievements.achievement.request_changes",
            "achievements.achievement.update",
            "achievements.achievement.submit",
            "achievements.achievement.publish",
        ]
    )


def test_owner_cannot_publish_and_editing_a_published_item_sends_it_back_to_review(owner):
    user, org = owner
    item = _create(user, org)
    services.achievement_transition(achievement=item, action="submit", acting_user=user)
    with pytest.raises(PermissionDenied):
        services.achievement_transition(achievement=item, action="publish", acting_user=user)
    services.achievement_transition(achievement=item, action="publish", acting_user=make_operator())
    services.achievement_update(achievement=item, acting_user=user, trl=7)
    assert item.status == ListingStatus.PENDING
    services.achievement_transition(achievement=item, action="publish", acting_user=make_operator())
    services.achievement_ip_set(achievement=item, acting_user=user, ip_rights=[PATENT])
    item.refresh_from_db()
    assert item.status == ListingStatus.PENDING


def test_submit_requires_a_price_or_negotiable_and_a_trl(owner):
    user, org = owner
    item = _create(user, org, asking_price_wan=None, trl=None)
    with pytest.raises(ValidationError) as exc:
        services.achievement_transition(achievement=item, action="submit", acting_user=user)
    assert "面议" in exc.value.message_dict["asking_price_wan"][0]
    assert "TRL" in exc.value.message_dict["trl"][0]
    item.refresh_from_db()
    assert item.status == ListingStatus.DRAFT
    services.achievement_update(achievement=item, acting_user=user, price_negotiable=True, trl=4)
    services.achievement_transition(achievement=item, action="submit", acting_user=user)
    assert item.status == ListingStatus.PENDING
    with pytest.raises(ValidationError, match="面议"):  # a pending item cannot lose its price either
        services.achievement_update(achievement=item, acting_user=user, price_negotiable=False)
    assert Achievement.objects.get(pk=item.pk).price_negotiable is True


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("summary", "<script>alert(1)</script>", "HTML 标签"),
        ("advantages", "<img src=x onerror=alert(1)>", "HTML 标签"),
        ("trl", 10, "1–9"),
        ("trl", 0, "1–9"),
        ("trl", "七", "1–9"),
        ("transfer_modes", ["sell"], "未知的转化方式：sell"),
        ("stage", "mass", "所处阶段只能是"),
        ("asking_price_wan", -5, "不能为负数"),
        ("keywords", ["<script>锂</script>"], "关键词"),
        ("industries", ["Z99"], "行业代码不存在：Z99"),
        ("team", [987654], "专家不存在：987654"),
        ("title", "锂", "至少 2 个字"),
        ("visibility", "everyone", ""),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(owner, field, value, message):
    user, org = owner
    with pytest.raises(ValidationError) as exc:
        _create(user, org, **{field: value})
    assert field in exc.value.message_dict
    assert message in " ".join(exc.value.message_dict[field])
    assert (
        Achievement.objects.count() == 0
        and AuditLog.objects.filter(action__startswith="achievements").count() == 0
    )


def test_bad_patent_number_on_create_names_the_row_and_expected_digit_and_writes_nothing(owner):
    user, org = owner
    rows = [PATENT, {**PATENT, "number": "ZL202310123457.6", "title": "第二件"}]
    with pytest.raises(ValidationError) as exc:
        _create(user, org, ip_rights=rows)
    assert exc.value.message_dict["ip_rights"] == [
        "第 2 项知识产权：专利号 ZL202310123457.6 校验位错误（应为 0）"
    ]
    assert Achievement.objects.count() == 0 and AchievementIP.objects.count() == 0


def test_ip_set_replaces_the_list_atomically_with_per_row_messages(owner):
    user, org = owner
    item = _create(user, org, ip_rights=[PATENT])
    bad = [
        {"ip_type": "software", "number": "2023SR0123456", "title": "正极材料烧结控制软件 V1.0"},
        {"ip_type": "invention", "number": "ZL202310123456.5", "title": "重复"},
        {"ip_type": "utility_model", "number": "ZL202310123456.6", "title": "类型不符"},
        {"ip_type": "patent", "title": ""},
    ]
    with pytest.raises(ValidationError) as exc:
        services.achievement_ip_set(achievement=item, acting_user=user, ip_rights=bad)
    messages = exc.value.message_dict["ip_rights"]
    assert messages[0] == "第 2 项知识产权：专利号 ZL202310123456.5 校验位错误（应为 6）"
    assert messages[1].startswith("第 3 项知识产权：") and "实用新型" in messages[1]
    assert any(m.startswith("第 4 项知识产权：类型“patent”无效") for m in messages)
    assert any(m == "第 4 项知识产权：请填写名称" for m in messages)
    assert list(item.ip_rights.values_list("number", flat=True)) == ["ZL202310123456.6"]  # untouched
    good = [
        {
            "ip_type": "invention",
            "number": "２０２３１０１２３４５６．６",
            "title": "一种正极材料",
            "legal_status": "pending",
            "expiry_date": "2043-06-30",
        },
        {"ip_type": "know_how", "title": "烧结温度曲线"},
    ]
    saved = services.achievement_ip_set(achievement=item, acting_user=user, ip_rights=good)
    assert [(ip.ip_type, ip.number) for ip in saved] == [("invention", "202310123456.6"), ("know_how", "")]
    assert str(saved[0].expiry_date) == "2043-06-30"
    log = AuditLog.objects.get(action="achievements.achievement.ip_set")
    assert log.before["ip_rights"][0]["number"] == "ZL202310123456.6"
    assert [r["number"] for r in log.after["ip_rights"]] == ["202310123456.6", ""]


def test_duplicate_numbers_in_one_list_are_refused(owner):
    user, org = owner
    item = _create(user, org)
    with pytest.raises(ValidationError, match="与第 1 项重复"):
        services.achievement_ip_set(
            achievement=item, acting_user=user, ip_rights=[PATENT, {**PATENT, "number": "zl202310123456.6"}]
        )


def test_only_members_of_an_approved_owner_or_operators_write(owner):
    user, org = owner
    with pytest.raises(PermissionDenied):
        _create(UserFactory(), org)
    pending = OrganizationFactory(status=Organization.Status.PENDING, kind=Organization.Kind.INSTITUTE)
    member = UserFactory()
    MembershipFactory(user=member, organization=pending, role=Role.ORG_ADMIN)
    with pytest.raises(PermissionDenied):
        _create(member, pending)
    item = _create(make_operator(), org)
    assert item.owner == org
    with pytest.raises(PermissionDenied):
        services.achievement_update(achievement=item, acting_user=UserFactory(), trl=3)
    with pytest.raises(PermissionDenied):
        services.achievement_ip_set(achievement=item, acting_user=UserFactory(), ip_rights=[])


def test_closed_items_cannot_be_edited(owner):
    user, org = owner
    item = _create(user, org)
    services.achievement_transition(achievement=item, action="close", acting_user=user)
    with pytest.raises(ValidationError, match="已关闭"):
        services.achievement_update(achievement=item, acting_user=user, trl=3)
