"""The demo's accounts as the README gives them (issue 16), used in Chromium: the staff account
reaches the back office with the published two-factor secret, and the reference seller's
version list says the reference listing was uploaded on 30 juli 2021, as its page does."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from studymarket.catalog.models import Listing
from studymarket.storefront.demo.listings import reference_facts
from studymarket.storefront.demo.people import DEMO_PASSWORD, REFERENCE_SELLER, STAFF
from studymarket.storefront.demo.staff import demo_staff_code
from tests.browser.demo import demo_data_loaded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FACTS = reference_facts()["listing"]


def _log_in(page: Page, email: str) -> None:
    page.goto(reverse("accounts:login"))
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def test_demo_staff_reaches_the_back_office_with_the_published_secret(browser_page: Page):
    demo_data_loaded()
    page = browser_page
    _log_in(page, next(iter(STAFF.values())).email)

    page.goto("/beheer/")
    # No set-up page: the demo account's authenticator is set up already.
    page.get_by_label("Code uit je app").fill(demo_staff_code())
    page.get_by_role("button", name="Bevestigen").click()

    expect(page.locator("h1")).to_have_text("Beheer")


def test_reference_seller_sees_the_upload_date_of_the_listing(browser_page: Page):
    demo_data_loaded()
    listing = Listing.objects.get(title=FACTS["title"])
    page = browser_page
    _log_in(page, REFERENCE_SELLER.email)

    page.goto(reverse("selling:sell_document", kwargs={"pk": listing.document_id}))

    versions = page.locator("#versions").inner_text()
    assert f"{FACTS['shown_upload_date_nl']}, 11:" in versions
