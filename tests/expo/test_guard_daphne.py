"""The request guard on a real Daphne, started the way scripts/serve.sh starts it (the same flags),
on a free port, with the test's PostgreSQL database: a 100 MB body is refused without the process
growing, a chunked body over the limit is cut off, an upload at its page's maximum still works, a
20 kB query string gets 414, and a forged X-Forwarded-For does not escape allauth's per-IP limit on
failed logins, with no trusted proxy and with one.
"""

from __future__ import annotations

import http.client
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.test import Client
from PIL import Image, PngImagePlugin

from booths import images
from booths.models import Product, VendorMembership
from booths.services import MAX_PRODUCT_IMAGES
from tests.e2e.conftest import _database_url, _free_port, _get_status

# django_db: the test database must exist for the servers even when a test writes nothing to it.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 30.0
MB = 1024 * 1024
# Failed logins per address before allauth refuses (its ``login_failed`` key, per IP). The
# project keeps allauth's default (10 a minute); a day here, so that no slow run can outwait it.
FAILED_LOGINS = 5
SETTINGS = (
    "from expo.settings import *  # noqa: F403\n"
    f'ACCOUNT_RATE_LIMITS = {{"login_failed": "{FAILED_LOGINS}/d/ip"}}\n'
)
TOO_MANY = "Too many failed login attempts"


def serve_flags() -> list[str]:
    """The flags scripts/serve.sh gives Daphne, without the address and the application."""
    line = next(
        line
        for line in (ROOT / "scripts" / "serve.sh").read_text().splitlines()
        if not line.lstrip().startswith("#") and re.search(r"\bdaphne\b", line)
    )
    words = shlex.split(line)[1:]
    flags, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word in {"-b", "-p", "--bind", "--port"}:
            skip = True
        elif word != "expo.asgi:application":
            flags.append(word)
    return flags


@dataclass
class Server:
    host: str
    port: int
    process: subprocess.Popen
    log_path: Path

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=120)

    def request(
        self, method: str, path: str, *, body=None, headers: dict[str, str] | None = None
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = self.connect()
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def memory_mb(self, field: str = "VmRSS") -> float:
        """The process's resident memory now (VmRSS), or at its highest so far (VmHWM)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
        raise AssertionError(f"no {field}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


@pytest.fixture(scope="module")
def daphnes(django_db_setup) -> Iterator[dict[int, Server]]:
    """Two servers as serve.sh starts them: no trusted proxy (0), and nginx in front (1)."""
    from django.db import connection

    database_url = _database_url(connection.settings_dict)
    if not database_url.startswith("postgres"):
        pytest.fail(
            "The server is another process: run with DATABASE_URL pointing at PostgreSQL.",
            pytrace=False,
        )
    workdir = Path(tempfile.mkdtemp(prefix="umkm-guard-"))
    (workdir / "guard_settings.py").write_text(SETTINGS)
    servers: dict[int, Server] = {}
    with ExitStack() as stack:
        for trusted in (0, 1):
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "guard_settings",
                "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT)]),
                "DATABASE_URL": database_url,
                "TRUSTED_PROXY_COUNT": str(trusted),
                "EMAIL_URL": f"file://{workdir / 'outbox'}",
                "HUEY_IMMEDIATE": "1",
                "HUEY_SQLITE_PATH": str(workdir / f"huey-{trusted}.sqlite3"),
                "DJANGO_DEBUG": "1",
                "MEDIA_ROOT": str(workdir / "media"),
                "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
                "PYTHONUNBUFFERED": "1",
            }
            for name in ("REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "AWS_STORAGE_BUCKET_NAME"):
                env.pop(name, None)
            port = _free_port()
            log_path = workdir / f"daphne-{trusted}.log"
            log = stack.enter_context(open(log_path, "wb"))
            process = subprocess.Popen(
                [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
                + [*serve_flags(), "expo.asgi:application"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            servers[trusted] = Server("127.0.0.1", port, process, log_path)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            for server in servers.values():
                while _get_status(f"http://127.0.0.1:{server.port}/healthz") != 200:
                    if server.process.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"Daphne did not start:\n{server.log()}", pytrace=False)
                    time.sleep(0.1)
            yield servers
        finally:
            for server in servers.values():
                server.process.terminate()
            for server in servers.values():
                try:
                    server.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.process.kill()
                    server.process.wait()
            shutil.rmtree(workdir, ignore_errors=True)


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = "umkm-guard-boundary-7d1f"
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    for name, filename, data in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


# --- Bodies ------------------------------------------------------------------------------------


def test_a_100_mb_body_is_refused_and_the_server_does_not_grow(daphnes):
    server = daphnes[0]
    # Warm up: what the first requests import is not what the body costs.
    assert server.request("GET", "/healthz")[0] == 200
    server.request("POST", "/", body=b"x=1", headers={"Content-Type": "text/plain"})
    before, peak_before = server.memory_mb(), server.memory_mb("VmHWM")

    size = 100 * MB
    head = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
    )
    tail = b"\r\n--b--\r\n"
    piece = b"\n" * MB  # line breaks: the costliest body for a multipart parser

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(size // MB):
            yield piece
        yield tail

    length = len(head) + size + len(tail)
    status, headers, text = server.request(
        "POST",
        "/",
        body=body(),
        headers={
            "Content-Type": "multipart/form-data; boundary=b",
            "Content-Length": str(length),
        },
    )
    assert status == 413, (status, text[:300])
    assert text.startswith(b"413 Content Too Large")
    grown = server.memory_mb() - before
    assert grown < 50, f"Daphne grew by {grown:.0f} MB for a refused body"
    # Not even for a moment: the body was never held, in the parser or the application's queue.
    peak = server.memory_mb("VmHWM") - peak_before
    assert peak < 50, f"Daphne's peak grew by {peak:.0f} MB for a refused body"


def test_a_chunked_body_over_the_limit_is_cut_off(daphnes):
    server = daphnes[0]

    def chunks() -> Iterator[bytes]:
        for _ in range(3):
            yield b"x" * MB

    # No Content-Length: http.client sends the iterable with Transfer-Encoding: chunked.
    status, _headers, text = server.request(
        "POST", "/", body=chunks(), headers={"Content-Type": "application/octet-stream"}
    )
    assert status == 413, (status, text[:300])
    assert text.startswith(b"413 Content Too Large")


def photo_at_the_limit(seed: int) -> bytes:
    """A real PNG of exactly the upload limit: noise that does not compress, padded to the byte
    with a text chunk."""
    side = 1660
    pixels = os.urandom(side * side * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), pixels).save(out, format="PNG", compress_level=0)
    # A tEXt chunk costs 12 bytes of framing, the keyword and its NUL, then the text.
    room = images.MAX_UPLOAD_BYTES - len(out.getvalue()) - 12 - len(b"pad") - 1
    assert 0 <= room < 1024 * 1024
    info = PngImagePlugin.PngInfo()
    info.add_text("pad", "p" * room)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), pixels).save(
        out, format="PNG", compress_level=0, pnginfo=info
    )
    data = out.getvalue()
    assert len(data) == images.MAX_UPLOAD_BYTES, (seed, len(data))
    return data


@pytest.fixture
def vendor_booth(transactional_db, make_expo, make_booth, make_user):
    booth = make_booth(make_expo("open"), products=0)
    member = make_user()
    VendorMembership.objects.create(vendor=booth.vendor, user=member, role="owner")
    client = Client()
    client.force_login(member)
    return booth, client.cookies["sessionid"].value


def csrf_cookie(server: Server, path: str, session: str) -> str:
    status, headers, _ = server.request("GET", path, headers={"Cookie": f"sessionid={session}"})
    assert status == 200, status
    cookies = SimpleCookie()
    for name, value in headers:
        if name.lower() == "set-cookie":
            cookies.load(value)
    return cookies["csrftoken"].value


def test_an_upload_at_its_pages_maximum_still_works(daphnes, vendor_booth):
    """A new product with the most photos a product may have, each of the most bytes a photo may
    have: the whole body is within the page's limit and the product is made."""
    server = daphnes[0]
    booth, session = vendor_booth
    path = f"/vendor/{booth.vendor.slug}/booths/{booth.expo.slug}/products/new/"
    token = csrf_cookie(server, path, session)
    fields = {
        "csrfmiddlewaretoken": token,
        "name_en": "Tempe chips, 250 g",
        "name_id": "Keripik tempe, 250 g",
        "description_en": "Crisp.",
        "description_id": "Renyah.",
        "category": "snack",
        "price": "25.000",
        "stock": "40",
        "weight_grams": "250",
        "min_order": "1",
        "is_active": "on",
    }
    photos = [("photos", f"{n}.png", photo_at_the_limit(n)) for n in range(MAX_PRODUCT_IMAGES)]
    body, kind = multipart(fields, photos)
    assert len(body) > MAX_PRODUCT_IMAGES * images.MAX_UPLOAD_BYTES
    status, headers, text = server.request(
        "POST",
        path,
        body=body,
        headers={"Content-Type": kind, "Cookie": f"sessionid={session}; csrftoken={token}"},
    )
    assert status == 302, (status, text[:500], server.log())
    product = Product.objects.get(booth=booth)
    assert product.images.count() == MAX_PRODUCT_IMAGES


# --- Query strings -----------------------------------------------------------------------------


def test_a_20_kb_query_string_is_414(daphnes):
    status, headers, text = daphnes[0].request("GET", "/?q=" + "a" * 20_000)
    assert status == 414, (status, text[:300])
    assert text.startswith(b"414 Request-URI Too Long")


# --- Forged X-Forwarded-For --------------------------------------------------------------------


def failed_logins(server: Server, forwarded_for) -> list[bool]:
    """Failed logins, each with a new e-mail (so only the per-IP limit can stop them) and its own
    X-Forwarded-For; whether allauth refused each as one too many."""
    token = csrf_cookie(server, "/accounts/login/", "")
    refused = []
    for n in range(1, FAILED_LOGINS + 2):
        body = (
            f"csrfmiddlewaretoken={token}&login=nobody{n}%40example.com&password=wrong-password-1"
        )
        status, _headers, text = server.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={token}",
                "X-Forwarded-For": forwarded_for(n),
            },
        )
        assert status == 200, (status, text[:300])
        refused.append(TOO_MANY in text.decode())
    return refused


def test_behind_one_proxy_a_forged_left_most_address_is_still_limited(daphnes):
    """nginx appends the address it saw; the client wrote a new one in front each time."""
    refused = failed_logins(daphnes[1], lambda n: f"203.0.113.{n}, 198.51.100.7")
    assert refused == [False] * FAILED_LOGINS + [True]


def test_with_no_trusted_proxy_the_header_is_ignored(daphnes):
    refused = failed_logins(daphnes[0], lambda n: f"203.0.113.{n}")
    assert refused == [False] * FAILED_LOGINS + [True]
