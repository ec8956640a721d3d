"""allauth hooks: e-mails go out in the recipient's language and through the task queue (sent at
once while the queue's Redis is down), name the site (the Sites framework's one site, see
expo.sites), and a log-in speaks the account's language."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation

from expo.middleware import apply_account_language
from expo.services import email_enqueue, user_language_for_email


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # allauth's own send_mail adds the site and the request; this one replaces it, so it must
        # too: without "current_site" its mails read "Hello from !".
        request = allauth_context.request
        context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
        }
        language = user_language_for_email(email=email, fallback=translation.get_language())
        with translation.override(language):
            message = self.render_mail(template_prefix, email, context)
        # Through the queue; while its Redis is down, sent now rather than fail a sign-up or a
        # password reset.
        email_enqueue(message)

    def login(self, request: Any, user: Any) -> None:
        super().login(request, user)
        # allauth writes its "signed in" message right after this, before the next page applies
        # the account's language: apply it now, or the message stays in the anonymous language.
        apply_account_language(request, user)

    def save_user(self, request: Any, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        user.name = data.get("name", "") or ""
        user.country = data.get("country") or user.country
        user.language = (translation.get_language() or "en").split("-")[0]
        if user.language not in {"en", "id"}:
            user.language = "en"
        # The zone the middleware found: the browser's (the page's script reported it), else the
        # default. Never the account's, which a new account does not have yet.
        zone = getattr(request, "timezone", None)
        if zone is not None:
            user.time_zone = str(zone)
        if commit:
            user.save()
        return user
