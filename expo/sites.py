"""The Sites framework's one site (``SITE_ID``), named and addressed as this deployment is.

allauth's e-mails read the site: "Hello from {name}!", "… register an account on {domain}" (through
``get_current_site``). The project's own e-mails link to ``SITE_URL`` and put ``PLATFORM_NAME`` in
their subjects. So the site row takes both from the settings — its name from ``PLATFORM_NAME``, its
domain from ``SITE_URL``'s host and port — after every ``migrate`` (``make run`` migrates before it
serves, with ``SITE_URL`` following its ``HOST`` and ``PORT``), and the two can never disagree.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.apps import apps as global_apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, router


def site_values() -> dict[str, str]:
    """The site's ``domain`` (``127.0.0.1:8101``, ``expo.example.id``) and ``name``."""
    return {
        "domain": urlsplit(settings.SITE_URL).netloc or "localhost",
        "name": settings.PLATFORM_NAME[:50],
    }


def site_sync(*, using: str = DEFAULT_DB_ALIAS, apps: Any = global_apps) -> None:
    """Write :func:`site_values` on the site ``SITE_ID`` (creating it if it is missing)."""
    site_model = apps.get_model("sites", "Site")
    if not router.allow_migrate_model(using, site_model):
        return
    site_model.objects.using(using).update_or_create(pk=settings.SITE_ID, defaults=site_values())
    # get_current_site() caches the row per process.
    from django.contrib.sites.models import SITE_CACHE

    SITE_CACHE.clear()


def sync_after_migrate(sender: Any, *, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """``post_migrate`` receiver (connected in ``ExpoConfig.ready``)."""
    site_sync(using=using, apps=kwargs.get("apps") or global_apps)
