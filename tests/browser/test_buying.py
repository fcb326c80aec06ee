"""The issue's "Done when", in Chromium as a new buyer would do it: the reference listing → "In
winkelwagen" → "Afrekenen" → sign up on that page → iDEAL → "Betalen" → pay → "Mijn documenten"
→ read it online → "Download PDF" (the buyer's name on every page) → write a review → the
listing shows it; and the receipt reached a real SMTP server.

Once with the simulated provider (the embedded default), once with the real Mollie client
against the local stand-in of Mollie's API (tests/fakes/mollie.py), whose webhook reaches the
live server.
"""

import json
import re
from collections.abc import Callable
from pathlib import Path

import pypdfium2
import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from studymarket.catalog.models import Listing
from studymarket.orders.models import Order, OrderStatus
from studymarket.payments.models import Payment, PaymentStatus
from studymarket.storefront.demo.listings import REFERENCE_JSON
from tests.browser.demo import demo_data_loaded
from tests.fakes.mollie import MollieStandIn, mollie, mollie_standin  # noqa: F401  (fixtures)
from tests.smtp import Inbox, message_parts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = json.loads(REFERENCE_JSON.read_text(encoding="utf-8"))["listing"]
EMAIL = "sanne.devries@example.nl"
PASSWORD = "een lang en geheim wachtwoord"
NAME = "Sanne de Vries"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
REVIEW = "Heldere samenvatting: alle hoofdstukken, met voorbeelden. Aanrader voor het examen."


@pytest.fixture
def site(settings, live_server: LiveServer, smtp_inbox: Inbox) -> LiveServer:
    """The demo data, and links (payment return, webhook, e-mail) that point at the live server."""
    settings.SITE_URL = live_server.url
    demo_data_loaded()
    return live_server


def _shooter(page: Page, prefix: str) -> Callable[..., None]:
    """Screenshots to tests/artifacts/<prefix>-<name>.png (git-ignored)."""

    def shot(name: str, *, full_page: bool = True) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{prefix}-{name}.png"), full_page=full_page)

    return shot


def _buy_and_use(
    page: Page,
    *,
    site: LiveServer,
    inbox: Inbox,
    shot: Callable[..., None],
    pay: Callable[[Page], None],
) -> None:
    listing = Listing.objects.get(title=REFERENCE["title"])
    reviews_before = listing.review_count

    # The listing → "In winkelwagen" → "Toegevoegd" (htmx), the cart count goes up.
    page.goto(listing.get_absolute_url())
    page.get_by_role("button", name="In winkelwagen").click()
    expect(page.get_by_role("button", name="Toegevoegd")).to_be_disabled()
    expect(page.locator("#cart-count")).to_have_text("1")
    page.get_by_role("link", name="Bekijk winkelwagen").click()
    expect(page.locator("h1")).to_have_text("Winkelwagen")
    expect(page.locator("#cart-total")).to_have_text("€ 9,49")
    expect(page.locator("#cart-vat")).to_have_text("€ 1,65")
    # Links drawn as buttons (Pico's role="button") are buttons to assistive technology too.
    page.get_by_role("button", name="Afrekenen").click()

    # "Afrekenen": sign up on the page itself, then choose iDEAL and pay.
    expect(page.locator("h1")).to_have_text("Afrekenen")
    signup = page.locator("article", has=page.get_by_role("heading", name="Nieuw bij studymarket?"))
    signup.get_by_label("E-mailadres").fill(EMAIL)
    signup.get_by_label("Voornaam").fill("Sanne")
    signup.get_by_label("Achternaam").fill("de Vries")
    signup.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    signup.get_by_label("Wachtwoord herhalen").fill(PASSWORD)
    shot("checkout-sign-up")
    signup.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_text("Welkom bij studymarket! Je account is aangemaakt.")).to_be_visible()
    expect(page.locator("#cart-total")).to_have_text("€ 9,49")  # the cart came along
    page.get_by_label("iDEAL").check()
    # The two boxes before "Betalen": consent to delivery at once, the right of withdrawal ending.
    page.get_by_label("Ik stem ermee in dat de levering").check()
    page.get_by_label("Ik begrijp dat ik daardoor mijn herroepingsrecht verlies").check()
    shot("checkout-pay")
    page.get_by_role("button", name="Betalen").click()

    pay(page)

    expect(page.locator("h1")).to_have_text("Betaling gelukt")
    order = Order.objects.get(buyer__email=EMAIL)
    assert order.status == OrderStatus.PAID
    assert list(order.payments.values_list("method", "status")) == [("ideal", PaymentStatus.PAID)]
    expect(page.get_by_role("heading", name=f"Bestelling {order.number}")).to_be_visible()
    shot("checkout-paid")

    # "Mijn documenten" → "Online lezen": the pages are there.
    page.get_by_role("button", name="Mijn documenten").click()
    expect(page.locator("h1")).to_have_text("Mijn documenten")
    expect(page.locator("#library")).to_contain_text(REFERENCE["title"])
    expect(page.locator("#library")).to_contain_text(f"bestelling {order.number}")
    shot("library")
    page.get_by_role("button", name="Online lezen").click()
    expect(page.locator("h1")).to_have_text(REFERENCE["title"])
    pages = page.locator("#reader figure.reader-page")
    expect(pages).to_have_count(REFERENCE["page_count"])
    first_image = pages.first.locator("img")
    width = first_image.evaluate(
        "img => img.complete ? img.naturalWidth : new Promise(done => {"
        " img.onload = () => done(img.naturalWidth); img.onerror = () => done(0); })"
    )
    assert width > 0
    shot("reader", full_page=False)  # 102 pages: the first screenful says enough

    # "Download PDF": the buyer's own copy, their name and the order on every page.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(f"-{order.number}.pdf")
    pdf = pypdfium2.PdfDocument(Path(download.path()).read_bytes())
    stamp = f"Gekocht door {NAME} · bestelling {order.number}"
    try:
        assert len(pdf) == REFERENCE["page_count"]
        for index in range(len(pdf)):
            text = pdf[index].get_textpage().get_text_range()
            assert stamp in " ".join(text.split()), f"page {index + 1} lacks the stamp"
    finally:
        pdf.close()

    # A review from the listing page; the listing shows it.
    page.goto(listing.get_absolute_url())
    expect(page.locator(f"#cart-button-{listing.pk}")).to_contain_text("Je hebt dit document al.")
    form = page.locator("#review-form")
    form.scroll_into_view_if_needed()
    form.get_by_label("5 sterren").check()
    form.get_by_label("Je review").fill(REVIEW)
    shot("review-form", full_page=False)
    form.get_by_role("button", name="Review plaatsen").click()
    expect(page.get_by_text("Bedankt voor je review.")).to_be_visible()
    expect(page.locator("#reviews .review").first).to_contain_text(REVIEW)
    expect(page.locator("#reviews .review")).to_have_count(reviews_before + 1)
    expect(page.locator("#review-form")).to_have_count(0)
    page.locator("#reviews").scroll_into_view_if_needed()
    shot("review-shown", full_page=False)
    listing.refresh_from_db()
    assert (listing.review_count, listing.sold_count) == (reviews_before + 1, REFERENCE["sold"] + 1)

    # The receipt, through the SMTP server (the demo's history sends none of its own).
    receipts = [m for m in inbox.messages if m["To"] == EMAIL]
    assert len(receipts) == 1
    (receipt,) = receipts
    assert receipt["Subject"] == f"Je bestelling {order.number} bij studymarket"
    library_url = site.url + reverse("library:index")
    for body in message_parts(receipt):
        assert library_url in body
        assert REFERENCE["title"] in body


def test_buy_read_download_and_review_with_the_simulated_provider(site, browser_page, smtp_inbox):
    def pay(page: Page) -> None:
        expect(page.locator("#demo-banner")).to_have_text("DEMO — er wordt geen geld overgemaakt")
        _shooter(page, "buying")("simulated-provider")
        page.get_by_role("button", name="Betaald").click()

    _buy_and_use(browser_page, site=site, inbox=smtp_inbox, shot=_shooter(browser_page, "buying"), pay=pay)


def test_buy_read_download_and_review_with_mollie(site, browser_page, smtp_inbox, mollie):  # noqa: F811
    # Chromium asks the stand-in's hosted page for an icon; the stand-in is an API, not a site.
    browser_page.route(f"{mollie.url}/favicon.ico", lambda route: route.fulfill(status=204))

    def pay(page: Page) -> None:
        expect(page).to_have_url(re.compile(re.escape(mollie.url) + r"/checkout/tr_\w+$"))
        _shooter(page, "buying-mollie")("standin")
        page.get_by_role("button", name="Paid").click()

    _buy_and_use(
        browser_page, site=site, inbox=smtp_inbox, shot=_shooter(browser_page, "buying-mollie"), pay=pay
    )
    payment = Payment.objects.get(order__buyer__email=EMAIL)
    assert (payment.provider, payment.provider_id is not None) == ("mollie", True)
