"""The Indonesian catalogue is complete: nothing fuzzy, nothing untranslated, and every literal
``{% translate "…" %}`` of the templates and ``_("…")`` of the code is in it (so a string added
without running makemessages is caught here, not by a buyer)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "frontend" / "locale" / "id" / "LC_MESSAGES" / "django.po"
APPS = ("expo", "booths", "events", "payments", "frontend")
TRANSLATE_TAG = re.compile(r"""\{%\s*translate\s+(["'])(.+?)\1(?:\s+as\s+\w+)?\s*%\}""")
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy"}


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line) for line in lines)


def _entries() -> list[dict]:
    """msgctxt, msgid, msgstr(s) and flags of each entry (obsolete ones left out)."""
    entries, current, field = [], None, None
    for raw in CATALOGUE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            if current is not None and not line:
                entries.append(current)
                current, field = None, None
            continue
        if current is None:
            current = {"flags": set(), "msgctxt": [], "msgid": [], "msgstr": {}}
        if line.startswith("#,"):
            current["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgctxt", "msgid_plural", "msgid", "msgstr")):
            keyword, _space, value = line.partition(" ")
            field = keyword
            if keyword.startswith("msgstr"):
                current["msgstr"].setdefault(keyword, []).append(value)
            elif keyword == "msgid_plural":
                current.setdefault("msgid_plural", []).append(value)
            else:
                current[keyword].append(value)
        elif line.startswith('"') and field is not None:
            if field.startswith("msgstr"):
                current["msgstr"][field].append(line)
            else:
                current.setdefault(field, []).append(line)
    if current is not None:
        entries.append(current)
    return [
        {
            "flags": e["flags"],
            "msgctxt": _unquote(e["msgctxt"]) if e["msgctxt"] else None,
            "msgid": _unquote(e["msgid"]),
            "msgstr": {k: _unquote(v) for k, v in e["msgstr"].items()},
        }
        for e in entries
    ]


def test_nothing_is_fuzzy_or_untranslated():
    entries = [e for e in _entries() if e["msgid"]]  # the header has an empty msgid
    assert len(entries) > 1000
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    assert not fuzzy, fuzzy[:10]
    assert not empty, empty[:10]


def _template_literals() -> set[str]:
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.html"):
            for match in TRANSLATE_TAG.finditer(path.read_text(encoding="utf-8")):
                if "context" not in match.group(0):
                    # The catalogue holds a template's "%" doubled (Django looks it up so).
                    found.add(match.group(2).replace("%", "%%"))
    return found


def _code_literals() -> set[str]:
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in GETTEXT_NAMES
                    and node.args
                    and isinstance(
                        node.args[-1 if node.func.id.startswith("p") else 0], ast.Constant
                    )
                    and isinstance(node.args[-1 if node.func.id.startswith("p") else 0].value, str)
                ):
                    found.add(node.args[-1 if node.func.id.startswith("p") else 0].value)
    return found


def test_every_marked_string_is_in_the_catalogue():
    known = {e["msgid"] for e in _entries()}
    missing = sorted((_template_literals() | _code_literals()) - known)
    assert not missing, f"run makemessages and translate: {missing[:15]}"
