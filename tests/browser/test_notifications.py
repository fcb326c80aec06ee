"""The bell (issue 16): a buyer buys a demo seller's document; the seller logs in, sees the bell
with one more unread notification (the demo's own are four), opens it with the keyboard (a
button that looks like a link: opening marks it read, a POST) and lands on their earnings, and
the count drops back. At a phone's width the bell stays in the header."""

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from studymarket.catalog.models import Listing
from studymarket.notifications.models import Notification
from studymarket.storefront.demo.listings import REFERENCE_JSON
from studymarket.storefront.demo.people import DEMO_PASSWORD
from tests.browser.demo import demo_data_loaded
from tests.browser.sign_in import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
REFERENCE = json.loads(REFERENCE_JSON.read_text(encoding="utf-8"))["listing"]


def _log_in_with(page: Page, email: str, password: str) -> None:
    page.goto(reverse("accounts:login"))
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.locator("main").get_by_role("button", name="Inloggen").click()
    expect(page.locator("#notification-bell")).to_be_visible()


def test_the_seller_sees_a_sale_in_the_bell_and_reads_it(
    settings, live_server: LiveServer, browser_page: Page
):
    settings.SITE_URL = live_server.url
    demo_data_loaded()
    page = browser_page
    listing = Listing.objects.select_related("seller__user").get(title=REFERENCE["title"])
    seller = listing.seller.user
    # The demo's own: the reference listing's sales and review (storefront/demo/notifications.py).
    demo_unread = Notification.objects.filter(recipient=seller, read_at__isnull=True).count()
    assert demo_unread == 4

    # A buyer buys the document (simulated iDEAL).
    buyer = UserFactory(email="koper@example.nl")
    log_in(page, buyer.email)
    expect(page.locator("#notification-bell")).to_have_attribute("aria-label", "Meldingen, 0 ongelezen")
    page.goto(listing.get_absolute_url())
    page.get_by_role("button", name="In winkelwagen").click()
    expect(page.locator("#cart-count")).to_have_text("1")
    page.goto(reverse("checkout:checkout"))
    page.get_by_label("iDEAL").check()
    page.get_by_label("Ik stem ermee in dat de levering").check()
    page.get_by_label("Ik begrijp dat ik daardoor mijn herroepingsrecht verlies").check()
    page.get_by_role("button", name="Betalen").click()
    page.get_by_role("button", name="Betaald").click()
    expect(page.locator("h1")).to_have_text("Betaling gelukt")
    page.context.clear_cookies()

    # The seller: one unread in the bell.
    _log_in_with(page, seller.email, DEMO_PASSWORD)
    bell = page.locator("#notification-bell")
    expect(bell).to_have_attribute("aria-label", f"Meldingen, {demo_unread + 1} ongelezen")
    expect(page.locator("#notification-count")).to_have_text(str(demo_unread + 1))
    page.screenshot(path=str(_shot("bell-1280")), full_page=False)

    bell.click()
    expect(page.locator("h1")).to_have_text("Je meldingen")
    newest = page.locator("#notifications li.notification").first
    # A button named as the link was, drawn as a link.
    item = newest.get_by_role("button", name=f"Ongelezen: Verkocht: {REFERENCE['title']} (€ 9,49)")
    expect(item).to_be_visible()
    assert item.evaluate("b => getComputedStyle(b).textDecorationLine") == "underline"
    assert item.evaluate("b => getComputedStyle(b).backgroundColor") == "rgba(0, 0, 0, 0)"
    page.screenshot(path=str(_shot("page-1280")), full_page=True)
    item.focus()
    page.keyboard.press("Enter")

    # Opened: it leads to the earnings, and the bell has the demo's unread only.
    expect(page).to_have_url(live_server.url + reverse("ledger:earnings"))
    expect(bell).to_have_attribute("aria-label", f"Meldingen, {demo_unread} ongelezen")
    expect(page.locator("#notification-count")).to_have_text(str(demo_unread))
    page.goto(reverse("notifications:index"))
    expect(page.locator("#notifications li.notification")).to_have_count(demo_unread + 1)
    expect(page.locator("#notifications li.notification-unread")).to_have_count(demo_unread)
    opened = page.locator("#notifications li.notification").first
    expect(opened).not_to_have_class(re.compile("notification-unread"))

    # On a phone the bell is in the header, inside the screen.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(reverse("notifications:index"))
    box = page.locator("#notification-bell").bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 375
    page.screenshot(path=str(_shot("page-375")), full_page=True)


def _shot(name: str) -> Path:
    """tests/artifacts/notifications-<name>.png (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"notifications-{name}.png"
