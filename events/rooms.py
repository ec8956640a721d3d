"""Rooms: their names, their channel-layer groups, and the registry of room kinds.

A room is ``<kind>:<id>``. Each kind is registered (:func:`register`) by the module that owns it,
with a :class:`Kind` saying who may join and what a joining socket gets first; the live side never
imports an app above it to learn a kind. The kinds today:

============  ===========================================  ==========================================
``booth``     a booth's public chat                        :mod:`events.handlers.chat`
``session``   a live session's chat and pinned products    :mod:`events.handlers.sessions`
``inquiry``   a buyer's private thread with a booth        :mod:`events.handlers.inquiries`
``inbox``     a vendor's inbox counters, for its members   :mod:`events.handlers.inquiries`
``meeting``   a business meeting's chat and call           :mod:`events.handlers.call`
``omzet``     an expo's live omzet dashboard               ``expo.reports.live``
============  ===========================================  ==========================================

Presence is also counted under *tags* of a room, such as ``inquiry:40#vendor`` (the vendor's
members in that thread), which are never broadcast. Group names are built here only.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

_ROOM = re.compile(r"^([a-z]{1,20}):([1-9][0-9]{0,17})$")


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
    """The room a client named, or None when the name is not one of a registered kind."""
    if not isinstance(name, str):
        return None
    match = _ROOM.match(name)
    if match is None or match.group(1) not in _kinds:
        return None
    return Room(match.group(1), int(match.group(2)))


def group_name(room: str) -> str:
    """The channel-layer group of a room (letters, digits, dots only; well under 100 chars)."""
    return "room." + room.replace(":", ".")


def presence_tag(room: str, label: str) -> str:
    return f"{room}#{label}"


def is_tag(key: str) -> bool:
    return "#" in key


# The names of the live side's own rooms (an app above builds its own from its kind).


def booth(booth_id: int) -> str:
    return f"booth:{booth_id}"


def session(session_id: int) -> str:
    return f"session:{session_id}"


def inquiry(inquiry_id: int) -> str:
    return f"inquiry:{inquiry_id}"


def inbox(vendor_id: int) -> str:
    return f"inbox:{vendor_id}"


# --- Room kinds ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Admission:
    """A socket may join: the presence ``tags`` it is counted under, and whatever the kind learnt
    while deciding (``state``), handed back to :meth:`Kind.catch_up`."""

    tags: tuple[str, ...] = ()
    state: Any = None


@dataclass(frozen=True)
class CatchUp:
    """The frames a joining socket gets before anything live (a ``history`` frame first, so the
    client resumes every room alike), and the last message id they hold (live messages up to it
    are not sent twice)."""

    frames: list[dict[str, Any]] = field(default_factory=list)
    last_id: int | None = None

    @property
    def message_ids(self) -> list[int]:
        """The ids of the messages its ``history`` frames hold."""
        return [
            message["id"]
            for frame in self.frames
            if frame.get("type") == "history"
            for message in frame.get("messages", ())
        ]


@dataclass(frozen=True)
class Missed:
    """What the sockets of a room may have missed while their process's subscription to the
    channel layer was broken (see :meth:`Kind.missed`): ``messages``, frames with an ``id``, oldest
    first, each sent to the sockets that lack it (``more`` when there were too many to read: the
    sockets are then told to reconnect and resume); ``frames``, sent to every socket (deletions,
    the room's current state: frames a client may get twice)."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    more: bool = False
    frames: list[dict[str, Any]] = field(default_factory=list)


class Kind(ABC):
    """A kind of room. Its methods run in a worker thread (they may read the database):
    :meth:`admit` before the socket is subscribed, :meth:`catch_up` after, so that nothing
    published in between is lost; :meth:`missed` after an outage of the channel layer."""

    def __init__(self, name: str) -> None:
        if not re.fullmatch(r"[a-z]{1,20}", name):
            raise ValueError(f"a room kind is 1 to 20 lowercase letters, not {name!r}")
        self.name = name

    @abstractmethod
    def admit(self, room: Room, user: Any) -> Admission | None:
        """None when the room does not exist or ``user`` may not join it."""

    @abstractmethod
    def catch_up(
        self, room: Room, user: Any, admission: Admission, after_id: int | None
    ) -> CatchUp:
        """What the socket gets first; ``after_id`` is the last message it has seen on a resume
        (None on a first join)."""

    def missed(self, room: Room, *, after_id: int, since: datetime) -> Missed:
        """What the room's sockets may have missed: the messages after ``after_id`` and whatever
        else changed since ``since`` (the last moment the layer was known to deliver). Nothing by
        default."""
        return Missed()


class SnapshotKind(Kind):
    """A room of server frames only, owned by an app above the live side: ``may_join`` says who may
    join; a joining socket gets an empty history, then the ``snapshot`` frame, then every frame."""

    def __init__(
        self,
        name: str,
        *,
        may_join: Callable[[Room, Any], bool],
        snapshot: Callable[[Room], dict[str, Any]],
    ) -> None:
        super().__init__(name)
        self.may_join = may_join
        self.snapshot = snapshot

    def admit(self, room: Room, user: Any) -> Admission | None:
        return Admission() if self.may_join(room, user) else None

    def catch_up(
        self, room: Room, user: Any, admission: Admission, after_id: int | None
    ) -> CatchUp:
        empty = {
            "type": "history",
            "room": room.name,
            "messages": [],
            "after_id": None,
            "more": False,
        }
        return CatchUp([empty, self.snapshot(room)])

    def missed(self, room: Room, *, after_id: int, since: datetime) -> Missed:
        return Missed(frames=[self.snapshot(room)])  # the current state, whatever was missed


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Called by the module that owns ``kind.name``, when it is imported. A kind of the same class
    registered again replaces the first (a module imported twice); another class under a taken
    name is an error."""
    existing = _kinds.get(kind.name)
    if existing is not None and existing is not kind and type(existing) is not type(kind):
        raise RuntimeError(f"room kind {kind.name!r} is already registered")
    _kinds[kind.name] = kind
    return kind


def kind_of(room: Room) -> Kind | None:
    return _kinds.get(room.kind)
