"""The error pages and the reader's "access ended" page in Chromium (issue 16): a missing page
answers 404 with the site's header and a Dutch message (English under /en/), with a search box
and the way back; a buyer on a staff page gets the 403 page; after a refund the reader says why
access ended; a visitor who opens a library link logs in and lands on that link."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from studymarket.library.services import entitlement_revoke
from tests.factories import UserFactory
from tests.logins import MODEL_BACKEND, PASSWORD
from tests.purchases import listing_with_pdf, purchase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
# Chromium reports every 4xx page load as a console error; those are what these tests open.
EXPECTED = ("the server responded with a status of 404", "the server responded with a status of 403")


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    context = browser.new_context(
        base_url=live_server.url, locale="nl-NL", viewport={"width": 1280, "height": 900}
    )
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A page that fails the test on any console error but the 4xx loads it is here to see."""
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not any(text in message.text for text in EXPECTED):
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(error.message))
    yield page
    assert not errors, errors


def _logged_in(context: BrowserContext, live_server: LiveServer, user) -> None:
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    session = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"error-{name}.png"), full_page=True)


def test_a_missing_page_is_dutch_with_the_header_search_and_the_way_back(live_server, page):
    response = page.goto("/bestaat-niet/")

    assert response is not None
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator(".site-header .brand")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Deze pagina bestaat niet (meer)")
    expect(page.get_by_role("link", name="← Terug naar de startpagina")).to_be_visible()
    expect(page.locator("#legal-links")).to_be_visible()
    _shot(page, "404")
    page.set_viewport_size({"width": 375, "height": 667})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(page, "404-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    box = page.get_by_label("Zoek op vak, vakcode, instelling of onderwerp")
    box.fill("marketing")
    with page.expect_navigation():
        box.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/zoeken/?q=marketing")
    expect(page.locator("h1")).to_contain_text("marketing")

    page.goto("/bestaat-niet/")
    page.get_by_role("link", name="← Terug naar de startpagina").click()
    expect(page).to_have_url(f"{live_server.url}/")


def test_a_missing_page_under_en_is_english(page):
    response = page.goto("/en/does-not-exist/")

    assert response is not None
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("This page does not exist (any more)")
    expect(page.get_by_role("link", name="← Back to the home page")).to_have_attribute("href", "/en/")
    expect(page.get_by_role("button", name="Search")).to_be_visible()
    _shot(page, "404-en")


def test_a_buyer_on_a_staff_page_gets_the_403_page(live_server, context, page):
    _logged_in(context, live_server, UserFactory(email="lotte@example.nl"))

    response = page.goto(reverse("support:upload_queue"))

    assert response is not None
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("Je hebt geen toegang tot deze pagina")
    expect(page.locator("main")).to_contain_text("Je bent ingelogd als lotte@example.nl")
    expect(page.locator(".site-header").get_by_role("button", name="Uitloggen")).to_be_visible()
    expect(page.get_by_role("button", name="Zoeken")).to_be_visible()
    _shot(page, "403")


def test_after_a_refund_the_reader_says_why_access_ended(live_server, context, page):
    buyer = UserFactory()
    listing = listing_with_pdf(title="Account Management Samenvatting", pages=2)
    line = purchase(buyer=buyer, listing=listing)
    assert line.entitlement_id is not None
    entitlement_revoke(entitlement_id=line.entitlement_id, reason="refund")
    _logged_in(context, live_server, buyer)

    response = page.goto(reverse("library:read", args=[listing.document_id]))

    assert response is not None
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("Je hebt geen toegang meer tot dit document")
    expect(page.locator("#access-ended")).to_contain_text(
        f"terugbetaald (bestelling {line.order.number}). Daarmee is je toegang geëindigd"
    )
    expect(page.locator("#access-ended img")).to_have_count(0)
    _shot(page, "access-ended")
    page.get_by_role("link", name="Je terugbetaling en de tevredenheidsgarantie").click()
    expect(page.locator("h1")).to_have_text("Tevredenheidsgarantie")
    page.go_back()
    page.get_by_role("link", name="Naar de documentpagina").click()
    expect(page).to_have_url(f"{live_server.url}{listing.get_absolute_url()}")


def test_a_visitor_opening_a_library_link_logs_in_and_lands_on_it(live_server, page):
    buyer = UserFactory(email="anna@example.nl")
    listing = listing_with_pdf(title="Account Management Samenvatting", pages=2)
    purchase(buyer=buyer, listing=listing)
    reader = reverse("library:read", args=[listing.document_id])

    page.goto(reader)

    expect(page.locator("main").get_by_label("E-mailadres")).to_be_visible()
    page.locator("main").get_by_label("E-mailadres").fill(buyer.email)
    page.locator("main").get_by_label("Wachtwoord").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(f"{live_server.url}{reader}")
    expect(page.get_by_role("heading", name="Account Management Samenvatting")).to_be_visible()
    expect(page.get_by_role("img", name="Pagina 1 van 2")).to_be_visible()
