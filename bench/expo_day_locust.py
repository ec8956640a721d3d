"""The visitors of ``bench/expo_day.py``, for Locust (run by that bench, not by hand: it reads the
seeded expo from the JSON file named by ``$EXPO_DAY_CONFIG``).

Every user is sent to one of the Daphne processes (``bases``), as a load balancer would, and talks
to it as a browser behind the TLS proxy does: ``X-Forwarded-Proto: https``, an ``Origin`` on
POSTs, the Secure cookies sent back over the loopback's plain HTTP. Websocket users use the
``websocket-client`` package (gevent makes its sockets cooperative); their timings are reported to
Locust as requests of type ``WS``: ``join <kind>`` (connect to the history frame), ``chat message``
(a message's round trip to its sender) and ``chat delivery`` (from a message's send time, carried in
its body, to its arrival at each socket in the room).
"""

from __future__ import annotations

import contextlib
import html
import http.cookiejar
import itertools
import json
import os
import random
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import gevent
import websocket
from locust import HttpUser, User, between, events, task

CONFIG = json.loads(Path(os.environ["EXPO_DAY_CONFIG"]).read_text())
BASES = CONFIG["bases"]
SEARCH_WORDS = ("batik", "kopi", "coffee", "keripik", "madu", "tenun", "rotan", "sambal", "tas")
INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([a-zA-Z_:-]+)="([^"]*)"')
_turn = itertools.count()
_buyers = itertools.count()


def next_base() -> str:
    return BASES[next(_turn) % len(BASES)]


def hidden_value(page: str, name: str) -> str | None:
    for tag in INPUT.findall(page):
        attributes = dict(ATTRIBUTE.findall(tag))
        if attributes.get("name") == name:
            return html.unescape(attributes.get("value", ""))
    return None


class BehindProxy(http.cookiejar.DefaultCookiePolicy):
    """Secure cookies go back over the plain HTTP of 127.0.0.1, as through the TLS proxy."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return True


def record(name: str, started: float, exception: Exception | None = None, size: int = 0) -> None:
    events.request.fire(
        request_type="WS",
        name=name,
        response_time=(time.perf_counter() - started) * 1000,
        response_length=size,
        exception=exception,
        context={},
    )


class Browser(HttpUser):
    """An HTTP visitor on one server, with a browser's cookie jar."""

    abstract = True
    host = BASES[0]

    def __init__(self, environment) -> None:
        self.host = next_base()
        super().__init__(environment)
        self.origin = "https://" + self.host.split("://", 1)[1]
        self.client.headers.update({"Accept-Language": "en", "X-Forwarded-Proto": "https"})
        self.client.cookies.set_policy(BehindProxy())
        prepare = self.client.prepare_request

        def prepare_request(request):
            prepared = prepare(request)
            prepared.prepare_cookies(self.client.cookies)
            return prepared

        self.client.prepare_request = prepare_request

    def page(self, name: str, path: str) -> str:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return ""
            return response.text

    def post(self, name: str, path: str, data: dict, referer: str, **kwargs):
        headers = {"Origin": self.origin, "Referer": self.origin + referer}
        headers.update(kwargs.pop("headers", {}))
        return self.client.post(
            path, data=data, name=name, headers=headers, allow_redirects=False,
            catch_response=True, **kwargs,
        )  # fmt: skip


class Guest(Browser):
    """Browses the hall: the hall, searches, booths and products."""

    weight = 6
    wait_time = between(1, 3)

    @task(3)
    def hall(self) -> None:
        self.page("hall", f"/expos/{CONFIG['slug']}/")

    @task(2)
    def search(self) -> None:
        word = random.choice(SEARCH_WORDS)
        self.page("search", f"/expos/{CONFIG['slug']}/?q={word}")

    @task(3)
    def booth(self) -> None:
        self.page("booth", random.choice(CONFIG["booths"]))

    @task(4)
    def product(self) -> None:
        self.page("product", random.choice(CONFIG["products"])["path"])


class Shopper(Browser):
    """A product, the cart, the checkout page, an order paid by bank transfer, the order page."""

    weight = 1
    wait_time = between(2, 5)

    @task
    def buy(self) -> None:
        n = next(_buyers)
        product = random.choice(CONFIG["products"])
        page = self.page("product", product["path"])
        token = hidden_value(page, "csrfmiddlewaretoken")
        if not token:
            return
        form = {"csrfmiddlewaretoken": token, "product": product["id"], "quantity": 1,
                "next": product["path"]}  # fmt: skip
        with self.post("cart add", "/cart/add/", form, product["path"],
                       headers={"Accept": "application/json"}) as added:  # fmt: skip
            if added.status_code != 200:
                added.failure(f"{added.status_code}")
                return
        self.page("cart", "/cart/")
        checkout = f"/checkout/{CONFIG['slug']}/"
        page = self.page("checkout page", checkout)
        subtotal = hidden_value(page, "expected_subtotal")
        token = hidden_value(page, "csrfmiddlewaretoken")
        if not subtotal or not token:
            return
        form = {
            "csrfmiddlewaretoken": token, "email": f"day-guest{n}@example.com",
            "name": f"Guest {n}", "phone": f"+62 812 {n:08d}", "country": "ID",
            "address": "Jl. Pemuda 12", "city": "Semarang", "province": "Jawa Tengah",
            "state": "", "postal_code": "50132", "provider": "manual",
            "expected_subtotal": subtotal,
        }  # fmt: skip
        with self.post("checkout POST", checkout, form, checkout) as placed:
            location = placed.headers.get("Location", "")
            if placed.status_code != 302 or "/orders/" not in location:
                placed.failure(f"{placed.status_code} {location or placed.text[:120]}")
                return
        target = urlsplit(location)  # the order's page (its query names the guest's order)
        self.page("order page", target.path + (f"?{target.query}" if target.query else ""))


class Socket:
    """One websocket of a signed-in person, read by a greenlet of its own."""

    def __init__(self, base: str, session: str, kind: str, room: str) -> None:
        url = base.replace("http://", "ws://") + "/ws/"
        started = time.perf_counter()
        self.room = room
        self.mine: dict[str, float] = {}
        try:
            self.ws = websocket.create_connection(
                url, origin=base, cookie=f"{CONFIG['cookie']}={session}", timeout=30
            )
            self.ws.send(json.dumps({"type": "join", "room": room}))
            while json.loads(self.ws.recv()).get("type") != "history":
                pass
        except Exception as exc:
            record(f"join {kind}", started, exc)
            raise
        record(f"join {kind}", started)
        self.reader = gevent.spawn(self.read)

    def read(self) -> None:
        while True:
            try:
                raw = self.ws.recv()
            except Exception:
                return
            arrived = time.perf_counter()
            if '"type":"message"' in raw:
                frame = json.loads(raw)
                words = frame.get("body", "").split()
                if len(words) == 3 and words[0] == "day":
                    sent = float(words[2])
                    events.request.fire(request_type="WS", name="chat delivery",
                                        response_time=(arrived - sent) * 1000,
                                        response_length=len(raw), exception=None, context={})  # fmt: skip
                    if frame.get("client_id") in self.mine:
                        self.mine.pop(frame["client_id"])
                        record("chat message", sent)
            elif '"type":"error"' in raw:
                frame = json.loads(raw)
                self.mine.pop(frame.get("client_id", ""), None)
                events.request.fire(request_type="WS", name="chat message", response_time=0,
                                    response_length=0, context={},
                                    exception=RuntimeError(frame.get("code")))  # fmt: skip

    def say(self, n: int) -> None:
        client_id = f"c{id(self)}-{n}"
        self.mine[client_id] = time.perf_counter()
        body = f"day {n} {time.perf_counter():.6f}"
        message = {"type": "message", "room": self.room, "body": body, "client_id": client_id}
        self.ws.send(json.dumps(message))

    def close(self) -> None:
        self.reader.kill(block=False)
        with contextlib.suppress(Exception):
            self.ws.close(timeout=1)


class Chatter(User):
    """A signed-in buyer in a booth's chat: a message every 10–20 s."""

    abstract = True
    wait_time = between(10, 20)
    kind = "booth"

    def room(self) -> str:
        return random.choice(CONFIG["chat_rooms"])

    def on_start(self) -> None:
        session = CONFIG["buyers"][next(_buyers) % len(CONFIG["buyers"])]
        self.socket = None
        self.sent = 0
        self.socket = Socket(next_base(), session, self.kind, self.room())

    def on_stop(self) -> None:
        if self.socket is not None:
            self.socket.close()

    @task
    def chat(self) -> None:
        if self.socket is not None:
            self.sent += 1
            self.socket.say(self.sent)


class BoothChatter(Chatter):
    weight = 2


class SessionViewer(Chatter):
    """A signed-in buyer watching the live session: writes now and then."""

    weight = 1
    wait_time = between(20, 40)
    kind = "session"

    def room(self) -> str:
        return CONFIG["session_room"]


class Organiser(Browser):
    """The live dashboard open: the page, the omzet room, its figures every 5 s."""

    fixed_count = 1
    wait_time = between(4, 6)

    def on_start(self) -> None:
        self.client.cookies.set(CONFIG["cookie"], CONFIG["organiser"])
        self.page("dashboard", CONFIG["dashboard"])
        self.socket = Socket(self.host, CONFIG["organiser"], "omzet", f"omzet:{CONFIG['expo']}")

    def on_stop(self) -> None:
        self.socket.close()

    @task
    def figures(self) -> None:
        self.page("dashboard figures", CONFIG["dashboard"] + "figures/")
