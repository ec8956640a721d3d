"""Writes (and small lookups they need) for accounts and offices."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from expo import permissions
from expo.models import Office, OfficeMembership, User


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


def send_templated_email(*, to: User, template: str, context: dict[str, object]) -> None:
    """Render ``<template>_subject.txt`` and ``<template>_message.txt`` in the recipient's language
    and queue the message for delivery."""
    from django.conf import settings
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.utils import translation

    from expo.tasks import deliver_email

    with translation.override(to.language or "en"):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_message.txt", context)
    message = EmailMessage(
        subject=f"[{settings.PLATFORM_NAME}] {subject}", body=body, to=[to.email]
    )
    transaction.on_commit(lambda: deliver_email(message))
