"""The matchmaking journey in Chromium: an enterprise registers with a need, asks the university for a
meeting, the university accepts, both see the timetable, the organiser checks them in at the door, and the
meeting is marked "已立项对接" by the enterprise — which opens the engagement, led by the organiser's broker
(the rule in techmarket.engagements.from_events), and the engagement page links back to the event."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from factories import PASSWORD_FOR_BROWSER, MembershipFactory, OrganizationFactory, UserFactory

from techmarket.achievements.models import Achievement
from techmarket.catalog.models import ListingStatus, Visibility
from techmarket.engagements.models import Engagement, Origin
from techmarket.events import services
from techmarket.events.models import Event, MeetingRequest, Registration
from techmarket.needs.models import Need
from techmarket.orgs.models import Organization, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, username):  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名或邮箱").fill(username)
    page.get_by_label("密码").fill(PASSWORD_FOR_BROWSER)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="工作台", exact=True).wait_for()


def _member(org, username, role=Role.ORG_ADMIN):  # type: ignore[no-untyped-def]
    user = UserFactory(username=username, password=PASSWORD_FOR_BROWSER)
    MembershipFactory(user=user, organization=org, role=role)
    return user


def test_enterprise_meets_university_checks_in_and_opens_an_engagement(live_server, page, screenshot):  # type: ignore[no-untyped-def]
    base = live_server.url
    hub = OrganizationFactory(name="沂蒙科技大市场运营中心", kind=Organization.Kind.SERVICE)
    enterprise = OrganizationFactory(name="临沂博创新能源材料股份有限公司")
    university = OrganizationFactory(name="沂蒙科技大学", kind=Organization.Kind.UNIVERSITY)
    organiser = _member(hub, "ev_organiser")
    hub_broker = _member(hub, "ev_broker", role=Role.BROKER)
    ent_user = _member(enterprise, "ev_enterprise")
    uni_user = _member(university, "ev_university")
    need = Need.objects.create(
        owner=enterprise, title="磷酸铁锂正极材料低温性能提升", summary="公开摘要", problem="难题",
        visibility=Visibility.PUBLIC, status=ListingStatus.PUBLISHED,
    )  # fmt: skip
    achievement = Achievement.objects.create(
        owner=university, title="低温型磷酸铁锂包覆改性技术", summary="公开摘要", trl=6,
        visibility=Visibility.PUBLIC, status=ListingStatus.PUBLISHED,
    )  # fmt: skip
    start = timezone.now() - timedelta(minutes=10)  # under way: outcomes may be recorded today
    event = services.event_create(
        acting_user=organiser, organiser=hub,
        data={"title": "新能源材料供需对接会", "kind": Event.Kind.MATCHMAKING,
              "summary": "企业需求与高校成果一对一洽谈，现场签到。", "starts_at": start,
              "ends_at": start + timedelta(hours=4), "registration_deadline": start + timedelta(hours=3),
              "capacity": 20, "meetings_start": start + timedelta(hours=1), "meeting_minutes": 20,
              "meeting_slots": 3, "meeting_tables": 2},
    )  # fmt: skip
    services.event_move(event=event, action="publish", acting_user=organiser)
    uni_reg = services.registration_open(
        event=event, acting_user=uni_user, organization=university, achievement_ids=[achievement.pk]
    )
    # The enterprise registers with its need.
    _login(page, base, "ev_enterprise")
    page.goto(f"{base}/events/")
    page.get_by_role("link", name="新能源材料供需对接会").click()
    page.get_by_label(need.title).check()
    page.get_by_label("参会介绍").fill("寻找低温性能改进方案")
    page.get_by_role("button", name="报名参加").click()
    page.get_by_text("报名成功").wait_for()
    code = page.get_by_test_id("checkin-code").inner_text()
    screenshot("events-registered")

    # ... browses who comes and asks the university for a meeting.
    page.get_by_role("link", name="参会名单与洽谈").click()
    page.get_by_role("link", name=achievement.title).first.wait_for()
    page.get_by_placeholder("简短留言：想谈什么").fill("想了解包覆改性的中试条件")
    page.get_by_role("button", name="预约洽谈").click()
    page.get_by_text("洽谈邀请已发出").wait_for()

    # The university accepts; the meeting lands in its timetable.
    _login(page, base, "ev_university")
    page.goto(f"{base}/events/{event.pk}/")
    page.get_by_role("button", name="接受").click()
    page.get_by_text("已接受，洽谈已排入双方日程").wait_for()
    page.get_by_role("link", name="我的日程").click()
    page.get_by_text("第 1 桌").wait_for()
    screenshot("events-timetable-university")

    # The enterprise sees it too.
    _login(page, base, "ev_enterprise")
    page.goto(f"{base}/events/{event.pk}/timetable/")
    page.get_by_text("第 1 桌").wait_for()

    # The organiser sends both their timetable by e-mail; then checks both in at the door (a second scan of
    # the same code is refused).
    _login(page, base, "ev_organiser")
    page.goto(f"{base}/events/{event.pk}/manage/")
    mail.outbox.clear()
    page.get_by_role("button", name="向参会者发送洽谈日程（站内信与邮件）").click()
    page.get_by_text("已向 2 位参会者发送洽谈日程").wait_for()
    timetables = {m.to[0]: m.body for m in mail.outbox if "洽谈日程" in m.subject}
    assert set(timetables) == {ent_user.email, uni_user.email}
    assert "第 1 桌" in timetables[ent_user.email] and code in timetables[ent_user.email]
    for c in (code, uni_reg.checkin_code):
        page.get_by_label("签到码（输入或用扫码枪扫描二维码）").fill(c)
        page.get_by_role("button", name="签到", exact=True).click()
        page.get_by_text("签到成功").wait_for()
    page.get_by_label("签到码（输入或用扫码枪扫描二维码）").fill(code)
    page.get_by_role("button", name="签到", exact=True).click()
    page.get_by_text("不能重复使用").wait_for()
    screenshot("events-checkin")

    # After the meeting the enterprise marks it "已立项对接".
    _login(page, base, "ev_enterprise")
    page.goto(f"{base}/events/{event.pk}/")
    page.get_by_label("洽谈结果").select_option(label="已立项对接")
    page.get_by_label("评分").select_option("5")
    page.get_by_role("button", name="保存结果").click()
    page.get_by_text("洽谈结果已记录").wait_for()
    meeting = MeetingRequest.objects.get(event=event)
    assert (meeting.status, meeting.outcome) == ("accepted", "engagement")
    engagement = Engagement.objects.unscoped().get(pk=meeting.engagement_id)
    assert (engagement.origin, engagement.lead_broker, engagement.demand_org, engagement.supply_org) == (
        Origin.EVENT,
        hub_broker,
        enterprise,
        university,
    )
    assert (engagement.need_id, engagement.achievement_id) == (need.pk, achievement.pk)
    screenshot("events-outcome")

    # The engagement exists for the enterprise, and its page links back to the event.
    page.get_by_role("link", name=f"对接项目 #{engagement.pk}").click()
    page.get_by_role("heading", name=engagement.title).wait_for()
    page.get_by_role("link", name="来源：对接活动 · 新能源材料供需对接会").click()
    page.get_by_role("heading", name="新能源材料供需对接会").wait_for()
    assert (
        Registration.objects.unscoped().filter(event=event, status=Registration.Status.ATTENDED).count() == 2
    )
