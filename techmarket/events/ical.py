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
