"""Issue 13 (slice trust-core), in Chromium: a visitor without an account reports a listing
from its page ("Meld dit document"), gets a receipt; staff find the notice in the queue under
/beheer/meldingen/, take the listing down in one click, and the listing's page then says why."""

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from studymarket.catalog.models import ListingStatus
from studymarket.trust.models import Notice, StatementOfReasons
from tests.browser.sign_in import staff_log_in
from tests.factories import ListingFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_a_listing_and_staff_take_it_down(browser_page: Page, browser, live_server):
    listing = ListingFactory(title="Samenvatting Bedrijfseconomie")
    page = browser_page
    page.goto(listing.get_absolute_url())
    page.get_by_role("link", name="Meld dit document").click()
    expect(page.locator("h1")).to_have_text("Meld dit document")
    assert page.get_by_label("Exacte locatie").input_value().endswith(listing.get_absolute_url())
    page.get_by_label("Auteursrecht").check()
    page.get_by_label("Waarom hoort dit document niet op studymarket?").fill(
        "Hoofdstuk 2 komt uit mijn boek."
    )
    page.get_by_label("Je naam").fill("Rita Rechthebbende")
    page.get_by_label("Je e-mailadres").fill("rita@uitgever.test")
    page.get_by_label("Ik verklaar te goeder trouw").check()
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.locator("h1")).to_have_text("Bedankt voor je melding")
    notice = Notice.objects.get()
    expect(page.locator("#notice-received")).to_contain_text(notice.number)
    assert [m.to for m in mail.outbox] == [["rita@uitgever.test"]]

    staff_page = browser.new_context(base_url=live_server.url, locale="nl-NL").new_page()
    staff_log_in(staff_page, UserFactory(email="medewerker@studymarket.test", is_staff=True))
    staff_page.goto("/beheer/meldingen/")
    staff_page.get_by_role("link", name=notice.number).click()
    expect(staff_page.locator("#notice-status")).to_have_text("Nieuw")
    staff_page.get_by_label("Toelichting").fill("Overname is duidelijk.")
    staff_page.get_by_role("button", name="Meteen offline halen").click()
    expect(staff_page.locator("#listing-status")).to_have_text("Offline gehaald na een melding")
    expect(staff_page.locator("#timeline")).to_contain_text("statement.created")
    listing.refresh_from_db()
    assert listing.status == ListingStatus.TAKEN_DOWN
    assert StatementOfReasons.objects.get().sent_at is not None

    # Answered 410 Gone (search engines drop it), which Chromium logs as a console error: seen
    # from another context than browser_page, whose teardown fails on console errors.
    visitor = browser.new_context(base_url=live_server.url, locale="nl-NL").new_page()
    response = visitor.goto(listing.get_absolute_url())
    assert response is not None
    assert response.status == 410
    expect(visitor.locator("h1")).to_have_text("Dit document is offline gehaald na een melding")
