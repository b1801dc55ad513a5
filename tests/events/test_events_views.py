"""The pages and the API: a visitor, a participant, the organiser; bad input gets a clear message."""

import pytest
from django.urls import reverse
from django.utils import timezone
from factories import UserFactory

from techmarket.events import services
from techmarket.events.models import Event, MeetingRequest, Registration

pytestmark = pytest.mark.django_db


def test_public_pages_and_feed_open_for_anonymous_visitors(client, event):
    assert event.title in client.get(reverse("events:list")).content.decode()
    assert (
        event.title
        in client.get(
            reverse("events:calendar"), {"month": event.starts_at.strftime("%Y-%m")}
        ).content.decode()
    )
    feed = client.get(reverse("events:feed"))
    assert feed["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in feed.content
    page = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert "登录后报名" in page


def test_the_calendar_names_the_weekdays_in_either_language(client):
    url = reverse("events:calendar")
    zh = client.get(url).content.decode()
    assert ">周一</th>" in zh and ">周日</th>" in zh
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    en = client.get(url).content.decode()
    assert ">Mon</th>" in en and ">Sun</th>" in en and "Week" not in en  # was "Week一" … "Week日"


def test_drafts_are_hidden_from_outsiders(client, organiser, organiser_org, event):
    services.event_move(event=event, action="cancel", acting_user=organiser, reason="延期举办")
    draft = Event.objects.unscoped().create(
        title="尚未发布的活动", kind=Event.Kind.SALON, organiser=organiser_org, summary="简介",
        starts_at=event.starts_at, ends_at=event.ends_at, registration_deadline=event.starts_at, capacity=5,
    )  # fmt: skip
    assert client.get(reverse("events:detail", args=[draft.pk])).status_code == 404
    titles = [e["title"] for e in client.get("/api/events").json()["items"]]
    assert titles == [event.title]  # the cancelled event stays public, the draft does not
    client.force_login(organiser)
    assert client.get(reverse("events:detail", args=[draft.pk])).status_code == 200


def test_register_through_the_page_shows_the_code_and_qr(client, event, enterprise_user, enterprise, need):
    client.force_login(enterprise_user)
    response = client.post(
        reverse("events:register", args=[event.pk]),
        {
            "organization": enterprise.pk,
            "intro": "寻找液冷板减重方案",
            "needs": [need.pk],
            "visibility": "participants",
        },
        follow=True,
    )
    page = response.content.decode()
    reg = Registration.objects.unscoped().get(event=event, user=enterprise_user)
    assert "报名成功" in page and reg.checkin_code in page and "<svg" in page
    assert list(reg.needs.all()) == [need]


def test_participants_page_is_for_participants_only(client, event, join):
    a = join(event)
    client.force_login(UserFactory())
    assert client.get(reverse("events:participants", args=[event.pk])).status_code == 302
    client.force_login(a.user)
    assert a.display_name in client.get(reverse("events:participants", args=[event.pk])).content.decode()


def test_meeting_request_to_oneself_shows_a_clear_message(client, event, join):
    a = join(event)
    client.force_login(a.user)
    response = client.post(reverse("events:meeting_new", args=[event.pk]), {"invitee": a.pk}, follow=True)
    assert "不能向自己发起洽谈" in response.content.decode()
    assert not MeetingRequest.objects.exists()


def test_organiser_checks_in_at_the_door_and_a_reused_code_is_refused(client, event, join, organiser):
    reg = join(event)
    client.force_login(organiser)
    url = reverse("events:manage", args=[event.pk])
    assert "签到成功" in client.post(url, {"code": reg.checkin_code}, follow=True).content.decode()
    assert "不能重复使用" in client.post(url, {"code": reg.checkin_code}, follow=True).content.decode()
    assert "不存在" in client.post(url, {"code": "nonsense"}, follow=True).content.decode()


def test_manage_page_is_not_for_participants(client, event, join):
    a = join(event)
    client.force_login(a.user)
    assert client.get(reverse("events:manage", args=[event.pk])).status_code == 404


def test_timetable_shows_my_meeting(client, event, join):
    a, b = join(event), join(event)
    m = services.meeting_request(event=event, acting_user=a.user, invitee=b)
    services.meeting_decide(meeting=m, acting_user=b.user, accept=True)
    client.force_login(a.user)
    page = client.get(reverse("events:timetable", args=[event.pk])).content.decode()
    assert "第 1 桌" in page and b.display_name in page


def test_api_register_and_bad_input_use_the_one_error_body(client, make_event, join):
    event = make_event(capacity=1)
    join(event)
    user = UserFactory()
    client.force_login(user)
    created = client.post(f"/api/events/{event.pk}/registrations", {}, content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "waitlisted"
    again = client.post(f"/api/events/{event.pk}/registrations", {}, content_type="application/json")
    assert again.status_code == 422 and "已报名" in again.json()["error"]["message"]


def test_api_participants_hide_contact_until_a_meeting_is_accepted(client, event, join):
    a, b = join(event), join(event)
    client.force_login(a.user)
    rows = {r["id"]: r for r in client.get(f"/api/events/{event.pk}/participants").json()}
    assert rows[b.pk]["email"] is None
    m = services.meeting_request(event=event, acting_user=a.user, invitee=b)
    decided = client.post(
        f"/api/events/meetings/{m.pk}/decision", {"accept": True}, content_type="application/json"
    )
    assert decided.status_code == 403  # only the invitee decides
    services.meeting_decide(meeting=m, acting_user=b.user, accept=True)
    rows = {r["id"]: r for r in client.get(f"/api/events/{event.pk}/participants").json()}
    assert rows[b.pk]["email"] == b.user.email


def test_api_figures_are_public(client, event, join, enterprise, enterprise_user):
    join(event, enterprise_user, organization=enterprise)
    join(event)
    body = client.get("/api/events/figures").json()
    assert body["totals"]["events"] == 1 and body["months"][0]["events"] == 1
    assert body["months"][0]["contracts"] == 0 and float(body["months"][0]["contract_amount"]) == 0
    assert [(k["label"], k["registrations"]) for k in body["participants_by_kind"]] == [
        ("企业", 1),
        ("个人", 1),
    ]
    page = client.get(reverse("events:figures")).content.decode()
    assert "参会者按机构类型" in page and "合同成交额" in page


def test_list_page_loads_in_a_fixed_number_of_queries(client, make_event, django_assert_max_num_queries):
    for i in range(12):
        make_event(title=f"第 {i + 1} 场供需对接会")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("events:list"))
    assert response.content.decode().count("供需对接会") >= 12


def test_organiser_edits_the_event_and_capacity_cannot_drop_below_registrations(
    client, make_event, join, organiser
):
    event = make_event(capacity=3)
    join(event), join(event)
    client.force_login(organiser)
    url = reverse("events:edit", args=[event.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    for name in ("starts_at", "ends_at", "registration_deadline", "meetings_start"):
        data[name] = form.initial[name].astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%dT%H:%M")
    data.update(capacity=1, requires_approval="")
    response = client.post(url, data)
    page = response.content.decode()
    assert "已有 2 人报名" in page
    data.update(capacity=50, title="新能源汽车产业链供需对接会（扩容）")
    assert client.post(url, data).status_code == 302
    event.refresh_from_db()
    assert (event.capacity, event.title) == (50, "新能源汽车产业链供需对接会（扩容）")


def test_organiser_creates_an_event_with_meetings_through_the_form(client, organiser, organiser_org):
    client.force_login(organiser)
    data = {
        "organiser": organiser_org.pk, "title": "名校直通车：走进沂蒙科技大学", "kind": "campus",
        "summary": "走进高校实验室，现场对接新材料成果。", "starts_at": "2031-05-20T09:00",
        "ends_at": "2031-05-20T12:00", "registration_deadline": "2031-05-18T18:00", "capacity": 40,
        "meetings_start": "2031-05-20T10:00", "meeting_minutes": 20, "meeting_slots": 6, "meeting_tables": 4,
    }  # fmt: skip
    response = client.post(reverse("events:create"), data)
    event = Event.objects.unscoped().get(title=data["title"])
    assert response.status_code == 302 and event.status == Event.Status.DRAFT
    assert len(event.slot_times()) == 6
    bad = client.post(reverse("events:create"), {**data, "title": "短", "meetings_start": "2031-05-21T10:00"})
    page = bad.content.decode()
    assert "至少 4 个字" in page and "洽谈开始时间应在活动时间之内" in page


@pytest.mark.parametrize("month", ["9999-12", "2026-13", "abc", "1-2-3", "0000-01"])
def test_calendar_falls_back_to_this_month_on_a_bad_month(client, month):
    response = client.get(reverse("events:calendar"), {"month": month})
    today = timezone.localdate()
    assert response.status_code == 200 and response.context["first"] == today.replace(day=1)


def test_api_check_in_and_outcome(client, make_event, join, organiser):
    from datetime import timedelta

    start = timezone.now() - timedelta(minutes=5)
    event = make_event(
        starts_at=start, ends_at=start + timedelta(hours=3), registration_deadline=start + timedelta(hours=2),
        meetings_start=start,
    )  # fmt: skip
    a, b = join(event), join(event)
    meeting = services.meeting_request(event=event, acting_user=a.user, invitee=b)
    services.meeting_decide(meeting=meeting, acting_user=b.user, accept=True)
    client.force_login(organiser)
    ok = client.post(
        f"/api/events/{event.pk}/check-in", {"code": a.checkin_code}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "attended"
    again = client.post(
        f"/api/events/{event.pk}/check-in", {"code": a.checkin_code}, content_type="application/json"
    )
    assert again.status_code == 422 and "不能重复使用" in again.json()["error"]["message"]
    client.force_login(a.user)
    assert (
        client.post(
            f"/api/events/{event.pk}/check-in", {"code": b.checkin_code}, content_type="application/json"
        ).status_code
        == 404
    )
    bad = client.post(
        f"/api/events/meetings/{meeting.pk}/outcome", {"outcome": "won"}, content_type="application/json"
    )
    assert bad.status_code == 422 and "outcome" in bad.json()["error"]["fields"]
    done = client.post(
        f"/api/events/meetings/{meeting.pk}/outcome",
        {"outcome": "agreement", "rating": 5},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["outcome"] == "agreement"


def test_personal_timetable_calendar_file_has_my_seated_meetings_only(client, event, join):
    from icalendar import Calendar

    a, b, c, d = join(event), join(event), join(event), join(event)
    m = services.meeting_request(event=event, acting_user=a.user, invitee=b, message="谈中试")
    services.meeting_decide(meeting=m, acting_user=b.user, accept=True)
    other = services.meeting_request(event=event, acting_user=c.user, invitee=d)
    services.meeting_decide(meeting=other, acting_user=d.user, accept=True)
    client.force_login(a.user)
    response = client.get(reverse("events:timetable_ics", args=[event.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    components = [v for v in Calendar.from_ical(response.content).walk("VEVENT")]
    by_uid = {str(v["uid"]): v for v in components}
    assert set(by_uid) == {f"event-{event.pk}@techmarket", f"event-{event.pk}-meeting-{m.pk}@techmarket"}
    mine = by_uid[f"event-{event.pk}-meeting-{m.pk}@techmarket"]
    start, end = (t.replace(microsecond=0) for t in event.slot_times()[0][1:])
    assert (mine.decoded("dtstart"), mine.decoded("dtend")) == (start, end)  # the same instants
    assert b.display_name in str(mine["summary"]) and "第 1 桌" in str(mine["summary"])
    assert str(mine["description"]) == "谈中试"


def test_personal_timetable_calendar_file_needs_a_login(client, event):
    response = client.get(reverse("events:timetable_ics", args=[event.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_organiser_exports_registrations_meetings_and_outcomes_and_the_download_is_audited(
    client, organiser, make_event, join, enterprise, enterprise_user, need
):
    import io
    from datetime import timedelta

    from openpyxl import load_workbook

    from techmarket.audit.models import AuditLog

    start = timezone.now() - timedelta(hours=1)
    event = make_event(
        starts_at=start, ends_at=start + timedelta(hours=4), registration_deadline=start + timedelta(hours=3),
        meetings_start=start + timedelta(minutes=30),
    )  # fmt: skip
    a = join(event, enterprise_user, organization=enterprise, need_ids=[need.pk], intro="=HYPERLINK(1)")
    b = join(event)
    m = services.meeting_request(event=event, acting_user=a.user, invitee=b, message="谈液冷板")
    services.meeting_decide(meeting=m, acting_user=b.user, accept=True)
    services.meeting_record_outcome(meeting=m, acting_user=a.user, outcome="continue", rating=4, note="再约")
    client.force_login(organiser)
    response = client.get(reverse("events:export", args=[event.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["报名", "洽谈", "洽谈结果"]
    regs = list(wb["报名"].iter_rows(values_only=True))
    assert len(regs) == 3 and regs[0][:3] == ("报名编号", "报名人", "代表机构")
    first = dict(zip(regs[0], regs[1], strict=True))
    assert (first["代表机构"], first["机构类型"], first["携带的技术需求"]) == (
        enterprise.name,
        "企业",
        need.title,
    )
    assert first["参会介绍"] == "'=HYPERLINK(1)"  # a formula is shown, never run
    meetings = list(wb["洽谈"].iter_rows(values_only=True))
    assert len(meetings) == 2 and meetings[1][3] == "已接受" and meetings[1][5] == "谈液冷板"
    outcomes = list(wb["洽谈结果"].iter_rows(values_only=True))
    assert outcomes[1][3:6] == ("继续接洽", 4, "再约")
    record = AuditLog.objects.get(action="imports.export.events")
    assert record.after["rows"] == 3 and record.after["filters"] == {"event": event.pk}


def test_participants_may_not_export_the_event(client, event, join):
    a = join(event)
    client.force_login(a.user)
    assert client.get(reverse("events:export", args=[event.pk])).status_code == 404
