"""Writes (and small lookups they need) for accounts and offices."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from expo import permissions
from expo.models import Expo, Office, OfficeMembership, User

_log = logging.getLogger(__name__)


def user_language_for_email(*, email: str, fallback: str | None) -> str:
    """The language to write to ``email`` in: its account's preference, else the current one."""
    language = (
        get_user_model()
        .objects.filter(email__iexact=email)
        .values_list("language", flat=True)
        .first()
    )
    return language or (fallback or "en").split("-")[0]


def user_update_profile(
    *, user: User, name: str, country: str, language: str, time_zone: str
) -> User:
    user.name = name
    user.country = country
    user.language = language
    user.time_zone = time_zone
    user.full_clean(exclude=["password", "email"])
    user.save(update_fields=["name", "country", "language", "time_zone"])
    return user


def user_set_language(*, user: User, language: str) -> None:
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


@transaction.atomic
def office_add_organiser(*, office: Office, user: User) -> OfficeMembership:
    membership, _created = OfficeMembership.objects.get_or_create(office=office, user=user)
    permissions.forget(user)
    return membership


@transaction.atomic
def office_remove_organiser(*, office: Office, user: User) -> None:
    OfficeMembership.objects.filter(office=office, user=user).delete()
    permissions.forget(user)


def audit_log(
    *,
    action: str,
    obj: object,
    user: User | None = None,
    expo_id: int | None = None,
    **data: object,
) -> None:
    """Append an audit entry for a state change (call inside the change's transaction)."""
    from expo.models import AuditLogEntry

    AuditLogEntry.objects.create(
        action=action,
        object_type=f"{obj._meta.app_label}.{obj._meta.model_name}",  # type: ignore[attr-defined]
        object_id=str(obj.pk),  # type: ignore[attr-defined]
        expo_id=expo_id,
        user=user if user is not None and user.is_authenticated else None,
        data=data,
    )


_quiet = threading.local()


@contextlib.contextmanager
def emails_suppressed() -> Iterator[None]:
    """No e-mail leaves while inside (the demo seed writes history nobody should be mailed
    about)."""
    previous = getattr(_quiet, "on", False)
    _quiet.on = True
    try:
        yield
    finally:
        _quiet.on = previous


def send_templated_email(
    *,
    to: User,
    template: str,
    context: dict[str, object],
    attachments: Iterable[tuple[str, str, str]] = (),
) -> None:
    """Render ``<template>_subject.txt`` and ``<template>_message.txt`` in the recipient's language
    and queue the message for delivery. Templates also get ``site_url`` (for absolute links, as
    ``{{ site_url }}{% url ... %}``) and ``recipient``. ``attachments``: (file name, content,
    MIME type) each, such as a meeting's ``.ics``."""
    from django.conf import settings
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.utils import translation

    if getattr(_quiet, "on", False):
        return
    context = {"site_url": settings.SITE_URL, "recipient": to, **context}
    with translation.override(to.language or "en"):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_message.txt", context)
    message = EmailMessage(
        subject=f"[{settings.PLATFORM_NAME}] {subject}", body=body, to=[to.email]
    )
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    transaction.on_commit(lambda: email_enqueue(message, after_commit=True))


def task_or_now(
    task: Callable[..., Any],
    *args: Any,
    now: Callable[[], Any],
    what: str,
    after_commit: bool = False,
) -> None:
    """Hand ``task(*args)`` to the worker. When the task queue's Redis cannot be reached (one
    Redis holds the queue, the cache and the limits: the outage during which the site keeps
    working, see expo.cache), do ``now()`` in the request instead, logged (``what`` names it).
    ``after_commit``: the request's changes are already saved, so a ``now()`` that fails too is
    logged, not raised (the request must not fail after its work is done)."""
    from redis.exceptions import RedisError

    try:
        task(*args)
    except RedisError:
        _log.warning("task queue unreachable; %s now", what, exc_info=True)
        try:
            now()
        except Exception:
            if not after_commit:
                raise
            _log.exception("could not %s during the task queue's outage", what)


def email_enqueue(message: Any, *, after_commit: bool = False) -> None:
    """Hand a rendered message to the worker, or send it now during the task queue's outage
    (:func:`task_or_now`)."""
    from expo.tasks import deliver_email

    task_or_now(
        deliver_email,
        message,
        now=message.send,
        what=f"sending {message.subject!r}",
        after_commit=after_commit,
    )


EXPO_FIELDS = (
    "slug", "title_en", "title_id", "tagline_en", "tagline_id", "description_en", "description_id",
    "applications_open_at", "application_deadline", "opens_at", "closes_at", "booth_quota",
)  # fmt: skip


def expo_check_time_box(expo: object) -> None:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    a, d, o, c = (
        expo.applications_open_at,  # type: ignore[attr-defined]
        expo.application_deadline,  # type: ignore[attr-defined]
        expo.opens_at,  # type: ignore[attr-defined]
        expo.closes_at,  # type: ignore[attr-defined]
    )
    if None in (a, d, o, c):
        return
    if not a < d:
        raise ValidationError(
            {"application_deadline": _("The deadline must be after applications open.")}
        )
    if not d <= o:
        raise ValidationError(
            {"opens_at": _("The expo must open on or after the application deadline.")}
        )
    if not o < c:
        raise ValidationError({"closes_at": _("The expo must close after it opens.")})
    mall_until = getattr(expo, "mall_until", None)
    if mall_until is not None and not c < mall_until:
        raise ValidationError(
            {"closes_at": _("The expo must close before its mall does (the mall follows it).")}
        )


@transaction.atomic
def expo_create(
    *, office: Office, by: User, sectors: object = (), hero_image: object = None, **fields: object
) -> Expo:
    """Create an expo for ``office``; only its organisers (or a platform admin) may."""
    permissions.require(permissions.can_manage_office(by, office))
    expo = Expo(office=office, **{k: v for k, v in fields.items() if k in EXPO_FIELDS})
    if hero_image is not None:
        expo.hero_image = hero_image
    expo_check_time_box(expo)
    expo.full_clean()
    expo.save()
    expo.sectors.set(sectors)  # type: ignore[arg-type]
    audit_log(action="expo.expo.created", obj=expo, user=by, expo_id=expo.pk)
    return expo


@transaction.atomic
def expo_update(
    *, expo: Expo, by: User, sectors: object = None, hero_image: object = None, **fields: object
) -> Expo:
    """Change an expo. Its time box may not be changed once it has closed."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from expo.models import ExpoState

    permissions.require(permissions.can_manage_office(by, expo.office_id))
    if expo.state in (ExpoState.CLOSED, ExpoState.MALL):
        raise ValidationError(_("A closed expo can no longer be changed; its report is final."))
    for name, value in fields.items():
        if name in EXPO_FIELDS:
            setattr(expo, name, value)
    if hero_image is not None:
        expo.hero_image = hero_image
    expo_check_time_box(expo)
    expo.full_clean()
    expo.save()
    if sectors is not None:
        expo.sectors.set(sectors)  # type: ignore[arg-type]
    audit_log(action="expo.expo.updated", obj=expo, user=by, expo_id=expo.pk, fields=sorted(fields))
    return expo


# --- Stage actions -------------------------------------------------------------------------------

# The audit action of each stage.
STAGE_AUDIT = {
    "open-applications": "expo.expo.applications_opened",
    "publish": "expo.expo.published",
    "open": "expo.expo.opened",
    "close": "expo.expo.closed",
    "mall": "expo.expo.mall_opened",
    "end-mall": "expo.expo.mall_closed",
}


@transaction.atomic
def expo_take_stage(*, expo: Expo, by: User, stage: str, close_applications: bool = False) -> Expo:
    """Move the expo to a stage now ("open-applications", "publish", "open" or "close"; see
    :class:`expo.timebox.Stage`): only its office's organisers (or a platform admin) may. The dates
    move as :func:`expo.timebox.stage_plan` says, read and written under a lock of the expo's row so
    that two organisers acting at once cannot both act on the same stage; a refused stage raises
    :class:`expo.timebox.StageRefused` and changes nothing. Written to the audit log with the dates
    before and after."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from expo import timebox

    permissions.require(permissions.can_manage_office(by, expo.office_id))
    stage = timebox.Stage(stage)
    locked = Expo.objects.select_for_update().get(pk=expo.pk)
    now = timezone.now()
    changes = timebox.stage_plan(locked, stage, now, close_applications=close_applications)
    before = {name: getattr(locked, name) for name in changes}
    for name, value in changes.items():
        setattr(locked, name, value)
    try:
        expo_check_time_box(locked)
    except ValidationError as error:  # a date that sits exactly on now: nothing to move
        raise timebox.StageRefused(error.messages[0]) from error
    # updated_at too: the hall's cached pages are keyed on it, so they follow the new stage.
    locked.save(update_fields=[*changes, "updated_at"])
    audit_log(
        action=STAGE_AUDIT[stage],
        obj=locked,
        user=by,
        expo_id=locked.pk,
        close_applications=close_applications,
        changed={
            name: [before[name].isoformat() if before[name] else None, value.isoformat()]
            for name, value in changes.items()
        },
    )
    for name in (*changes, "updated_at"):
        setattr(expo, name, getattr(locked, name))
    return expo


@transaction.atomic
def expo_set_mall(*, expo: Expo, by: User, until: datetime | None) -> Expo:
    """Keep the expo's catalogue open as a mall after it closes, until ``until`` ("Open the mall",
    also moving its end), or end the mall now (``until`` None: "Close the mall now"). Only the
    office's organisers may; the rules are :func:`expo.timebox.mall_plan`'s, taken under a lock of
    the expo's row; audited with the date before and after."""
    from django.utils import timezone

    from expo import timebox

    permissions.require(permissions.can_manage_office(by, expo.office_id))
    locked = Expo.objects.select_for_update().get(pk=expo.pk)
    now = timezone.now()
    changes = timebox.mall_plan(locked, now, until=until)
    before = locked.mall_until
    locked.mall_until = changes["mall_until"]
    # updated_at too: the hall's cached pages are keyed on it, so they follow the new stage.
    locked.save(update_fields=["mall_until", "updated_at"])
    stage = timebox.Stage.END_MALL if until is None else timebox.Stage.MALL
    audit_log(
        action=STAGE_AUDIT[stage],
        obj=locked,
        user=by,
        expo_id=locked.pk,
        changed={
            "mall_until": [before.isoformat() if before else None, locked.mall_until.isoformat()]
        },
    )
    expo.mall_until, expo.updated_at = locked.mall_until, locked.updated_at
    return expo
