"""The legal pages and the withdrawal consent (issue 13), in Chromium: the footer's four links on
the reference listing in Dutch and, after the language switch, in English; and a checkout that
will not pay until both boxes are ticked, then pays."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from studymarket.accounts.services import user_create
from studymarket.catalog.models import Listing
from studymarket.checkout.services import cart_item_add
from studymarket.orders.models import Order, OrderStatus
from studymarket.payments.models import Payment
from studymarket.storefront.demo.listings import REFERENCE_JSON
from tests.browser.demo import demo_data_loaded
from tests.purchases import listing_with_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = json.loads(REFERENCE_JSON.read_text(encoding="utf-8"))["listing"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
EMAIL = "noor.bakker@example.nl"
PASSWORD = "een lang en geheim wachtwoord"
LEGAL = [
    ("/voorwaarden/", "Algemene voorwaarden", "Terms and conditions"),
    ("/privacy/", "Privacyverklaring", "Privacy statement"),
    ("/cookies/", "Cookies", "Cookies"),
    ("/contact/", "Contact", "Contact"),
]


@pytest.fixture
def site(settings, live_server: LiveServer) -> LiveServer:
    settings.SITE_URL = live_server.url
    settings.OPERATOR_LEGAL_NAME = "Studiemarkt Testbedrijf B.V."
    settings.OPERATOR_KVK_NUMBER = "87654321"
    demo_data_loaded()
    return live_server


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"legal-{name}.png"), full_page=True)


def _follow_footer_links(
    page: Page, site: LiveServer, listing_url: str, *, prefix: str, english: bool
) -> None:
    for path, dutch, in_english in LEGAL:
        page.goto(prefix + listing_url)
        links = page.locator("footer #legal-links a")
        expect(links).to_have_count(4)
        link = links.nth([p for p, _, _ in LEGAL].index(path))
        expect(link).to_have_attribute("href", prefix + path)
        link.click()
        expect(page).to_have_url(site.url + prefix + path)
        expect(page.locator("h1")).to_have_text(in_english if english else dutch)
        expect(page.locator("html")).to_have_attribute("lang", "en" if english else "nl")


def test_the_footer_links_on_a_listing_page_in_both_languages(site, browser_page):
    page = browser_page
    listing_url = Listing.objects.get(title=REFERENCE["title"]).get_absolute_url()

    _follow_footer_links(page, site, listing_url, prefix="", english=False)
    expect(page.locator("#operator-details")).to_contain_text("Studiemarkt Testbedrijf B.V.")
    expect(page.locator("#operator-details")).to_contain_text("87654321")
    shot(page, "contact-nl")

    # The language switch on the listing page, then the same four links in English.
    page.goto(listing_url)
    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(site.url + "/en" + listing_url)
    _follow_footer_links(page, site, listing_url, prefix="/en", english=True)
    expect(page.locator("#operator-details")).to_contain_text("Chamber of Commerce (KvK) number")
    shot(page, "contact-en")


def test_checkout_will_not_pay_without_the_boxes_then_pays_with_them(live_server, browser_page):
    user = user_create(email=EMAIL, password=PASSWORD, first_name="Noor", last_name="Bakker")
    cart_item_add(user=user, listing=listing_with_pdf(price_cents=949))
    page = browser_page
    page.goto("/account/inloggen/")
    page.locator("main").get_by_label("E-mailadres").fill(EMAIL)
    page.locator("main").get_by_label("Wachtwoord").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Inloggen").click()
    page.goto("/winkelwagen/afrekenen/")

    # The art. 6a information and the total, then the two unticked boxes before "Betalen".
    expect(page.locator("#seller-kinds li")).to_contain_text("verkoopt als particulier")
    expect(page.locator("#pay-total")).to_have_text("Te betalen: € 9,49 (incl. btw)")
    consent = page.get_by_label("Ik stem ermee in dat de levering")
    acknowledgement = page.get_by_label("Ik begrijp dat ik daardoor mijn herroepingsrecht verlies")
    expect(consent).not_to_be_checked()
    expect(acknowledgement).not_to_be_checked()
    page.get_by_label("iDEAL").check()
    consent.check()  # one box is not enough
    page.get_by_role("button", name="Betalen").click()

    expect(page.locator("#consent-error")).to_have_text(
        "Vink beide vakjes aan om te betalen: zonder je toestemming kunnen we de documenten niet "
        "direct leveren. Je winkelwagen blijft bewaard."
    )
    expect(page.locator("h1")).to_have_text("Afrekenen")
    expect(page.locator("#cart-total")).to_have_text("€ 9,49")  # nothing lost
    assert (Order.objects.count(), Payment.objects.count()) == (0, 0)
    shot(page, "checkout-refused")

    page.get_by_label("Ik stem ermee in dat de levering").check()
    page.get_by_label("Ik begrijp dat ik daardoor mijn herroepingsrecht verlies").check()
    page.get_by_role("button", name="Betalen").click()
    expect(page.locator("#demo-banner")).to_be_visible()
    page.get_by_role("button", name="Betaald").click()

    expect(page.locator("h1")).to_have_text("Betaling gelukt")
    order = Order.objects.get(buyer__email=EMAIL)
    assert order.status == OrderStatus.PAID
    assert order.immediate_delivery_consent_at is not None
    assert order.withdrawal_waiver_acknowledged_at is not None
    expect(page.locator("#consent-confirmation")).to_contain_text("herroepingsrecht verliest")
    shot(page, "order-consent")
