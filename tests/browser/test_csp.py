"""The Content-Security-Policy in Chromium (issue 12, finding 4): the site's pages work under
the policy and the browser reports no violation, for a visitor, a buyer (search with
suggestions, cart, checkout, the simulated provider's page, the reader), a seller (upload,
earnings chart) and staff (back office, admin). A control shows the listener hears a violation.
"""

import json
import re
from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from studymarket.accounts.models import User
from studymarket.catalog.models import Listing
from studymarket.storefront.demo.listings import REFERENCE_JSON
from tests.browser.demo import demo_data_loaded
from tests.factories import UserFactory
from tests.logins import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE_TITLE = json.loads(REFERENCE_JSON.read_text(encoding="utf-8"))["listing"]["title"]

# Every securitypolicyviolation event of every document the page shows, handed to Python
# (exposed functions and init scripts are the browser's own, outside the page's policy).
_LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolation(`${event.effectiveDirective} refused ${event.blockedURI || "inline"}`
                      + ` at ${event.documentURI} (${event.sourceFile}:${event.lineNumber})`);
});
"""


class Watched:
    """A page of its own browser context, signed in as ``user`` (or not), whose CSP violations
    and console errors are collected."""

    def __init__(self, browser: Browser, server: LiveServer, user: User | None) -> None:
        self.context = browser.new_context(
            base_url=server.url, locale="nl-NL", viewport={"width": 1280, "height": 900}
        )
        if user is not None:
            client = Client()
            login(client, user)
            session = client.cookies["sessionid"].value
            self.context.add_cookies([{"name": "sessionid", "value": session, "url": server.url}])
        self.violations: list[str] = []
        self.errors: list[str] = []
        self.context.expose_function("cspViolation", lambda text: self.violations.append(text))
        self.context.add_init_script(_LISTEN)
        # The admin's pages name no icon, so Chromium asks for /favicon.ico: not this test's subject.
        self.context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.page.on(
            "console",
            lambda m: (
                self.errors.append(f"{m.text} ({m.location.get('url')})") if m.type == "error" else None
            ),
        )
        self.page.on("pageerror", lambda e: self.errors.append(e.message))

    def open(self, path: str) -> Page:
        response = self.page.goto(path)
        assert response is not None
        assert response.status == 200, path
        header = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in header, f"{path}: {header!r}"
        assert "unsafe" not in header, f"{path}: {header!r}"
        self.page.wait_for_load_state("load")
        return self.page

    def assert_clean(self) -> None:
        # Not "networkidle": pages that poll (order status, the PDF being made) never are. Violation
        # events are dispatched as tasks, a moment after the fact.
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(500)
        assert self.violations == []
        assert self.errors == []


@pytest.fixture
def watch(browser: Browser, live_server: LiveServer) -> Iterator[Callable[..., Watched]]:
    pages: list[Watched] = []

    def make(user: User | None = None) -> Watched:
        pages.append(Watched(browser, live_server, user))
        return pages[-1]

    yield make
    for watched in pages:
        watched.context.close()


def test_the_listener_hears_a_violation(watch):
    """The control: an inline script and an inline style are refused, and reported."""
    visitor = watch()
    page = visitor.open("/")
    ran = page.evaluate(
        """() => { const s = document.createElement("script"); s.textContent = "window.inlineRan = 1";
                   document.head.append(s); return window.inlineRan === 1; }"""
    )
    page.evaluate("""() => document.body.insertAdjacentHTML("beforeend", '<p style="color: red">x</p>')""")
    page.wait_for_timeout(300)
    assert ran is False
    assert any(v.startswith("script-src-elem refused inline") for v in visitor.violations), visitor.violations
    assert any(v.startswith("style-src-attr refused inline") for v in visitor.violations), visitor.violations


def test_no_page_meets_a_violation(settings, live_server, watch):
    """One test, so the demo data is loaded once: a visitor, a buyer, the seller, staff."""
    settings.SITE_URL = live_server.url
    demo_data_loaded()
    listing = Listing.objects.select_related("seller__user").get(title=REFERENCE_TITLE)

    visitor = watch()
    visitor.open("/")
    page = visitor.open(listing.get_absolute_url())
    expect(page.locator("#preview figure.preview-page img").first).to_be_visible()
    # The structured data is data: read, not executed, and not refused.
    data = json.loads(page.locator("#structured-data").text_content() or "")
    assert data["name"] == REFERENCE_TITLE
    # Search with suggestions (htmx), then the results page and a filter (htmx, history).
    page.locator("#header-q").fill("account")
    expect(page.locator("#header-suggestions .suggestion-search")).to_have_text("Zoek naar “account”")
    with page.expect_navigation():
        page.locator("#header-q").press("Enter")
    expect(page.locator("#hits .search-hit").first).to_be_visible()
    # A script may set a style through the CSSOM (allowed); htmx's swap then settles the new
    # heading without copying that style attribute over (setAttribute("style") is refused).
    page.locator("#search-heading").evaluate("heading => { heading.style.color = 'inherit'; }")
    page.locator("#facet-type a").first.click()
    expect(page).to_have_url(re.compile(r"&type="))
    expect(page.locator("#search-heading")).to_be_focused()
    visitor.assert_clean()

    buyer = watch(UserFactory(first_name="Anna", last_name="de Vries"))
    page = buyer.open(listing.get_absolute_url())
    page.get_by_role("button", name="In winkelwagen").click()
    expect(page.locator("#cart-count")).to_have_text("1")
    page = buyer.open("/winkelwagen/")
    page.get_by_role("button", name="Afrekenen").click()
    expect(page.locator("h1")).to_have_text("Afrekenen")
    page.get_by_label("iDEAL").check()
    # The two boxes before "Betalen": consent to delivery at once, the right of withdrawal ending.
    page.get_by_label("Ik stem ermee in dat de levering").check()
    page.get_by_label("Ik begrijp dat ik daardoor mijn herroepingsrecht verlies").check()
    # The form posts to this site, which redirects to the provider's page (form-action).
    page.get_by_role("button", name="Betalen").click()
    expect(page.locator("#demo-banner")).to_be_visible()
    page.get_by_role("button", name="Betaald").click()
    expect(page.locator("h1")).to_have_text("Betaling gelukt")
    page = buyer.open("/mijn-documenten/")
    page.get_by_role("button", name="Online lezen").click()
    expect(page.locator("#reader figure.reader-page img").first).to_be_visible()
    page.keyboard.press("End")
    buyer.assert_clean()

    seller = watch(listing.seller.user)
    for path in ("/verkopen/", "/verkopen/uploaden/", "/verkopen/verdiensten/"):
        seller.open(path)
    expect(seller.page.locator("#earnings-chart")).to_be_visible()
    seller.page.goto("/verkopen/uploaden/")
    seller.assert_clean()

    staff = watch(UserFactory(is_staff=True, is_superuser=True))
    # The back office, and the Django admin under the same /beheer/.
    for path in (
        "/beheer/",
        "/beheer/uploads/",
        "/beheer/bestellingen/",
        "/beheer/grootboek/",
        "/beheer/rapporten/btw/",
        reverse("admin:accounts_user_changelist"),
        reverse("admin:catalog_listing_change", args=[listing.pk]),
    ):
        staff.open(path)
    staff.assert_clean()
