"""The mixed traffic of bench/memory.py: visitors, a reader, a seller's uploads and new buyers'
purchases on the simulated provider, through the real server's pages and forms."""

import os
import random
import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bench.ingest import _text_pdf

USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)
SELLER = "demo-seller"
READERS = ["demo-reviewer"]
SEARCH_WORDS = [
    "samenvatting", "economie", "recht", "statistiek", "psychologie", "marketing", "anatomie",
    "oefenvragen", "tentamen", "management", "sql", "kostprijs", "strafrecht", "boekhouden", "xyzzy",
]  # fmt: skip
UPLOAD_EVERY_SECONDS = 45.0
PURCHASE_EVERY_SECONDS = 30.0


@dataclass
class Site:
    base: str
    pages: list[str]  # anonymous pages: home, listings, courses, institutions
    listing_ids: list[int]  # published listings a new buyer can buy
    password: str
    email_domain: str


def site_read(root: Path, environment: dict[str, str], base: str) -> Site:
    """The pages and listings, read from the demo data (Django set up in this process on the
    server's data folder and database)."""
    for key in ("DATA_DIR", "DJANGO_SETTINGS_MODULE", "STUDYMARKET_TESTING", "DATABASE_URL", "CACHE_URL"):
        if key in environment:
            os.environ[key] = environment[key]
        else:
            os.environ.pop(key, None)
    sys.path.insert(0, str(root))
    import django

    django.setup()
    from django.urls import reverse

    from studymarket.catalog.models import Listing
    from studymarket.storefront.demo.people import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD

    listings = list(
        Listing.objects.filter(status="published").select_related("course__programme__institution")
    )
    pages = {reverse("storefront:home")}
    for listing in listings:
        pages |= {
            listing.get_absolute_url(),
            listing.course.get_absolute_url(),
            listing.course.programme.institution.get_absolute_url(),
        }
    return Site(
        base=base,
        pages=sorted(pages),
        listing_ids=[listing.pk for listing in listings],
        password=DEMO_PASSWORD,
        email_domain=DEMO_EMAIL_DOMAIN,
    )


# --- Traffic ---------------------------------------------------------------------------------


class Traffic:
    """Client threads doing what visitors, buyers and a seller do, until ``deadline``."""

    def __init__(self, site: Site, deadline: float, seed: int = 14) -> None:
        self.site = site
        self.deadline = deadline
        self.counts: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.rng = random.Random(seed)
        self.next_upload = time.monotonic() + 5
        self.next_purchase = time.monotonic() + 10
        self.uploads = 0
        self.buyers = 0

    def _count(self, name: str, answer: requests.Response | None, ok: tuple[int, ...] = (200, 302)) -> None:
        with self.lock:
            self.counts[name] += 1
            if answer is None or answer.status_code not in ok:
                self.errors[f"{name} {answer.status_code if answer is not None else 'error'}"] += 1

    def _session(self) -> requests.Session:
        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        return session

    def _get(
        self, session: requests.Session, name: str, path: str, **kwargs: Any
    ) -> requests.Response | None:
        try:
            answer = session.get(self.site.base + path, timeout=120, allow_redirects=False, **kwargs)
        except requests.RequestException:
            answer = None
        self._count(name, answer)
        return answer

    def _post(
        self,
        session: requests.Session,
        name: str,
        path: str,
        data: dict[str, str],
        ok: tuple[int, ...] = (200, 302),
        **kwargs: Any,
    ) -> requests.Response | None:
        token = session.cookies.get("csrftoken") or ""
        headers = {"Referer": self.site.base + path, "X-CSRFToken": token}
        data = {"csrfmiddlewaretoken": token, **data}
        try:
            answer = session.post(
                self.site.base + path,
                data=data,
                headers=headers,
                timeout=120,
                allow_redirects=False,
                **kwargs,
            )
        except requests.RequestException:
            answer = None
        self._count(name, answer, ok)
        return answer

    def log_in(self, account: str) -> requests.Session:
        session = self._session()
        self._get(session, "login page", "/account/inloggen/")
        self._post(
            session,
            "log in",
            "/account/inloggen/",
            {"username": f"{account}@{self.site.email_domain}", "password": self.site.password},
        )
        return session

    # One step of a visitor, a reader, a seller or a buyer.

    def browse(self, session: requests.Session) -> None:
        for path in self.rng.sample(self.site.pages, k=min(5, len(self.site.pages))):
            self._get(session, "page", path)
        word = self.rng.choice(SEARCH_WORDS)
        self._get(session, "search", "/zoeken/", params={"q": word})
        self._get(
            session, "suggest", "/zoeken/suggesties/", params={"q": word[:4]}, headers={"HX-Request": "true"}
        )

    def read(self, session: requests.Session, document_id: int | None = None) -> None:
        library = self._get(session, "library", "/mijn-documenten/")
        if library is None:
            return
        documents = sorted({int(m) for m in re.findall(r"/mijn-documenten/(\d+)/lezen/", library.text)})
        if document_id is None and documents:
            document_id = self.rng.choice(documents)
        if document_id is None:
            return
        reader = self._get(session, "reader", f"/mijn-documenten/{document_id}/lezen/")
        if reader is None:
            return
        images = re.findall(r'src="(/mijn-documenten/\d+/v\d+/\d+-\d+\.webp)"', reader.text)
        for image in self.rng.sample(images, k=min(4, len(images))):
            # Now and then a wider one: the reader's srcset asks for these on a large screen.
            if self.rng.random() < 0.3:
                image = re.sub(r"-(\d+)\.webp$", "-1600.webp", image)
            self._get(session, "page image", image)

    def upload(self, seller: requests.Session) -> None:
        with self.lock:
            self.uploads += 1
            number = self.uploads
        pages = self.rng.choice([30, 60, 100, 150])
        pdf = _text_pdf(pages, images=number % 3 == 0, seed=1000 + number + self.rng.randrange(10**6))
        self._get(seller, "upload page", "/verkopen/uploaden/")
        answer = self._post(
            seller,
            "upload",
            "/verkopen/uploaden/",
            {},
            files={"file": (f"samenvatting-{number}.pdf", pdf, "application/pdf")},
        )
        match = re.search(
            r"/verkopen/documenten/(\d+)/",
            (answer.headers.get("Location", "") + answer.headers.get("HX-Redirect", ""))
            if answer is not None
            else "",
        )
        if match is None:
            return
        for _ in range(120):  # the processing status, as the seller's page polls it
            status = self._get(seller, "upload status", f"/verkopen/documenten/{match.group(1)}/status/")
            if (
                status is None
                or "verwerkt:" in status.text
                or "online" in status.text
                or time.monotonic() > self.deadline
            ):
                break
            time.sleep(2)

    def purchase(self) -> None:
        with self.lock:
            self.buyers += 1
            number = self.buyers
        buyer = self._session()
        email = f"bench-buyer-{number}-{os.getpid()}@example.nl"
        self._get(buyer, "signup page", "/account/aanmelden/")
        self._post(
            buyer,
            "sign up",
            "/account/aanmelden/",
            {
                "email": email,
                "first_name": "Bench",
                "last_name": f"Koper {number}",
                "password": "een lang en geheim wachtwoord 2026",
                "password_confirm": "een lang en geheim wachtwoord 2026",
            },
        )
        listing_id = self.rng.choice(self.site.listing_ids)
        self._post(buyer, "add to cart", f"/winkelwagen/toevoegen/{listing_id}/", {})
        checkout = self._get(buyer, "checkout page", "/winkelwagen/afrekenen/")
        token = (
            re.search(r'name="checkout_token" value="([^"]+)"', checkout.text)
            if checkout is not None
            else None
        )
        if token is None:
            with self.lock:
                self.errors["checkout token missing"] += 1
            return
        paid = self._post(
            buyer,
            "checkout",
            "/winkelwagen/afrekenen/",
            {
                "checkout_token": token.group(1),
                "method": "ideal",
                "consent_immediate_delivery": "on",
                "acknowledge_withdrawal_ends": "on",
            },
        )
        provider = paid.headers.get("Location", "") if paid is not None else ""
        if "/betalen/demo/" not in provider:
            with self.lock:
                self.errors["no simulated payment page"] += 1
            return
        path = provider.removeprefix(self.site.base)
        self._get(buyer, "provider page", path)
        back = self._post(buyer, "pay", path, {"outcome": "paid"})
        if back is not None and back.headers.get("Location"):
            self._get(buyer, "payment return", back.headers["Location"].removeprefix(self.site.base))
        library = self._get(buyer, "library", "/mijn-documenten/")
        documents = re.findall(r"/mijn-documenten/(\d+)/lezen/", library.text) if library is not None else []
        if documents:
            self.read(buyer, int(documents[0]))
            # The stamped copy: asked for, built by the worker, then downloaded.
            download = f"/mijn-documenten/{documents[0]}/pdf/"
            for _ in range(30):  # 202 and a "being made" page until the copy is ready
                answer = self._post(buyer, "download", download, {}, ok=(200, 202))
                if answer is None or answer.status_code != 202:
                    break
                time.sleep(2)

    def client(self, index: int) -> None:
        visitor = self._session()
        reader = self.log_in(READERS[index % len(READERS)])
        seller = self.log_in(SELLER) if index == 0 else None
        while time.monotonic() < self.deadline:
            now = time.monotonic()
            if seller is not None and now >= self.next_upload:
                self.next_upload = now + UPLOAD_EVERY_SECONDS
                self.upload(seller)
                self._get(seller, "dashboard", "/verkopen/")
            elif index == 1 and now >= self.next_purchase:
                self.next_purchase = now + PURCHASE_EVERY_SECONDS
                self.purchase()
            elif self.rng.random() < 0.7:
                self.browse(visitor)
            else:
                self.read(reader)
            if self.rng.random() < 0.02:
                visitor = self._session()  # a new visitor: a new session and cart

    def run(self, threads: int) -> None:
        workers = [threading.Thread(target=self.client, args=(i,), daemon=True) for i in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=max(0.0, self.deadline - time.monotonic()) + 300)
