"""The personal timetable by e-mail, and what a cancelled event tells its registrants."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from factories import UserFactory

from techmarket.audit.models import AuditLog
from techmarket.events import services
from techmarket.events.models import Event, MeetingRequest, Registration
from techmarket.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _meet(event, a, b):
    meeting = services.meeting_request(event=event, acting_user=a.user, invitee=b, message="想交流")
    return services.meeting_decide(meeting=meeting, acting_user=b.user, accept=True)


def _timetable_mails(user):
    return [m for m in mail.outbox if user.email in m.to and "洽谈日程" in m.subject]


def test_each_participant_gets_their_own_timetable_by_mail_once_until_it_changes(event, join, organiser):
    a, b, c, idle = join(event), join(event), join(event), join(event)
    _meet(event, a, b)  # slot 0, table 1
    _meet(event, c, a)  # a is busy in slot 0: slot 1
    mail.outbox.clear()

    result = services.event_send_timetables(event=event, acting_user=organiser)

    assert result == {"told": 3, "unchanged": 0}
    [to_a] = _timetable_mails(a.user)
    assert "（2 场）" in to_a.subject
    body = to_a.body
    (_i0, s0, e0), (_i1, s1, e1) = event.slot_times()[:2]
    hm = lambda t: timezone.localtime(t).strftime("%H:%M")  # noqa: E731
    assert f"{hm(s0)}–{hm(e0)}　第 1 桌　与 {b.display_name}" in body.splitlines()
    assert f"{hm(s1)}–{hm(e1)}　第 1 桌　与 {c.display_name}" in body.splitlines()
    assert b.display_name in body and c.display_name in body
    assert body.index(b.display_name) < body.index(c.display_name)  # in slot order
    assert a.checkin_code in body and b.checkin_code not in body  # one's own code only
    assert f"/events/{event.pk}/timetable/" in body
    [to_b] = _timetable_mails(b.user)
    assert a.display_name in to_b.body and c.display_name not in to_b.body
    assert not _timetable_mails(idle.user)  # nothing seated, nothing sent
    assert AuditLog.objects.filter(action="events.event.timetables", target_id=str(event.pk)).exists()

    # Sending again tells nobody; a new meeting of b changes b's timetable (and the other side's) only.
    assert services.event_send_timetables(event=event, acting_user=organiser) == {"told": 0, "unchanged": 3}
    d = join(event)
    _meet(event, d, b)
    assert services.event_send_timetables(event=event, acting_user=organiser) == {"told": 2, "unchanged": 2}
    assert len(_timetable_mails(b.user)) == 2 and len(_timetable_mails(a.user)) == 1
    assert Notification.objects.filter(user=b.user, title__contains="洽谈日程").count() == 2


def test_only_the_organiser_sends_timetables_and_only_for_an_open_event(event, join, organiser):
    a = join(event)
    with pytest.raises(PermissionDenied):
        services.event_send_timetables(event=event, acting_user=a.user)
    services.event_move(event=event, action="close", acting_user=organiser)
    with pytest.raises(ValidationError, match="报名中"):
        services.event_send_timetables(event=event, acting_user=organiser)


def test_timetables_button_on_the_manage_page(client, event, join, organiser):
    a, b = join(event), join(event)
    _meet(event, a, b)
    client.force_login(organiser)
    page = client.get(f"/events/{event.pk}/manage/")
    assert "发送洽谈日程" in page.content.decode()
    mail.outbox.clear()
    response = client.post(f"/events/{event.pk}/manage/", {"timetables": "1"}, follow=True)
    assert "已向 2 位参会者发送洽谈日程" in response.content.decode()
    assert len(mail.outbox) == 2
    client.force_login(a.user)
    assert client.post(f"/events/{event.pk}/manage/", {"timetables": "1"}).status_code == 404


def test_a_cancelled_event_tells_everyone_still_registered_with_the_reason(
    make_event, join, organiser, django_capture_on_commit_callbacks
):
    event = make_event(capacity=2)
    confirmed, other, waiting = join(event), join(event), join(event)
    assert waiting.status == Registration.Status.WAITLISTED
    gone = join(event, user=UserFactory())
    services.registration_cancel(registration=other, acting_user=other.user)
    gone.refresh_from_db()  # the waiting list moved up; `other` cancelled earlier and is not told
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.event_move(
            event=event, action="cancel", acting_user=organiser, reason="场地检修，改期另行通知"
        )

    told = {m.to[0] for m in mail.outbox if "已取消" in m.subject}
    assert told == {confirmed.user.email, waiting.user.email, gone.user.email}
    assert all("场地检修" in m.body for m in mail.outbox)
    notice = Notification.objects.get(user=confirmed.user, title__contains="已取消")
    assert notice.url == f"/events/{event.pk}/"


def test_no_meeting_is_accepted_once_the_event_is_cancelled(event, join, organiser):
    a, b = join(event), join(event)
    meeting = services.meeting_request(event=event, acting_user=a.user, invitee=b)
    services.event_move(event=event, action="cancel", acting_user=organiser, reason="延期")
    with pytest.raises(ValidationError, match="已取消"):
        services.meeting_decide(meeting=meeting, acting_user=b.user, accept=True)
    meeting.refresh_from_db()
    assert meeting.status == MeetingRequest.Status.PENDING and meeting.slot is None
    assert Event.objects.unscoped().get(pk=event.pk).status == Event.Status.CANCELLED
