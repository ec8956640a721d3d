"""What a server process does once as it starts, so that the first requests it serves (the
opening minute's, or those sent to a process restarted in a rush) do not do it side by side.

Django builds several things lazily, on the first request that needs them, once per process and
per language: compiled templates, the URL patterns' regular expressions, the reverse lookup
tables (``reverse()`` and ``{% url %}``: about 0.1–0.2 s per language for this site's URLs), the
translation catalogues and Babel's locale data. Measured on a fresh process, the first product
page cost 56–120 ms of CPU against 2–4 ms for the next; under a rush the first wave of requests
queued behind each other's copy of that work. :func:`warm_up` runs it all before Daphne listens
(``expo.asgi``); it reads no database and touches no cache, so it runs the same with every
service down.
"""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.template.loader import get_template
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import formats, translation

PROJECT_APPS = {"expo", "booths", "events", "payments", "frontend"}


def warm_templates() -> int:
    """Compile every template of the project's apps into the cached loader (about half a second
    for ~200 templates); how many."""
    loaded = 0
    for app in apps.get_app_configs():
        folder = Path(app.path) / "templates"
        if app.name.split(".")[0] not in PROJECT_APPS:
            continue
        for path in sorted(folder.rglob("*.html")) if folder.is_dir() else ():
            get_template(path.relative_to(folder).as_posix())
            loaded += 1
    return loaded


def _compile_patterns(patterns: list) -> int:
    compiled = 0
    for entry in patterns:
        entry.pattern.regex  # noqa: B018 — the descriptor compiles it, per language if translated
        compiled += 1
        if isinstance(entry, URLResolver):
            compiled += _compile_patterns(entry.url_patterns)
        elif not isinstance(entry, URLPattern):  # pragma: no cover - Django has only these two
            raise TypeError(f"unexpected URL entry {entry!r}")
    return compiled


def warm_urls() -> int:
    """In every language of the site: every URL pattern's regular expression compiled, and the
    reverse lookup tables built (each resolver builds its own on first use, per language); how
    many patterns."""
    resolver = get_resolver()
    compiled = 0
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            compiled = _compile_patterns(resolver.url_patterns)
            stack = [resolver]
            while stack:
                current = stack.pop()
                current.reverse_dict  # noqa: B018 — built per language on first use
                stack.extend(e for e in current.url_patterns if isinstance(e, URLResolver))
    return compiled


def warm_locales() -> list[str]:
    """Every language's translation catalogue, date and number formats and Babel locale data
    loaded; the languages."""
    from expo.money import compact_rupiah, format_rupiah

    codes = [code for code, _name in settings.LANGUAGES]
    for code in codes:
        with translation.override(code):
            translation.gettext("Cart")
            formats.get_format("DATETIME_FORMAT")
            formats.number_format(1234567)
            format_rupiah(1_250_000)
            compact_rupiah(4_800_000_000)
    return codes


def warm_up() -> dict[str, object]:
    """All of the above; what was done (logged by the caller)."""
    return {"templates": warm_templates(), "urls": warm_urls(), "languages": warm_locales()}
