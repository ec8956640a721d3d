"""iCalendar (RFC 5545) files for the agenda and its sessions ("add to my calendar"), and the
invitation of a confirmed business meeting.

Written with the ``icalendar`` library (escaping, line folding at 75 octets and UTC date-times are
its business): one event per session with its UID, start and end in UTC, summary, description and
link, and a display alarm 15 minutes before it starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from icalendar import Alarm, Calendar, Event, vText

from events.models import LiveSession
from expo.models import Expo

REMINDER_BEFORE = timedelta(minutes=15)


def _event(session: LiveSession, *, url: str, host: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"session-{session.pk}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    event.add("summary", f"{session.title} · {session.booth.vendor.name}")
    event.add("description", "\n\n".join(p for p in (session.description, url) if p))
    event.add("url", url)
    event.add("location", url)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", session.title)
    alarm.add("trigger", -REMINDER_BEFORE)
    event.add_component(alarm)
    return event


def calendar(sessions: Iterable[LiveSession], *, expo: Expo, base_url: str) -> str:
    host = base_url.split("://", 1)[-1].split("/")[0] or "umkm-expo"
    stamp = timezone.now().astimezone(UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", f"-//{settings.PLATFORM_NAME}//Agenda//EN")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # An X- property is written as is unless typed: as text, so its commas and semicolons are
    # escaped like every other text value.
    cal.add("x-wr-calname", vText(expo.title))
    for session in sessions:
        url = base_url + reverse("events:session", args=[expo.slug, session.pk])
        cal.add_component(_event(session, url=url, host=host, stamp=stamp))
    return cal.to_ical().decode()


def response(
    request: HttpRequest, sessions: Iterable[LiveSession], *, expo: Expo, filename: str
) -> HttpResponse:
    base_url = request.build_absolute_uri("/").rstrip("/")
    body = calendar(sessions, expo=expo, base_url=base_url)
    reply = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    reply["Content-Disposition"] = f'attachment; filename="{filename}"'
    return reply


# --- Business meetings -----------------------------------------------------------------------------


def meeting_calendar(meeting: Any, *, base_url: str, zone: tzinfo | None = None) -> str:
    """A confirmed meeting as an invitation: its start and end in UTC (every calendar shows them
    in its own zone), both sides named, the agenda, the meeting page's link, and in the
    description the time in ``zone`` (the recipient's: "12:00 JST") for whoever reads the text."""
    host = base_url.split("://", 1)[-1].split("/")[0] or "umkm-expo"
    url = base_url + reverse("events:meeting", args=[meeting.pk])
    zone = zone or ZoneInfo(settings.TIME_ZONE)
    start = meeting.starts_at.astimezone(zone)
    end = meeting.ends_at.astimezone(zone)
    when = f"{start:%a %d %b %Y, %H:%M}–{end:%H:%M} {start.tzname()}"
    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", f"-//{settings.PLATFORM_NAME}//Meetings//EN")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{host}")
    event.add("dtstamp", timezone.now().astimezone(UTC).replace(microsecond=0))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("summary", f"{meeting.vendor.name} · {meeting.buyer.get_full_name()}")
    lines = [when, meeting.agenda, meeting.external_link, url]
    event.add("description", "\n\n".join(line for line in lines if line))
    event.add("url", url)
    event.add("location", meeting.external_link or url)
    event.add("status", "CONFIRMED" if meeting.status == "confirmed" else "TENTATIVE")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"{meeting.vendor.name} · {meeting.buyer.get_full_name()}")
    alarm.add("trigger", -REMINDER_BEFORE)
    event.add_component(alarm)
    cal.add_component(event)
    return cal.to_ical().decode()
