"""allauth hooks: e-mails go out in the recipient's language and through the task queue."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation

from expo.services import user_language_for_email


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        language = user_language_for_email(email=email, fallback=translation.get_language())
        with translation.override(language):
            message = self.render_mail(template_prefix, email, context)
        from expo.tasks import deliver_email

        deliver_email(message)

    def save_user(self, request: Any, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        user.name = data.get("name", "") or ""
        user.country = data.get("country") or user.country
        user.language = (translation.get_language() or "en").split("-")[0]
        if user.language not in {"en", "id"}:
            user.language = "en"
        zone = getattr(request, "timezone", None)
        if zone is not None:
            user.time_zone = str(zone)
        if commit:
            user.save()
        return user
