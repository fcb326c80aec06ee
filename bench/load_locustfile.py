"""The visitors of bench/load.py's mixed workload, for locust (run by bench/load.py as a separate
process: gevent's monkey-patching must stay out of the process that runs the cluster).

The plan comes from bench/load.py as a JSON file named by LOAD_PLAN: the site's prepared
listings, buyers and the Mollie stand-in's address (scale/ops.py's prepare, plus what
bench/load.py did before the run). The site's certificate (self-signed, made for the run) is
trusted through LOAD_CA, as a browser trusts the public CAs.

User classes (bench/load.py names the ones to run on locust's command line):
- Visitor: anonymous; home, a listing, search, add to cart (a POST with Django's CSRF check).
- Buyer: signed in, has paid; the library page, and a download: POST, a 302 to a pre-signed
  URL, and the GET of that URL from the object store.
- Payer: signed in, an open Mollie payment; pays at the stand-in (whose webhook is handled by a
  web process before the stand-in answers), then asks the order's status as the return page does.
  Paced (a purchase each PAYER_PACING_SECONDS per payer): each open payment is paid once, and a
  run must not use up the prepared ones.
- Floor: /healthz only, the cheapest answer through nginx and Django: the reference.
"""

import itertools
import json
import os
import secrets
import ssl
from collections.abc import Callable, Iterator
from typing import Any

from locust import constant, constant_pacing, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

PAYER_PACING_SECONDS = 1.0
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)


def _plan() -> dict[str, Any]:
    path = os.environ.get("LOAD_PLAN")
    if not path:
        raise SystemExit("LOAD_PLAN names the plan's JSON file (bench/load.py writes it)")
    with open(path, encoding="utf-8") as plan_file:
        return dict(json.load(plan_file))


PLAN = _plan()
COOKIES: dict[str, str] = PLAN["cookies"]
# One locust process: these iterators are shared by its users (gevent: no thread races).
_open_payments: Iterator[dict[str, Any]] = iter(PLAN["open_buyers"])
_turn = itertools.count()


def _tls() -> Callable[[], ssl.SSLContext]:
    certificate = os.environ["LOAD_CA"]

    def context() -> ssl.SSLContext:
        import gevent.ssl  # type: ignore[import-untyped]

        made: ssl.SSLContext = gevent.ssl.create_default_context(cafile=certificate)
        return made

    return context


class _Site(FastHttpUser):
    abstract = True
    insecure = False
    ssl_context_factory = staticmethod(_tls())
    # One kept-alive connection per user, as a browser tab: a TLS handshake per request would
    # measure the handshake.
    concurrency = 1
    default_headers = {"User-Agent": USER_AGENT}

    def headers(self, session: str | None = None) -> dict[str, str]:
        """Cookie and CSRF headers: the session (signed in) and a CSRF secret of our own, sent as
        cookie and header (Django accepts the unmasked secret when both match)."""
        token = self.csrf_token
        cookie = f"{COOKIES['csrf']}={token}"
        if session:
            cookie += f"; {COOKIES['session']}={session}"
        return {"Cookie": cookie, "X-CSRFToken": token, "Referer": f"{self.host}/"}

    def on_start(self) -> None:
        self.csrf_token = secrets.token_hex(16)
        self.number = next(_turn)


class Visitor(_Site):
    """Anonymous: the public pages, and a document into the cart."""

    weight = 6
    wait_time = constant(0)

    def on_start(self) -> None:
        super().on_start()
        self.session: str | None = None  # the cart's anonymous session, once the site made one

    def _listing(self) -> tuple[int, str]:
        self.number += 1
        listing: dict[str, Any] = PLAN["listings"][self.number % len(PLAN["listings"])]
        return int(listing["id"]), str(listing["path"])

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="home")

    @task(4)
    def listing(self) -> None:
        self.client.get(self._listing()[1], name="listing")

    @task(2)
    def search(self) -> None:
        words = PLAN["search"] if self.number % 2 else "samenvatting"
        self.client.get("/zoeken/", params={"q": words}, name="search")

    @task(1)
    def cart_add(self) -> None:
        listing_id, _ = self._listing()
        with self.client.post(
            f"/winkelwagen/toevoegen/{listing_id}/",
            headers=self.headers(self.session),
            allow_redirects=False,
            name="cart add",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"HTTP {response.status_code}, not the redirect back to the listing")
                return
            made = _cookie(response.headers.get("Set-Cookie", ""), COOKIES["session"])
            if made:
                self.session = made


def _cookie(header: str, name: str) -> str | None:
    for part in header.replace(",", ";").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value
    return None


class Buyer(_Site):
    """Signed in, with a paid document: the library and a download of the stamped copy."""

    weight = 3
    wait_time = constant(0)

    def on_start(self) -> None:
        super().on_start()
        buyers = PLAN["library_buyers"]
        self.buyer: dict[str, Any] = buyers[self.number % len(buyers)]

    @task(2)
    def library(self) -> None:
        self.client.get("/mijn-documenten/", headers=self.headers(self.buyer["session"]), name="library")

    @task(1)
    def download(self) -> None:
        with self.client.post(
            self.buyer["download"],
            headers=self.headers(self.buyer["session"]),
            allow_redirects=False,
            name="download",
            catch_response=True,
        ) as response:
            location = response.headers.get("Location") if response.status_code == 302 else None
            if not location:
                response.failure(f"HTTP {response.status_code}, not a redirect to a pre-signed URL")
                return
        # The object store, not the site: no cookies, as a browser sends none to another host.
        with self.client.get(location, name="download: object store", catch_response=True) as stored:
            if stored.status_code == 200 and not (stored.content or b"").startswith(b"%PDF"):
                stored.failure("not a PDF")


class Payer(_Site):
    """Pays an open order at the stand-in; Mollie's webhook confirms it at a web process."""

    fixed_count = 1
    wait_time = constant_pacing(PAYER_PACING_SECONDS)

    @task
    def checkout(self) -> None:
        one = next(_open_payments, None)
        if one is None:
            raise StopUser()  # every prepared payment is paid: this payer is done
        with self.client.post(
            f"{PLAN['mollie']}/__control__/payments/{one['payment']}/status",
            json={"status": "paid"},
            name="checkout + webhook",
            catch_response=True,
        ) as response:
            delivered = (response.json() or {}).get("webhookStatus") if response.status_code == 200 else None
            if delivered != 200:
                response.failure(f"stand-in HTTP {response.status_code}, webhook answered {delivered}")
                return
        self.client.get(
            f"/winkelwagen/bestelling/{one['order']}/status/",
            headers=self.headers(one["session"]),
            name="order status",
        )


class Floor(_Site):
    """The reference: the cheapest answer through nginx and Django."""

    wait_time = constant(0)

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="healthz")
