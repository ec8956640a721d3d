"""Browser-test fixtures: Chromium through pytest-playwright, and the real ASGI app under Daphne.

- ``daphne_server``: the application as production runs it (``expo.asgi:application`` served by
  Daphne, HTTP and websockets) in a subprocess, on the pytest-django test database, with e-mail
  written to files that ``daphne_server.outbox()`` reads back. Each test that asks for it gets
  ``transactional_db``: what the test writes through the ORM is committed, so the server sees it,
  and the tables are emptied after the test. One server process serves the whole session.
- ``page``: a fresh browser context and page for each test (1280×900, English, Asia/Jakarta), a
  10 s default timeout, and on failure a screenshot and the browser console in ``test-artifacts/``.

Browser tests need PostgreSQL (``scripts/services.sh start``, then
``DATABASE_URL=$TEST_POSTGRES_URL DJANGO_ALLOW_ASYNC_UNSAFE=true pytest -m e2e``): the server is
another process, and it cannot see an in-memory SQLite database.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
DEFAULT_TIMEOUT_MS = 10_000
SERVER_START_TIMEOUT_S = 30.0

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Django's filebased e-mail backend ends every message with this line.
MESSAGE_SEPARATOR = b"\n" + b"-" * 79 + b"\n"

expect.set_options(timeout=DEFAULT_TIMEOUT_MS)


@pytest.fixture(scope="session", autouse=True)
def _orm_allowed_beside_playwright() -> None:
    """Playwright's sync API keeps an event loop running in the test thread, so Django refuses the
    test's own ORM calls (fixtures, flushing the database) unless told that this is fine."""
    if not os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE"):  # Django accepts any non-empty value
        pytest.fail(
            "Browser tests need DJANGO_ALLOW_ASYNC_UNSAFE=true in the test process: run "
            "`DATABASE_URL=$TEST_POSTGRES_URL DJANGO_ALLOW_ASYNC_UNSAFE=true pytest -m e2e`.",
            pytrace=False,
        )


# --- Browser ---------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium (Playwright's own download is not reachable here), headless."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`.", pytrace=False
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": browser_type_launch_args.get("headless", True),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def base_url(pytestconfig: pytest.Config) -> str | None:
    """pytest-playwright 0.10 defines this as a method of a plugin class, which pytest 9 warns
    about (PytestRemovedIn10Warning, an error under this project's filterwarnings): same value,
    as a plain function."""
    return pytestconfig.getoption("--base-url") or pytestconfig.getini("base_url") or None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {
        **browser_context_args,
        "viewport": {"width": 1280, "height": 900},
        "locale": "en-US",
        "timezone_id": "Asia/Jakarta",
    }


def _slug(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", nodeid).strip("-")[-150:]


@pytest.fixture
def page(context, request: pytest.FixtureRequest):
    """A new page in a fresh context; on failure its screenshot and console go to test-artifacts/."""
    page = context.new_page()
    page.set_default_timeout(DEFAULT_TIMEOUT_MS)
    console: list[str] = []
    page.on("console", lambda msg: console.append(f"[{msg.type}] {msg.text}"))
    page.on("pageerror", lambda exc: console.append(f"[pageerror] {exc}"))
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is None or report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        stem = ARTIFACTS / f"FAILED-{_slug(request.node.nodeid)}"
        try:
            page.screenshot(path=f"{stem}.png", full_page=True)
        except Exception as exc:  # the page may be gone; the report still matters more
            console.append(f"[screenshot failed] {exc}")
        console.insert(0, f"url: {page.url}")
        Path(f"{stem}.console.txt").write_text("\n".join(console) + "\n")
        request.node.add_report_section(
            "teardown", "browser", f"screenshot: {stem}.png\n" + "\n".join(console)
        )


# --- The real server -------------------------------------------------------------------------
def _database_url(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    name = str(settings_dict["NAME"])
    if "sqlite" in engine:
        if name in ("", ":memory:") or "mode=memory" in name:
            pytest.fail(
                "Browser tests need DATABASE_URL pointing at PostgreSQL: the server runs in another "
                "process and cannot see an in-memory SQLite database. Start the services with "
                "`scripts/services.sh start`, then run "
                "`DATABASE_URL=$TEST_POSTGRES_URL DJANGO_ALLOW_ASYNC_UNSAFE=true pytest -m e2e` "
                "(scripts/test.sh does this).",
                pytrace=False,
            )
        return f"sqlite:///{name}"
    if "postgresql" not in engine:
        pytest.fail(f"Browser tests do not know how to share a {engine} database.", pytrace=False)
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(name, safe='')}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def sign_in(page, server: DaphneServer, user) -> None:
    """Log ``user`` in on ``page``: a session made in the test process, shared through the database
    the server reads (the login form itself has its own test)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": server.url}])


def email_text(message: EmailMessage) -> str:
    """The plain-text body of a message (the HTML one if there is no plain part)."""
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


def email_links(message: EmailMessage) -> list[str]:
    return re.findall(r"https?://[^\s<>\"']+", email_text(message))


@dataclass
class DaphneServer:
    url: str
    outbox_dir: Path
    log_path: Path
    process: subprocess.Popen = field(repr=False)

    def log(self, start: int = 0) -> str:
        with open(self.log_path, "rb") as fh:
            fh.seek(start)
            return fh.read().decode("utf-8", "replace")

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def outbox(self) -> list[EmailMessage]:
        """Every message the server sent since this test began, oldest first."""
        messages: list[EmailMessage] = []
        files = sorted(self.outbox_dir.glob("*.log"), key=lambda p: (p.stat().st_mtime_ns, p.name))
        for path in files:
            # Each message ends with the separator: what follows the last one is being written.
            for chunk in path.read_bytes().split(MESSAGE_SEPARATOR)[:-1]:
                messages.append(email.message_from_bytes(chunk, policy=email.policy.default))
        return messages

    def wait_for_mail(
        self,
        to: str | None = None,
        *,
        where: Callable[[EmailMessage], bool] | None = None,
        timeout: float = 10.0,
    ) -> EmailMessage:
        """The newest message to ``to`` (and matching ``where``), waiting a little for it."""
        deadline = time.monotonic() + timeout
        while True:
            found = [
                m
                for m in self.outbox()
                if (to is None or to.lower() in str(m["To"]).lower())
                and (where is None or where(m))
            ]
            if found:
                return found[-1]
            if time.monotonic() > deadline:
                subjects = [f"{m['To']}: {m['Subject']}" for m in self.outbox()]
                raise AssertionError(f"no e-mail to {to!r} arrived; the outbox holds {subjects}")
            time.sleep(0.1)

    def clear_outbox(self) -> None:
        for path in self.outbox_dir.glob("*"):
            path.unlink()


# The card payments of browser tests go to the real localstripe; its stand-in stripe.js serves the
# page. Keys are test values localstripe accepts; the webhook secret signs its events.
E2E_STRIPE = {
    "STRIPE_SECRET_KEY": "sk_test_umkm_e2e",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_umkm_e2e",
    "STRIPE_WEBHOOK_SECRET": "whsec_umkm_e2e",
}


@pytest.fixture(scope="session")
def daphne_server_env(stripe_api_base: str) -> dict[str, str]:
    """Extra environment for the server process: Stripe through localstripe.

    The server starts once per session, so an override belongs in this conftest, not a module.
    """
    return {
        **E2E_STRIPE,
        "STRIPE_API_BASE": stripe_api_base,
        "STRIPE_JS_URL": f"{stripe_api_base}/js.stripe.com/v3/",
    }


@pytest.fixture(scope="session")
def _daphne_process(django_db_setup, daphne_server_env: dict[str, str]) -> Iterator[DaphneServer]:
    from django.db import connection

    database_url = _database_url(connection.settings_dict)
    workdir = Path(tempfile.mkdtemp(prefix="umkm-e2e-"))
    outbox_dir = workdir / "outbox"
    outbox_dir.mkdir()
    log_path = workdir / "daphne.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "expo.settings",
        "DATABASE_URL": database_url,
        "EMAIL_URL": f"file://{outbox_dir}",
        "HUEY_IMMEDIATE": "1",
        "HUEY_SQLITE_PATH": str(workdir / "huey.sqlite3"),
        "DJANGO_DEBUG": "1",
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "PYTHONUNBUFFERED": "1",
        **daphne_server_env,
    }
    # The server should refuse ORM calls from async code, as in production.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(log_path, "wb")  # noqa: SIM115 - closed after the process ends
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
        + ["expo.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = DaphneServer(url=url, outbox_dir=outbox_dir, log_path=log_path, process=process)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while _get_status(f"{url}/healthz") != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                status = _get_status(f"{url}/healthz")
                pytest.fail(
                    f"Daphne did not become healthy at {url}/healthz (exit code {process.poll()}, "
                    f"last status {status}). Server log:\n{server.log()}",
                    pytrace=False,
                )
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def daphne_server(
    _daphne_process: DaphneServer, transactional_db, request: pytest.FixtureRequest
) -> Iterator[DaphneServer]:
    """The running server, with an empty outbox; its log is shown if the test fails."""
    server = _daphne_process
    if server.process.poll() is not None:
        pytest.fail(f"Daphne has exited. Server log:\n{server.log()}", pytrace=False)
    server.clear_outbox()
    log_start = server.log_size()
    yield server
    report = getattr(request.node, "rep_call", None)
    if report is None or report.failed:
        request.node.add_report_section("teardown", "daphne log", server.log(log_start))
