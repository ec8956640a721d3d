"""iCalendar (RFC 5545) files for the agenda and its sessions: "add to my calendar"."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from events.models import LiveSession
from expo.models import Expo


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (never inside a
    UTF-8 sequence)."""
    out: list[str] = []
    current, size = "", 0
    for ch in line:
        width = len(ch.encode())
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += ch
        size += width
    out.append(current)
    return "\r\n".join(out)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(sessions: Iterable[LiveSession], *, expo: Expo, base_url: str) -> str:
    host = base_url.split("://", 1)[-1].split("/")[0] or "umkm-expo"
    now = _stamp(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{settings.PLATFORM_NAME}//Agenda//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(expo.title)}",
    ]
    for session in sessions:
        url = base_url + reverse("events:session", args=[expo.slug, session.pk])
        description = "\n\n".join(p for p in (session.description, url) if p)
        lines += [
            "BEGIN:VEVENT",
            f"UID:session-{session.pk}@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_stamp(session.starts_at)}",
            f"DTEND:{_stamp(session.ends_at)}",
            f"SUMMARY:{_escape(f'{session.title} · {session.booth.vendor.name}')}",
            f"DESCRIPTION:{_escape(description)}",
            f"URL:{url}",
            f"LOCATION:{_escape(url)}",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{_escape(session.title)}",
            "TRIGGER:-PT15M",
            "END:VALARM",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def response(
    request: HttpRequest, sessions: Iterable[LiveSession], *, expo: Expo, filename: str
) -> HttpResponse:
    base_url = request.build_absolute_uri("/").rstrip("/")
    body = calendar(sessions, expo=expo, base_url=base_url)
    reply = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    reply["Content-Disposition"] = f'attachment; filename="{filename}"'
    return reply
