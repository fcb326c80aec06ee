"""The site's frame in Chromium (issue 16): the header in one row at 1,280 px for a signed-in
seller, compact on a 375 px phone with its links under "Menu" (no script needed), one search box
on the search page, "Beheer" for staff; every page a student meets fits a 375 px screen, prices
never break after the euro sign, and the reader shows a page on a phone's first screen."""

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from studymarket.accounts.models import User
from studymarket.catalog.models import Bundle, Listing
from studymarket.storefront.demo.listings import REFERENCE_JSON
from studymarket.storefront.demo.people import REFERENCE_REVIEWER, REFERENCE_SELLER
from tests.browser.demo import demo_data_loaded
from tests.factories import UserFactory
from tests.logins import MODEL_BACKEND

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PHONE: ViewportSize = {"width": 375, "height": 667}
LAPTOP: ViewportSize = {"width": 1280, "height": 900}
# Every text that reads as an amount, and whether the browser laid it out on more than one line.
WRAPPED_PRICES = r"""() => {
  const wrapped = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.textContent.matchAll(/€\s[\d.]+,\d\d/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (lines.size > 1) wrapped.push(`${match[0]} in ${node.parentElement.outerHTML.slice(0, 80)}`);
    }
  }
  return wrapped;
}"""


@dataclass(frozen=True)
class Demo:
    listing: Listing
    buyer: User
    seller: User
    staff: User


@pytest.fixture
def demo() -> Demo:
    demo_data_loaded()
    reference = json.loads(REFERENCE_JSON.read_text(encoding="utf-8"))["listing"]
    return Demo(
        listing=Listing.objects.select_related("course").get(title=reference["title"]),
        buyer=User.objects.get(email=REFERENCE_REVIEWER.email),  # bought the reference listing
        seller=User.objects.get(email=REFERENCE_SELLER.email),
        staff=UserFactory(email="kim@example.nl", is_staff=True),
    )


def _context(
    browser: Browser, server: LiveServer, user: User | None, viewport: ViewportSize
) -> BrowserContext:
    context = browser.new_context(base_url=server.url, locale="nl-NL", viewport=viewport)
    if user is not None:
        client = Client()
        client.force_login(user, backend=MODEL_BACKEND)
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url}]
        )
    return context


def _open(context: BrowserContext, path: str) -> Page:
    page = context.new_page()
    page.set_default_timeout(10_000)
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, path
    return page


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"layout-{name}.png"))


def test_every_page_fits_a_375_px_phone(live_server, browser, demo):
    listing = demo.listing
    pages = [
        ("home", reverse("storefront:home"), None),
        ("search", reverse("search:search") + "?q=account+management", None),
        ("course", listing.course.get_absolute_url(), None),
        ("listing", listing.get_absolute_url(), None),
        ("cart", reverse("checkout:cart"), None),
        ("login", reverse("accounts:login"), None),
        ("library", reverse("library:index"), demo.buyer),
        ("reader", reverse("library:read", args=[listing.document_id]), demo.buyer),
        ("upload", reverse("selling:sell_upload"), demo.seller),
        ("dashboard", reverse("selling:sell_dashboard"), demo.seller),
        # Issue 17: a bundle, the seller's bundles and codes, the API tokens.
        ("bundle", Bundle.objects.get().get_absolute_url(), None),
        ("bundles", reverse("selling:sell_bundles"), demo.seller),
        ("codes", reverse("promotions:codes"), demo.seller),
        ("tokens", reverse("accounts:tokens"), demo.seller),
    ]
    contexts: dict[int | None, BrowserContext] = {}
    too_wide, wrapped = [], []
    try:
        for name, path, user in pages:
            key = user.pk if user else None
            if key not in contexts:
                contexts[key] = _context(browser, live_server, user, PHONE)
            page = _open(contexts[key], path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > page.evaluate("window.innerWidth"):
                too_wide.append(f"{name} ({path}): {width} px")
            wrapped += [f"{name}: {text}" for text in page.evaluate(WRAPPED_PRICES)]
            _shot(page, f"375-{name}")
            page.close()
    finally:
        for context in contexts.values():
            context.close()
    assert not too_wide, "Wider than a 375 px screen: " + ", ".join(too_wide)
    assert not wrapped, "Prices broken over two lines: " + "; ".join(wrapped)


def test_the_header_is_one_row_at_1280_px_for_a_seller(live_server, browser, demo):
    context = _context(browser, live_server, demo.seller, LAPTOP)
    try:
        page = _open(context, reverse("storefront:home"))
        nav = page.locator(".site-header nav")
        parts = [
            nav.locator(".brand"),
            page.locator("#header-q"),
            nav.get_by_role("link", name="Mijn documenten"),
            nav.get_by_role("link", name="Mijn verkopen"),
            nav.get_by_role("link", name="Mijn gegevens"),
            nav.get_by_role("button", name="Uitloggen"),
            nav.get_by_role("button", name="English"),
            page.locator("#cart-count"),
        ]
        boxes = []
        for part in parts:
            expect(part).to_be_visible()
            box = part.bounding_box()
            assert box is not None
            boxes.append(box)
        middles = [box["y"] + box["height"] / 2 for box in boxes]
        assert max(middles) - min(middles) < 8, middles  # one row
        nav_box = nav.bounding_box()
        assert nav_box is not None
        assert nav_box["height"] < 80
        assert all(box["x"] + box["width"] <= nav_box["x"] + nav_box["width"] + 1 for box in boxes)
        # The search box is a usable width and nothing of it is cut off (its right edge is round).
        search = page.locator("#header-q")
        assert boxes[1]["width"] >= 250
        assert search.evaluate("input => getComputedStyle(input).borderTopRightRadius") != "0px"
        assert page.get_by_role("link", name="Beheer").count() == 0
        _shot(page, "1280-seller")
    finally:
        context.close()


def test_staff_see_beheer(live_server, browser, demo):
    context = _context(browser, live_server, demo.staff, LAPTOP)
    try:
        page = _open(context, reverse("storefront:home"))
        link = page.locator(".site-header").get_by_role("link", name="Beheer")
        expect(link).to_be_visible()
        expect(link).to_have_attribute("href", "/beheer/")
        box = page.locator(".site-header nav").bounding_box()
        assert box is not None
        assert box["height"] < 80  # still one row
        _shot(page, "1280-staff")
    finally:
        context.close()


def test_the_phone_header_is_compact_with_a_menu(live_server, browser, demo):
    context = _context(browser, live_server, demo.seller, PHONE)
    try:
        page = _open(context, reverse("storefront:home"))
        header = page.locator(".site-header")
        box = header.bounding_box()
        assert box is not None
        assert box["height"] <= 130
        expect(page.locator("#header-q")).to_be_visible()
        expect(page.locator("#cart-count")).to_be_visible()
        menu_link = header.get_by_role("link", name="Mijn verkopen")
        expect(menu_link).to_be_hidden()
        _shot(page, "375-header")
        header.get_by_text("Menu", exact=True).click()
        expect(menu_link).to_be_visible()
        expect(header.get_by_role("button", name="Uitloggen")).to_be_visible()
        _shot(page, "375-menu")
        menu_link.click()
        expect(page).to_have_url(f"{live_server.url}{reverse('selling:sell_dashboard')}")
    finally:
        context.close()


def test_the_menu_works_without_javascript(live_server, browser, demo):
    context = browser.new_context(
        base_url=live_server.url, locale="nl-NL", viewport=PHONE, java_script_enabled=False
    )
    try:
        page = _open(context, reverse("storefront:home"))
        page.locator(".site-menu summary").click()
        link = page.locator(".site-menu").get_by_role("link", name="Start met verkopen")
        expect(link).to_be_visible()
        expect(page.locator(".site-menu").get_by_role("link", name="Inloggen")).to_be_visible()
    finally:
        context.close()


def test_the_search_page_has_one_search_box(live_server, browser, demo):
    context = _context(browser, live_server, None, LAPTOP)
    try:
        page = _open(context, reverse("search:search") + "?q=account+management")
        expect(page.locator("input[type=search]")).to_have_count(1)
        expect(page.locator("#search-page-q")).to_have_value("account management")
        expect(page.locator("#header-q")).to_have_count(0)
        # Elsewhere the header keeps its own.
        page.goto(demo.listing.get_absolute_url())
        expect(page.locator("#header-q")).to_be_visible()
    finally:
        context.close()


def test_the_reader_shows_a_page_on_a_phones_first_screen(live_server, browser, demo):
    context = _context(browser, live_server, demo.buyer, PHONE)
    try:
        page = _open(context, reverse("library:read", args=[demo.listing.document_id]))
        first = page.locator("#pagina-1")
        expect(first).to_be_visible()
        box = first.bounding_box()
        assert box is not None
        # At least a quarter of the screen is the document's first page, before any scrolling.
        assert PHONE["height"] - box["y"] >= PHONE["height"] / 4, box
        _shot(page, "375-reader")
    finally:
        context.close()


def test_favicon_ico_is_there(live_server, browser):
    context = browser.new_context(base_url=live_server.url)
    try:
        response = context.request.get("/favicon.ico")
        assert response.status == 200
        assert response.headers["content-type"].startswith("image/svg+xml")
    finally:
        context.close()
