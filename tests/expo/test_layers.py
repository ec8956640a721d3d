"""The layers of docs/architecture.md hold: imports (import-linter's contracts in pyproject.toml)
and migrations point downwards only."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db.migrations.loader import MigrationLoader

import expo

ROOT = Path(__file__).resolve().parents[2]
TOP = {"expo.banners", "expo.reports", "expo.manage", "expo.demo"}
TOP_WIRING = {"expo.urls", "expo.routing", "expo.asgi", "expo.settings"}
# Lowest first; apps on one rank may not depend on each other.
RANKS = {"expo": 0, "booths": 1, "events": 2, "payments": 2, "banners": 3, "reports": 3}
RANKS |= {"manage": 3, "demo": 3}


def contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def test_the_base_contract_lists_every_module_of_the_base():
    base = next(c for c in contracts() if c["type"] == "forbidden")
    modules = {f"expo.{m.name}" for m in pkgutil.iter_modules(expo.__path__)} - {"expo.__init__"}
    assert modules - TOP - TOP_WIRING == set(base["source_modules"])
    assert TOP | TOP_WIRING - {"expo.settings"} <= set(base["forbidden_modules"])


def test_no_contract_ignores_an_import():
    assert all("ignore_imports" not in contract for contract in contracts())


def test_lint_imports_keeps_every_contract():
    run = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


@pytest.mark.django_db
def test_migrations_depend_only_on_the_same_or_a_lower_layer():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    wrong = []
    for (app, name), migration in loader.disk_migrations.items():
        if app not in RANKS:
            continue
        for dep_app, dep_name in migration.dependencies:
            if dep_app in RANKS and RANKS[dep_app] > RANKS[app]:
                wrong.append(f"{app}.{name} -> {dep_app}.{dep_name}")
            if dep_app != app and RANKS.get(dep_app) == RANKS[app]:
                wrong.append(f"{app}.{name} -> {dep_app}.{dep_name} (same layer)")
    assert wrong == []


TEMPLATE_RANKS = {"frontend": -1, **RANKS}
TEMPLATE_REFERENCE = re.compile(r"\{%\s*(?:include|extends)\s+[\"']([^\"']+)[\"']")


def _templates_by_app() -> dict[str, dict[str, Path]]:
    found: dict[str, dict[str, Path]] = {}
    for config in django_apps.get_app_configs():
        folder = Path(config.path) / "templates"
        if config.label in TEMPLATE_RANKS and folder.is_dir():
            found[config.label] = {
                p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()
            }
    return found


def test_templates_include_and_extend_only_their_own_layer_or_lower():
    by_app = _templates_by_app()
    owner = {name: app for app, names in by_app.items() for name in names}
    wrong = []
    for app, names in by_app.items():
        for name, path in names.items():
            for target in TEMPLATE_REFERENCE.findall(path.read_text()):
                target_app = owner.get(target)
                if target_app is None or target_app == app:
                    continue
                if TEMPLATE_RANKS[target_app] >= TEMPLATE_RANKS[app]:
                    wrong.append(f"{app}:{name} -> {target_app}:{target}")
    assert wrong == []


def test_a_place_renders_what_higher_apps_registered_in_order(rf):
    from django.template import Context, Template

    from expo import places

    request = rf.get("/")
    request.resolver_match = None
    four = [
        "payments/vendor/_nav.html",
        "events/vendor/_nav.html",
        "reports/_vendor_tab.html",
        "banners/vendor/_nav.html",
    ]
    # In their order, among the others' (quotations, leads…).
    assert [t for t in places.templates_at("vendor_tabs") if t in four] == four
    assert places.templates_at("page_slot") == ["banners/_slot.html"]
    with pytest.raises(ValueError, match="unknown place"):
        places.register("nowhere", "x.html")
    aside = places.templates_at("booth_aside")
    assert aside[0] == "events/_booth_live.html" and "payments/quotes/_booth_ask.html" in aside
    places.register("booth_aside", "events/_booth_live.html")  # twice: still once
    assert places.templates_at("booth_aside") == aside
    html = Template('{% load places %}[{% place "vendor_tabs" %}]').render(
        Context({"vendor": SimpleNamespace(slug="batik-sekar"), "request": request})
    )
    # The four apps' tabs, in their order, for this vendor.
    links = re.findall(r'href="([^"]+)"', html)
    assert links[0] == "/vendor/batik-sekar/orders/"
    assert "/vendor/batik-sekar/dashboard/" in links
    assert links.index("/vendor/batik-sekar/inbox/") < links.index("/vendor/batik-sekar/dashboard/")
    assert "/vendor/batik-sekar/banners/" in links
    assert links.index("/vendor/batik-sekar/quotes/") < links.index("/vendor/batik-sekar/leads/")
