"""From Mollie's "paid" webhook to the document readable in the buyer's library.

The whole path over real sockets on 127.0.0.1, as in production with PAYMENT_PROVIDER=mollie:
the Mollie stand-in (tests/fakes/mollie.py) marks the payment paid and posts the webhook to a
Django server running in this process; the webhook view asks the stand-in back with the real
mollie-api-python client, payment_sync marks the payment and the order paid and grants the
entitlement; then the buyer's "Online lezen" page is fetched until it answers 200. The clock
runs from the control request to that 200 (and the entitlement is checked to be active). The
receipt and the stamped PDF are queued (database task backend, no worker), as they would wait
for the worker in production: they are not on the way to reading.

Reference, same run, same HTTP client and session: the cart page, a plain Django page with the
site's base template. SQLite in a temporary data folder (the embedded default).

    .venv/bin/python bench/webhook_to_library.py [--repeat 15]
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.recording import median_seconds, write  # noqa: E402
from tests.fakes.mollie import API_KEY, MollieStandIn  # noqa: E402

PAGES = 30


def _pdf(pages: int) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    width, height = A4
    for number in range(1, pages + 1):
        canvas.setFont("Helvetica-Bold", 16)
        canvas.drawString(60, height - 70, f"Hoofdstuk {number}: marketing en strategie")
        canvas.setFont("Helvetica", 10)
        for line in range(50):
            canvas.drawString(
                60, height - 100 - 14 * line, f"Regel {line} van pagina {number}: klant, markt, waarde."
            )
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _setup_django() -> None:
    os.environ.update(
        DATA_DIR=tempfile.mkdtemp(prefix="bench-webhook-"),
        DJANGO_SETTINGS_MODULE="config.settings",
        STUDYMARKET_TESTING="0",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        PAYMENT_PROVIDER="mollie",
        MOLLIE_API_KEY=API_KEY,
        MOLLIE_TIMEOUT_SECONDS="10",
    )
    for name in ("DATABASE_URL", "STUDYMARKET_ENV", "EMAIL_URL", "CACHE_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def _listing() -> Any:
    from django.core.files.base import ContentFile

    from studymarket.accounts.services import seller_profile_create, user_create
    from studymarket.catalog.services import (
        course_create,
        institution_create,
        listing_create,
        programme_create,
    )
    from studymarket.documents.services import document_create, document_version_extract
    from studymarket.selling.services import listing_publish

    seller = seller_profile_create(
        user=user_create(email="seller@bench.test", password="bench-wachtwoord-2026"), display_name="bench"
    )
    course = course_create(
        programme=programme_create(
            institution=institution_create(name="Hogeschool Bench", country="BE"), name="Bachelor Bench"
        ),
        name="Marketing",
    )
    document = document_create(
        seller=seller, file=ContentFile(_pdf(PAGES), name="bench.pdf"), original_name="bench.pdf"
    )
    assert document.current_version is not None
    document_version_extract(version=document.current_version, preview_page_count=2)
    listing = listing_create(
        seller=seller,
        document=document,
        course=course,
        title="Samenvatting Marketing (bench)",
        description="Een samenvatting om te meten.",
        document_type="summary",
        language="nl",
        academic_year="2025/2026",
        price_cents=949,
        preview_page_count=2,
    )
    return listing_publish(listing=listing)


class _Server:
    """The site on a free port, one thread per request (as the live server in the tests)."""

    def __init__(self) -> None:
        from django.core.handlers.wsgi import WSGIHandler
        from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

        class Quiet(WSGIRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadedWSGIServer(("127.0.0.1", 0), Quiet)
        self.httpd.set_app(WSGIHandler())
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _get(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def _post_json(url: str, body: bytes) -> bytes:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return bytes(response.read())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    _setup_django()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from studymarket.accounts.services import user_create
    from studymarket.library.selectors import entitlement_active_get
    from studymarket.orders.services import order_create
    from studymarket.payments.services import payment_start

    listing = _listing()
    server = _Server()
    standin = MollieStandIn().start()
    settings.SITE_URL = server.url
    settings.MOLLIE_API_ENDPOINT = standin.url
    reader_path = reverse("library:read", args=[listing.document_id])

    def buyer_ready(n: int) -> tuple[Any, str, str]:
        """A new buyer with an open Mollie payment, logged in; not timed."""
        buyer = user_create(email=f"koper{n}@bench.test", password="bench-wachtwoord-2026")
        payment = payment_start(order=order_create(buyer=buyer, listings=[listing]), method="ideal")
        client = Client()
        client.force_login(buyer)
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        return buyer, str(payment.provider_id), cookie

    def webhook_to_reader(buyer: Any, provider_id: str, cookie: str) -> float:
        start = time.perf_counter()
        answer = _post_json(f"{standin.url}/__control__/payments/{provider_id}/status", b'{"status": "paid"}')
        while _get(server.url + reader_path, cookie) != 200:
            time.sleep(0.001)  # only if the webhook were handled later than it was answered
        elapsed = time.perf_counter() - start
        if (
            b'"webhookStatus": 200' not in answer
            or entitlement_active_get(user=buyer, document_id=listing.document_id) is None
        ):
            raise RuntimeError(f"the webhook did not deliver: {answer!r}")
        return elapsed

    webhook_to_reader(*buyer_ready(0))  # warm-up
    times = [webhook_to_reader(*buyer_ready(n)) for n in range(1, args.repeat + 1)]
    median = statistics.median(times)

    _, _, cookie = buyer_ready(args.repeat + 1)
    cart_url = server.url + reverse("checkout:cart")
    reference_median, reference_times = median_seconds(lambda: _get(cart_url, cookie), repeat=args.repeat)

    standin.stop()
    server.stop()
    path = write(
        "webhook_to_library",
        figures={
            "webhook_to_reader_median_s": round(median, 4),
            "webhook_to_reader_times_s": [round(t, 4) for t in times],
            "document_pages": PAGES,
            "database": "sqlite",
        },
        reference={
            "plain_page": "GET the cart page (base template, session), same client and run",
            "median_s": round(reference_median, 4),
            "times_s": [round(t, 4) for t in reference_times],
        },
        ratio={"webhook_to_reader_vs_plain_page": round(median / reference_median, 1)},
        goal={"record": "median from the paid webhook to the document readable (issue 4); no target"},
    )
    print(f"webhook → readable: median {median * 1000:.1f} ms; plain page {reference_median * 1000:.1f} ms")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
