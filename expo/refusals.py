"""The one way to say no.

Every rule that refuses an action — the time box, a permission, stock, a chat rule — raises a
:class:`Refused` (or a subclass): a stable ``code`` for machines (socket error frames, API answers,
tests) and a ``message`` for people, translated in the user's language. A refusal changes nothing.

Two converters turn refusals (and Django's own ``ValidationError`` and ``PermissionDenied``) into
what the user sees: :func:`refuse` for views (a flash message and a redirect) and
:func:`add_to_form` for forms; the socket's converter is ``events.consumer.RealtimeError.of``, built
on :func:`code_of` and :func:`text_of` below.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _


class Refused(PermissionDenied):
    """A rule said no. Left uncaught, it is a 403 (it is a ``PermissionDenied``)."""

    default_code = "refused"

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.code = code or self.default_code
        self.message = message if message is not None else _("This is not possible.")
        super().__init__(self.message)

    @property
    def messages(self) -> list[str]:
        """The same shape as ``ValidationError.messages``."""
        return [str(self.message)]


def code_of(error: Exception) -> str:
    """A stable code for any refusal: the refusal's own, a validation error's, or ``forbidden``."""
    if isinstance(error, Refused):
        return error.code
    if isinstance(error, ValidationError):
        return error.code or "invalid"
    return "forbidden"


def text_of(error: Exception) -> str:
    """What to tell the user, in their language."""
    if isinstance(error, Refused):
        return str(error.message)
    if isinstance(error, ValidationError):
        return " ".join(str(m) for m in error.messages)
    if isinstance(error, PermissionDenied):
        return _("You are not allowed to do this.")
    return _("This is not possible.")


def refuse(request: HttpRequest, error: Exception, to: str) -> HttpResponse:
    """A service refused: say why, change nothing, go back to ``to``."""
    messages.error(request, text_of(error))
    return redirect(to)


def add_to_form(form: forms.BaseForm, error: Exception, field: str | None = None) -> None:
    """Show a refusal on ``form``: per field where a validation error named one the form has, else on
    ``field`` (the upload that failed, say), else above the form."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields else field
            form.add_error(target if target != NON_FIELD_ERRORS else None, errors)
    elif isinstance(error, ValidationError):
        form.add_error(field, error)
    else:
        form.add_error(field, text_of(error))
