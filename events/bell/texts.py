"""What a notification says, written when it is shown, in the reader's language.

A notification stores its ``kind`` and a few plain ``params`` (names, an order's number, a status);
:func:`title` turns them into a sentence in the active language, :func:`titles` into one per
language of the site (the live frame carries every language, so it is encoded once). A param may
itself be in both languages (``{"en": …, "id": …}``: an expo's or a session's title). Most
sentences are the subjects of the e-mails about the same events, so they read alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from events.models import Notification

Kind = Notification.Kind


def local(value: Any) -> str:
    """A param in the active language (bilingual params are ``{"en": …, "id": …}``)."""
    if isinstance(value, Mapping):
        language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
        return str(value.get(language) or value.get("en") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def _question(p: Mapping[str, Any]) -> str:
    if int(p.get("count") or 1) > 1:
        return _("%(count)s new messages for %(booth)s") % {
            "count": p["count"],
            "booth": local(p.get("booth")),
        }
    return _("New question for %(booth)s") % {"booth": local(p.get("booth"))}


def _answer(p: Mapping[str, Any]) -> str:
    if int(p.get("count") or 1) > 1:
        return _("%(booth)s sent you %(count)s messages") % {
            "count": p["count"],
            "booth": local(p.get("booth")),
        }
    return _("%(booth)s answered your question") % {"booth": local(p.get("booth"))}


def _application(p: Mapping[str, Any]) -> str:
    expo = {"expo": local(p.get("expo"))}
    status = p.get("status")
    if status == "approved":
        return _("Approved: your booth at %(expo)s") % expo
    if status == "changes_requested":
        return _("Changes requested: your application to %(expo)s") % expo
    return _("Your application to %(expo)s was declined") % expo


def _banner(p: Mapping[str, Any]) -> str:
    title = {"title": local(p.get("title"))}
    status = p.get("status")
    if status == "approved":
        return _("Your banner “%(title)s” is approved") % title
    if status == "priced":
        return _("Your banner “%(title)s” is priced: pay its fee to run it") % title
    return _("Your banner “%(title)s” was rejected") % title


def _order(message: str) -> Callable[[Mapping[str, Any]], str]:
    """An order's sentence: ``message`` is marked with ``gettext_noop`` and translated when shown."""

    def render(p: Mapping[str, Any]) -> str:
        return _(message) % {"code": local(p.get("code")), "vendor": local(p.get("vendor"))}

    return render


ORDER_PAID = gettext_noop("Order %(code)s: payment received")
ORDER_SOLD = gettext_noop("New paid order %(code)s: please ship")
ORDER_PACKED = gettext_noop("Order %(code)s: %(vendor)s packed your items")
ORDER_SHIPPED = gettext_noop("Order %(code)s: %(vendor)s shipped your items")
TRANSFER = gettext_noop("A bank transfer to confirm: order %(code)s")
STAND_SALE_REJECTED = gettext_noop("Stand sale %(code)s was rejected by the organisers")

MEETING_STEPS = {
    "requested": gettext_noop("Meeting request from %(who)s"),
    "arranged": gettext_noop("The organisers propose a meeting with %(who)s"),
    "agreed": gettext_noop("%(who)s agreed to the meeting; your confirmation is awaited"),
    "confirmed": gettext_noop("Meeting with %(who)s confirmed"),
    "proposed": gettext_noop("%(who)s proposed another time for your meeting"),
    "declined": gettext_noop("%(who)s declined your meeting request"),
    "cancelled": gettext_noop("%(who)s cancelled your meeting"),
    "reminder": gettext_noop("Your meeting with %(who)s starts soon"),
}


QUOTATION_STEPS = {
    "requested": gettext_noop("Request for quotation %(code)s from %(who)s"),
    "sent": gettext_noop("%(who)s sent you a quotation for %(code)s"),
    "revised": gettext_noop("%(who)s revised the quotation for %(code)s"),
    "revision_asked": gettext_noop("%(who)s asks you to revise quotation %(code)s"),
    "accepted": gettext_noop("%(who)s accepted quotation %(code)s"),
    "declined": gettext_noop("%(who)s declined quotation %(code)s"),
}


def _quotation(p: Mapping[str, Any]) -> str:
    message = QUOTATION_STEPS.get(str(p.get("step")), QUOTATION_STEPS["requested"])
    return _(message) % {"who": local(p.get("who")), "code": local(p.get("code"))}


def _meeting(p: Mapping[str, Any]) -> str:
    message = MEETING_STEPS.get(str(p.get("step")), MEETING_STEPS["requested"])
    return _(message) % {"who": local(p.get("who"))}


_TITLES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    Kind.QUESTION: _question,
    Kind.ANSWER: _answer,
    Kind.ORDER_PAID: _order(ORDER_PAID),
    Kind.ORDER_SOLD: _order(ORDER_SOLD),
    Kind.ORDER_PACKED: _order(ORDER_PACKED),
    Kind.ORDER_SHIPPED: _order(ORDER_SHIPPED),
    Kind.TRANSFER: _order(TRANSFER),
    Kind.APPLICATION: _application,
    Kind.BANNER: _banner,
    Kind.SESSION: lambda p: _("Starting soon: %(title)s") % {"title": local(p.get("title"))},
    Kind.MEETING: _meeting,
    Kind.QUOTATION: _quotation,
    Kind.STAND_SALE: _order(STAND_SALE_REJECTED),
}


def title(kind: str, params: Mapping[str, Any]) -> str:
    """The notification's sentence in the active language."""
    render = _TITLES.get(kind)
    if render is None:
        return ""
    try:
        return render(params)
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder
        with translation.override("en"):
            return render(params)


def titles(kind: str, params: Mapping[str, Any]) -> dict[str, str]:
    """The sentence in every language of the site, for the live frame."""
    out = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            out[code] = title(kind, params)
    return out


def detail(params: Mapping[str, Any]) -> str:
    """The second line: what was written (a message's start, a reason) or an amount, as given."""
    return local(params.get("detail"))
