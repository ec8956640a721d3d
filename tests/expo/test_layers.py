"""The layers of docs/architecture.md hold: imports (import-linter's contracts in pyproject.toml)
and migrations point downwards only."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
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
