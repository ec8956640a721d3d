"""A database migrated by main before the layout change migrates forward with nothing lost.

``main_before_layout.sql.gz`` is PostgreSQL's dump of a database that the code of main before this
change (commit 1bc3c68) migrated and filled with ``manage.py seed_demo``: the banner and report
tables still belonged to the ``expo`` app then. The test restores it into a database of its own,
runs today's ``migrate`` on it, and checks that every table keeps every row, and that content types
and audit entries still resolve to models (and audit entries to their rows).
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
DUMP = Path(__file__).with_name("main_before_layout.sql.gz")
MOVED = {
    "banners": {"bannerslot", "bannercampaign", "bannerfee", "bannerimpression", "bannerclick"}
    | {"bannerdailystat"},
    "reports": {"potentialdeal", "apitoken", "reportjob"},
}

pytestmark = pytest.mark.postgres


def _psql() -> str:
    found = shutil.which("psql") or next(Path("/usr/lib/postgresql").glob("*/bin/psql"), None)
    assert found, "psql is missing: install the Debian package postgresql-client"
    return str(found)


@pytest.fixture
def legacy_database(postgres_url):
    """A new database on the test server holding the dump; dropped afterwards."""
    name = f"legacy_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(postgres_url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    url = urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    restore = subprocess.run(
        [_psql(), "-q", "-v", "ON_ERROR_STOP=1", "-d", url],
        input=gzip.decompress(DUMP.read_bytes()),
        capture_output=True,
        timeout=300,
    )
    assert restore.returncode == 0, restore.stderr.decode()[-2000:]
    yield url
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "expo.settings"}
    env.pop("REDIS_URL", None)
    run = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]


def test_main_before_the_layout_migrates_forward_with_nothing_lost(legacy_database):
    from django.apps import apps

    before = _row_counts(legacy_database)
    assert before["expo_bannercampaign"] > 0 and before["expo_auditlogentry"] > 0  # a real fixture
    with psycopg.connect(legacy_database) as db:
        old_types = dict(db.execute("SELECT id, app_label || '.' || model FROM django_content_type"))

    _migrate(legacy_database)

    after = _row_counts(legacy_database)
    # Later migrations may add models: their content types and permissions are new rows.
    growing = {"django_migrations", "django_content_type", "auth_permission"}
    changed = {
        table: (count, after.get(table))
        for table, count in before.items()
        if (after.get(table) != count and table not in growing) or after.get(table, 0) < count
    }
    assert changed == {}

    with psycopg.connect(legacy_database) as db:
        new_types = dict(db.execute("SELECT id, app_label || '.' || model FROM django_content_type"))
        audit = db.execute("SELECT object_type, object_id FROM expo_auditlogentry").fetchall()
        applied = {tuple(r) for r in db.execute("SELECT app, name FROM django_migrations")}

    # Every content type keeps its id; the moved ones carry their new app's label.
    for pk, label in old_types.items():
        app_label, model = label.split(".")
        moved_to = next((app for app, models in MOVED.items() if model in models), None)
        expected = f"{moved_to}.{model}" if app_label == "expo" and moved_to else label
        assert new_types[pk] == expected
        if not expected.startswith(("account.", "sites.", "admin.", "sessions.")):
            apps.get_model(expected)  # resolves in today's code

    # Every audit entry names a model of today's code, and its row is there.
    assert {t for t, _ in audit} >= {"banners.bannercampaign"}
    assert not any(t.startswith("expo.banner") for t, _ in audit)
    with psycopg.connect(legacy_database) as db:
        for object_type, object_id in audit:
            table = apps.get_model(object_type)._meta.db_table
            found = db.execute(f'SELECT 1 FROM "{table}" WHERE id = %s', [int(object_id)])
            assert found.fetchone(), f"{object_type}#{object_id} is gone"

    # The new apps' migrations count as applied (they replace expo 0003–0005).
    assert {("banners", "0001_initial"), ("reports", "0001_initial")} <= applied
