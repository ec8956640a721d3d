"""How the stored suggestions (:mod:`events.matching.suggestions`) hear of the changes to their
inputs made below the live side, which never imports it (``docs/architecture.md``):

- a business buyer's profile, sectors of interest or consent (``expo.signals.buyer_changed``,
  sent by ``expo.buyers``' services), or their account switched off: the buyer's pairs are scored
  again at once, in the change's transaction (one buyer against each open expo's vendors is
  quick);
- a booth (opened, closed, its tagline), a product (its names, whether it is shown), a vendor (its
  sector, size, name), a curator's export score, the rubric's scale (Django's model signals, so
  the admin's changes count too): once the change committed, a task scores the vendor's pairs
  again against every buyer (:func:`events.tasks.refresh_suggestions`). When the task queue
  cannot be reached the request does it itself, after its own work is saved (as
  ``expo.services.email_enqueue`` sends an e-mail then).

A meeting booked or cancelled is the matching's own: its services refresh the pair themselves.
A receiver never makes the change fail: what goes wrong is logged, and ``manage.py
rebuild_suggestions`` puts it right.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save

from events.matching import suggestions
from expo.services import task_or_now

_log = logging.getLogger(__name__)


def enqueue(change: dict) -> None:
    """Hand ``change`` to the worker; during the task queue's outage, apply it now (logged)."""
    from events.tasks import refresh_suggestions

    task_or_now(
        refresh_suggestions,
        change,
        now=lambda: suggestions.suggestions_apply(change),
        what=f"refreshing the suggestions after {change!r}",
        after_commit=True,
    )


def _after_commit(**change: Any) -> None:
    transaction.on_commit(lambda: enqueue(change))


def buyer_changed(sender: Any, profile: Any, **kwargs: Any) -> None:
    try:
        suggestions.suggestions_refresh(buyer_ids=[profile.user_id])
    except Exception:
        _log.exception("could not refresh the suggestions of buyer %s", profile.user_id)


# The fields of each row that the scoring reads: a save of others (a booth's prices, a product's
# stock) changes no suggestion.
BOOTH_INPUTS = frozenset(["expo", "vendor", "is_active", "tagline_en", "tagline_id", "application"])
PRODUCT_INPUTS = frozenset(["booth", "name_en", "name_id", "is_active"])
VENDOR_INPUTS = frozenset(["name", "sector", "size_class"])


def _concerns(inputs: frozenset[str], raw: bool, update_fields: Any) -> bool:
    return not raw and (update_fields is None or bool(inputs & set(update_fields)))


def profile_removed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A business profile deleted (with its consents): its buyer is suggested no more."""
    buyer_changed(sender, instance)


def account_loaded(sender: Any, instance: Any, **kwargs: Any) -> None:
    instance._matching_was_active = instance.__dict__.get("is_active")


def account_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """An account switched off (or on again): a buyer's pairs go (or come back) with it. Only
    when ``is_active`` changed since the row was read (no query: a sign-in saves the account)."""
    if raw or getattr(instance, "_matching_was_active", None) == instance.is_active:
        return
    instance._matching_was_active = instance.is_active
    try:
        suggestions.suggestions_refresh(buyer_ids=[instance.pk])
    except Exception:
        _log.exception("could not refresh the suggestions of account %s", instance.pk)


def booth_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if _concerns(BOOTH_INPUTS, raw, kwargs.get("update_fields")):
        _after_commit(booths=[(instance.expo_id, instance.vendor_id)])


def product_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if _concerns(PRODUCT_INPUTS, raw, kwargs.get("update_fields")):
        _after_commit(booth_ids=[instance.booth_id])


def vendor_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if _concerns(VENDOR_INPUTS, raw, kwargs.get("update_fields")):
        _after_commit(vendor_ids=[instance.pk])


def score_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _after_commit(application_ids=[instance.application_id])


def rubric_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _after_commit(rebuild=[instance.expo_id])


def meeting_removed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A meeting deleted (the admin): its pair may be suggested again."""
    suggestions.suggestions_refresh(
        expo_ids=[instance.expo_id], pairs=[(instance.buyer_id, instance.vendor_id)]
    )


def connect() -> None:
    """Called by the events app's ``ready()``."""
    from booths.models import Booth, Product, Vendor
    from booths.rubrics import ApplicationScore, CurationRubric
    from events.matching.models import Meeting
    from expo import signals

    signals.buyer_changed.connect(buyer_changed, dispatch_uid="events.matching.buyer")
    post_delete.connect(
        profile_removed, sender="expo.BuyerProfile", dispatch_uid="events.matching.profile"
    )
    post_init.connect(
        account_loaded, sender=settings.AUTH_USER_MODEL, dispatch_uid="events.matching.account"
    )
    post_save.connect(
        account_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="events.matching.account"
    )
    for model, receiver in (
        (Booth, booth_changed),
        (Product, product_changed),
        (Vendor, vendor_changed),
        (ApplicationScore, score_changed),
        (CurationRubric, rubric_changed),
    ):
        uid = f"events.matching.{model.__name__}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid + ".saved")
        post_delete.connect(receiver, sender=model, dispatch_uid=uid + ".deleted")
    post_delete.connect(meeting_removed, sender=Meeting, dispatch_uid="events.matching.meeting")
