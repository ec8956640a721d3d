"""Room names and the channel-layer group of each: the one place that builds them.

A room is ``<kind>:<id>``: ``booth:12`` (a booth's public chat), ``session:3`` (a live session's chat
and pinned products), ``inquiry:40`` (a buyer's private thread with a booth), ``inbox:7`` (vendor 7's
inbox counters, for its members), ``omzet:5`` (expo 5's live omzet dashboard: its kind is owned by
``expo``, which registers who may join with :func:`register`). Presence is also counted under *tags* of a room, such as
``inquiry:40#vendor`` (the vendor's members in that thread), which are never broadcast.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

KINDS = ("booth", "session", "inquiry", "inbox", "omzet")
_ROOM = re.compile(r"^(booth|session|inquiry|inbox|omzet):([1-9][0-9]{0,17})$")


@dataclass(frozen=True, slots=True)
class Room:
    kind: str
    object_id: int

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.object_id}"

    @property
    def group(self) -> str:
        return group_name(self.name)

    def tag(self, label: str) -> str:
        return presence_tag(self.name, label)

    def __str__(self) -> str:
        return self.name


def parse(name: object) -> Room | None:
    """The room a client named, or None when the name is not one."""
    if not isinstance(name, str):
        return None
    match = _ROOM.match(name)
    if match is None:
        return None
    return Room(match.group(1), int(match.group(2)))


def group_name(room: str) -> str:
    """The channel-layer group of a room (letters, digits, dots only; well under 100 chars)."""
    return "room." + room.replace(":", ".")


def presence_tag(room: str, label: str) -> str:
    return f"{room}#{label}"


def is_tag(key: str) -> bool:
    return "#" in key


def booth(booth_id: int) -> str:
    return f"booth:{booth_id}"


def session(session_id: int) -> str:
    return f"session:{session_id}"


def inquiry(inquiry_id: int) -> str:
    return f"inquiry:{inquiry_id}"


def inbox(vendor_id: int) -> str:
    return f"inbox:{vendor_id}"


def omzet(expo_id: int) -> str:
    return f"omzet:{expo_id}"


# --- Rooms owned by a higher app ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoomRule:
    """Who may join a room of a kind another app owns, and the frame a joining socket gets first
    (read after it is subscribed, so nothing published meanwhile is lost)."""

    may_join: Callable[[Room, Any], bool]
    snapshot: Callable[[Room], dict[str, Any]]


_rules: dict[str, RoomRule] = {}


def register(
    kind: str, *, may_join: Callable[[Room, Any], bool], snapshot: Callable[[Room], dict[str, Any]]
) -> None:
    """Called by the app that owns ``kind`` (events never imports it)."""
    if kind not in KINDS:
        raise ValueError(f"unknown room kind {kind!r}")
    _rules[kind] = RoomRule(may_join, snapshot)


def rule(kind: str) -> RoomRule | None:
    return _rules.get(kind)
