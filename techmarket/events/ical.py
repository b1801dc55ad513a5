"""The iCalendar (RFC 5545) feed of public events, built with the icalendar package."""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent


def events_calendar(events: Iterable[Any], *, base_url: str, name: str = "科技大市场 对接活动") -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//techmarket//events//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    stamp = timezone.now()
    for event in events:
        vevent = VEvent()
        vevent.add("uid", f"event-{event.pk}@techmarket")
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", event.starts_at)
        vevent.add("dtend", event.ends_at)
        vevent.add("summary", f"[{event.get_kind_display()}] {event.title}")
        vevent.add("description", event.summary)
        location = event.venue or event.online_url
        if location:
            vevent.add("location", location)
        vevent.add("url", f"{base_url.rstrip('/')}/events/{event.pk}/")
        vevent.add("organizer", "mailto:noreply@techmarket.invalid", parameters={"cn": event.organiser.name})
        vevent.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
        cal.add_component(vevent)
    body: bytes = cal.to_ical()
    return body


def timetable_calendar(event: Any, meetings: Iterable[Any], *, user: Any, base_url: str) -> bytes:
    """A participant's timetable: the event itself and each of their seated meetings (time, table, the other
    side); accepted meetings not yet seated are listed in the event's description."""
    cal = Calendar()
    cal.add("prodid", "-//techmarket//events timetable//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"洽谈日程 · {event.title}")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    stamp = timezone.now()
    url = f"{base_url.rstrip('/')}/events/{event.pk}/timetable/"
    location = event.venue or event.online_url
    unplaced = []
    entries = []
    for meeting in meetings:
        window = meeting.slot_window()
        mine = meeting.requester if meeting.requester.user_id == user.pk else meeting.invitee
        other = meeting.invitee if mine.pk == meeting.requester_id else meeting.requester
        who = (
            f"{meeting.requester.display_name} ↔ {meeting.invitee.display_name}"
            if user.pk not in (meeting.requester.user_id, meeting.invitee.user_id)
            else other.display_name
        )
        if window is None:
            unplaced.append(who)
            continue
        vevent = VEvent()
        vevent.add("uid", f"event-{event.pk}-meeting-{meeting.pk}@techmarket")
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", window[0])
        vevent.add("dtend", window[1])
        vevent.add("summary", f"洽谈：{who}（第 {meeting.table} 桌）")
        if meeting.message:
            vevent.add("description", meeting.message)
        if location:
            vevent.add("location", f"{location} 第 {meeting.table} 桌")
        vevent.add("url", url)
        entries.append(vevent)
    whole = VEvent()
    whole.add("uid", f"event-{event.pk}@techmarket")
    whole.add("dtstamp", stamp)
    whole.add("dtstart", event.starts_at)
    whole.add("dtend", event.ends_at)
    whole.add("summary", f"[{event.get_kind_display()}] {event.title}")
    description = event.summary
    if unplaced:
        description += "\n\n已接受、待排期的洽谈：" + "、".join(unplaced)
    whole.add("description", description)
    if location:
        whole.add("location", location)
    whole.add("url", url)
    whole.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    cal.add_component(whole)
    for vevent in entries:
        cal.add_component(vevent)
    body: bytes = cal.to_ical()
    return body
