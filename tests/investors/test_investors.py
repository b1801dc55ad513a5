"""Fund profiles, explained matching, finance seekings and interests that become engagements or roadshow
slots; who sees what."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_broker, make_operator

from techmarket.audit.models import AuditLog
from techmarket.engagements.models import Engagement
from techmarket.investors import selectors, services
from techmarket.investors.matching import achievement_fit, prefs, seeking_fit
from techmarket.investors.models import FinanceSeeking, Interest, Stage
from techmarket.orgs.models import Organization, Role
from techmarket.reference.models import Industry, Region
from techmarket.workflow.engine import StaleTransition

pytestmark = pytest.mark.django_db


def _member(org, role=Role.MEMBER):
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=role)
    return user


@pytest.fixture
def investor(db):
    return OrganizationFactory(name="沂蒙创新投资有限公司", kind=Organization.Kind.INVESTOR)


@pytest.fixture
def inv_user(investor):
    return _member(investor, Role.ORG_ADMIN)


@pytest.fixture
def materials():
    return Industry.objects.get(pk="30")


@pytest.fixture
def fund(investor, inv_user, materials):
    return services.fund_save(
        acting_user=inv_user,
        manager=investor,
        data={
            "name": "新材料天使基金",
            "stages": [Stage.ANGEL, Stage.A],
            "ticket_min": Decimal("1000000"),
            "ticket_max": Decimal("10000000"),
            "industries": [materials],
            "regions": [Region.objects.get(pk="371300")],
        },
    )


@pytest.fixture
def enterprise(materials):
    return OrganizationFactory(name="临沂新材料科技有限公司", industry=materials)


@pytest.fixture
def ent_user(enterprise):
    return _member(enterprise)


@pytest.fixture
def seeking(enterprise, ent_user):
    return services.seeking_create(
        acting_user=ent_user,
        organization=enterprise,
        title="高性能陶瓷扩产项目",
        amount="5000000",
        stage=Stage.A,
        use_of_funds="扩建中试线、补充流动资金",
    )


def test_a_seeking_that_meets_every_preference_scores_full_marks_with_each_reason(fund, seeking):
    fit = seeking_fit(prefs(fund), seeking)
    assert fit.score == 80  # 40 field + 20 stage + 10 ticket + 10 region; the fund follows no chain node
    assert fit.met == [
        "行业相符：非金属矿物制品业（30）",
        "阶段相符：A 轮",
        "金额 500 万元在单笔 100 万元–1,000 万元 之间",
        "所在地区在基金投资地域内",
    ]
    assert fit.missed == []


def test_near_misses_are_explained(fund, enterprise, ent_user):
    enterprise.industry = Industry.objects.filter(pk__startswith="30").exclude(pk="30").first()
    enterprise.region = Region.objects.get(pk="370102")
    enterprise.save()
    big = services.seeking_create(
        acting_user=ent_user, organization=enterprise, title="新产线建设项目", amount="20000000",
        stage=Stage.GROWTH, use_of_funds="建设新产线",
    )  # fmt: skip
    fit = seeking_fit(prefs(fund), big)
    assert fit.score == 20  # half the field points: same division (大类) only
    assert fit.met == [f"行业相近（同一大类）：{enterprise.industry.name}（{enterprise.industry_id}）"]
    assert "阶段不符：基金投 天使轮、A 轮" in fit.missed
    assert "金额 2,000 万元不在单笔 100 万元–1,000 万元 之间" in fit.missed
    assert "所在地区不在基金投资地域内" in fit.missed


def test_an_item_outside_the_funds_fields_is_not_suggested(fund, inv_user):
    other = OrganizationFactory(industry=Industry.objects.get(pk="13"))
    services.seeking_create(
        acting_user=_member(other), organization=other, title="果蔬加工项目", amount="5000000",
        stage=Stage.A, use_of_funds="购置设备",
    )  # fmt: skip
    assert selectors.matches_for(inv_user, fund)["seekings"] == []


def test_achievement_stage_is_read_as_an_investment_stage(fund, materials):
    from techmarket.achievements.models import Achievement

    university = OrganizationFactory(kind=Organization.Kind.UNIVERSITY)
    a = Achievement.objects.unscoped().create(
        owner=university, title="高导热陶瓷基板制备技术", summary="…", status="published", stage="bench",
        region=Region.objects.get(pk="371302"), asking_price_wan=Decimal("300"),
    )  # fmt: skip
    a.industries.set([materials])
    fit = achievement_fit(prefs(fund), a)
    assert "阶段相符：天使轮" in fit.met and fit.score == 80


def test_seekings_are_seen_by_their_enterprise_investors_and_the_platform_only(seeking, inv_user, ent_user):
    stranger = _member(OrganizationFactory())
    broker, operator = make_broker(), make_operator()
    for user in (ent_user, inv_user, broker, operator):
        assert selectors.seeking_get_visible(user, seeking.pk) == seeking
    with pytest.raises(Http404):
        selectors.seeking_get_visible(stranger, seeking.pk)


def test_interest_becomes_an_engagement_opened_by_a_broker(fund, seeking, inv_user, ent_user):
    interest = services.interest_express(
        acting_user=inv_user, fund=fund, seeking=seeking, note="希望尽快洽谈"
    )
    assert interest.status == Interest.Status.OPEN and interest.target == seeking.organization
    assert "行业相符：非金属矿物制品业（30）" in interest.match_reasons and interest.due_at is not None
    with pytest.raises(PermissionDenied):
        services.interest_engage(interest=interest, acting_user=inv_user)
    with pytest.raises(PermissionDenied):
        services.interest_engage(interest=interest, acting_user=ent_user)
    broker = make_broker()
    interest = services.interest_engage(interest=interest, acting_user=broker)
    engagement = Engagement.objects.unscoped().get(pk=interest.engagement_id)
    assert interest.status == Interest.Status.ENGAGED and interest.due_at is None
    assert engagement.demand_org == seeking.organization and engagement.supply_org == fund.manager
    assert engagement.lead_broker == broker
    assert AuditLog.objects.filter(action="investors.interest.engage", target_id=str(interest.pk)).exists()
    with pytest.raises(StaleTransition):
        services.interest_engage(interest=interest, acting_user=broker, expected_state="open")


def test_the_same_open_interest_is_not_made_twice(fund, seeking, inv_user):
    services.interest_express(acting_user=inv_user, fund=fund, seeking=seeking)
    with pytest.raises(ValidationError) as exc:
        services.interest_express(acting_user=inv_user, fund=fund, seeking=seeking)
    assert "已有待安排的意向" in " ".join(exc.value.messages)
    assert Interest.objects.unscoped().count() == 1


def test_only_the_funds_investor_expresses_interest_and_only_in_open_seekings(
    fund, seeking, ent_user, inv_user
):
    with pytest.raises(PermissionDenied):
        services.interest_express(acting_user=ent_user, fund=fund, seeking=seeking)
    services.seeking_close(seeking=seeking, acting_user=ent_user)
    with pytest.raises(ValidationError) as exc:
        services.interest_express(acting_user=inv_user, fund=fund, seeking=seeking)
    assert "该融资需求已结束" in " ".join(exc.value.messages)


def test_a_roadshow_slot_needs_a_coming_roadshow(fund, seeking, inv_user):
    from techmarket.events.models import Event

    interest = services.interest_express(acting_user=inv_user, fund=fund, seeking=seeking, kind="roadshow")
    operator = make_operator()
    with pytest.raises(ValidationError) as exc:
        services.interest_schedule_roadshow(interest=interest, event=None, acting_user=operator)
    assert "请选择一场报名中、尚未开始的路演活动" in " ".join(exc.value.messages)
    organiser = OrganizationFactory(kind=Organization.Kind.SERVICE)
    start = timezone.now() + timedelta(days=10)
    event = Event.objects.unscoped().create(
        title="月度路演：新材料专场", kind=Event.Kind.ROADSHOW, organiser=organiser, summary="新材料项目路演",
        starts_at=start, ends_at=start + timedelta(hours=3), status=Event.Status.PUBLISHED, capacity=50,
        registration_deadline=start - timedelta(days=1),
    )  # fmt: skip
    interest = services.interest_schedule_roadshow(interest=interest, event=event, acting_user=operator)
    assert interest.status == Interest.Status.ROADSHOW and interest.event == event


def test_interests_are_seen_by_both_sides_and_the_platform(fund, seeking, inv_user, ent_user):
    interest = services.interest_express(acting_user=inv_user, fund=fund, seeking=seeking)
    stranger = _member(OrganizationFactory())
    assert selectors.interests_visible_to(inv_user).filter(pk=interest.pk).exists()
    assert selectors.interests_visible_to(ent_user).filter(pk=interest.pk).exists()
    assert selectors.interests_visible_to(make_operator()).filter(pk=interest.pk).exists()
    assert not selectors.interests_visible_to(stranger).filter(pk=interest.pk).exists()
    # The enterprise may decline with a reason the investor sees; the investor may no longer withdraw.
    declined = services.interest_move(
        interest=interest, action="decline", acting_user=ent_user, reason="本轮已满"
    )
    assert declined.status == Interest.Status.DECLINED and declined.status_note == "本轮已满"
    with pytest.raises(ValidationError):
        services.interest_move(interest=declined, action="withdraw", acting_user=inv_user)


def test_fund_rules_are_checked_with_clear_messages(investor, inv_user):
    bad = {"name": "测试基金", "stages": [], "ticket_min": "1", "ticket_max": "2"}
    with pytest.raises(ValidationError) as exc:
        services.fund_save(acting_user=inv_user, manager=investor, data=bad)
    assert "请至少选择一个投资阶段" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError) as exc:
        services.fund_save(
            acting_user=inv_user, manager=investor,
            data={**bad, "stages": ["seed"], "ticket_min": "200", "ticket_max": "100"},
        )  # fmt: skip
    assert "上限不能低于下限" in " ".join(exc.value.messages)
    enterprise = OrganizationFactory()
    with pytest.raises(ValidationError):
        services.fund_save(acting_user=make_operator(), manager=enterprise, data={**bad, "stages": ["seed"]})


def test_seeking_bad_input_saves_nothing(enterprise, ent_user):
    with pytest.raises(ValidationError) as exc:
        services.seeking_create(
            acting_user=ent_user,
            organization=enterprise,
            title="扩产",
            amount="-5",
            stage="z",
            use_of_funds="",
        )
    messages = " ".join(exc.value.messages)
    assert "项目名称至少 4 个字" in messages and "请选择融资阶段" in messages and "请写明资金用途" in messages
    assert not FinanceSeeking.objects.unscoped().exists()


def test_the_bare_search_boxes_of_the_lists_say_what_they_search(client, inv_user):
    # The fund and seeking lists show their filter widgets without labels.
    client.force_login(inv_user)
    funds = client.get("/investors/").content.decode()
    assert 'placeholder="搜索基金名称、管理机构或简介"' in funds and 'aria-label="投资阶段"' in funds
    seekings = client.get("/investors/seekings/").content.decode()
    assert (
        'placeholder="搜索融资需求标题、企业名称或简介"' in seekings and 'aria-label="融资阶段"' in seekings
    )


def test_the_status_filter_button_of_the_interests_does_not_wrap(client, inv_user):
    # Beside a wide status box the button was squeezed to one character per line (筛 / 选).
    client.force_login(inv_user)
    html = client.get("/investors/interests/").content.decode()
    assert 'class="btn btn-sm btn-primary text-nowrap" type="submit">筛选</button>' in html


def test_the_fund_page_names_the_chain_of_each_chain_node(client, fund):
    # "上游" alone says nothing: which chain's upstream?
    from techmarket.reference.models import ChainNode, IndustryChain

    steel = IndustryChain.objects.create(name="高端不锈钢")
    fund.chain_nodes.add(ChainNode.objects.create(chain=steel, name="上游"))
    html = client.get(f"/investors/funds/{fund.pk}/").content.decode()
    assert "高端不锈钢 · 上游" in html
