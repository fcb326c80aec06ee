"""Issue 13's "done when", in one go in Chromium on the demo's reference listing: a rights holder
reports it from its page; one staff member takes it down; its seller gets a statement of reasons
by e-mail, follows its link and appeals on the site; a second staff member restores the listing.
Every party is e-mailed (real SMTP on loopback) and the notice's timeline shows every step."""

import json

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from studymarket.catalog.models import Listing, ListingStatus
from studymarket.storefront.demo.listings import REFERENCE_JSON
from studymarket.trust.models import Appeal, Notice, NoticeStatus
from studymarket.trust.selectors import notice_timeline
from tests.browser.demo import demo_data_loaded
from tests.browser.sign_in import log_in, staff_log_in
from tests.factories import UserFactory
from tests.logins import PASSWORD
from tests.trust.appeal_helpers import body, mails_to, subjects

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = json.loads(REFERENCE_JSON.read_text(encoding="utf-8"))["listing"]
RIGHTS_HOLDER = "docent.jansen@hogeschool.test"


def _page(browser: Browser, server: LiveServer) -> Page:
    context = browser.new_context(
        base_url=server.url, locale="nl-NL", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def test_report_takedown_statement_appeal_and_restore_on_the_reference_listing(
    settings, live_server, smtp_inbox, browser_page, browser
):
    settings.SITE_URL = live_server.url
    demo_data_loaded()
    listing = Listing.objects.get(title=REFERENCE["title"])
    seller = listing.seller.user
    seller.set_password(PASSWORD)
    seller.save(update_fields=["password"])

    # 1. The rights holder reports the listing from its page, without an account.
    reporter = browser_page
    reporter.goto(listing.get_absolute_url())
    reporter.get_by_role("link", name="Meld dit document").click()
    reporter.get_by_label("Auteursrecht").check()
    reporter.get_by_label("Waarom hoort dit document niet op studymarket?").fill(
        "De hoofdstukken 3 en 4 zijn mijn collegeslides, letterlijk overgenomen."
    )
    reporter.get_by_label("Je naam").fill("Dr. Jansen")
    reporter.get_by_label("Je e-mailadres").fill(RIGHTS_HOLDER)
    reporter.get_by_label("Ik verklaar te goeder trouw").check()
    reporter.get_by_role("button", name="Melding versturen").click()
    expect(reporter.locator("h1")).to_have_text("Bedankt voor je melding")
    notice = Notice.objects.get()
    assert notice.listing_id == listing.pk
    assert subjects(smtp_inbox, RIGHTS_HOLDER), "no receipt for the reporter"

    # 2. A staff member takes it down at once from the notice's page.
    first = _page(browser, live_server)
    staff_log_in(first, UserFactory(email="anna.medewerker@studymarket.test", is_staff=True))
    first.goto("/beheer/meldingen/")
    first.get_by_role("link", name=notice.number).click()
    first.get_by_label("Toelichting").fill("De slides staan er letterlijk in.")
    first.get_by_role("button", name="Meteen offline halen").click()
    expect(first.locator("#listing-status")).to_have_text("Offline gehaald na een melding")
    assert Listing.objects.get(pk=listing.pk).status == ListingStatus.TAKEN_DOWN

    # 3. The seller's statement of reasons names the measure and the way to appeal; they appeal.
    statement_mail = next(m for m in mails_to(smtp_inbox, seller.email) if "/meldingen/bezwaar/" in body(m))
    link = next(word for word in body(statement_mail).split() if "/meldingen/bezwaar/besluit/" in word)
    seller_page = _page(browser, live_server)
    log_in(seller_page, seller.email)
    seller_page.goto(link.removeprefix(live_server.url))
    expect(seller_page.locator("h1")).to_have_text("Bezwaar maken")
    seller_page.get_by_label("Waarom ben je het niet eens met het besluit?").fill(
        "Ik heb alleen twee figuren met bronvermelding gebruikt; de tekst is van mij."
    )
    seller_page.get_by_role("button", name="Bezwaar indienen").click()
    expect(seller_page.get_by_text("Je bezwaar is ontvangen.")).to_be_visible()
    appeal = Appeal.objects.get()

    # 4. Another staff member decides the appeal and restores the listing.
    second = _page(browser, live_server)
    staff_log_in(second, UserFactory(email="bram.medewerker@studymarket.test", is_staff=True))
    second.goto(reverse("trust:appeal_review", kwargs={"appeal_id": appeal.pk}))
    second.get_by_label("Motivering").fill("Korte citaten met bronvermelding zijn toegestaan.")
    second.get_by_role("button", name="Toekennen en document herstellen").click()
    expect(second.get_by_text("Bezwaar toegekend")).to_be_visible()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.RESTORED
    assert Listing.objects.get(pk=listing.pk).status == ListingStatus.PUBLISHED
    visitor = _page(browser, live_server)
    response = visitor.goto(listing.get_absolute_url())
    assert response is not None
    assert response.status == 200

    # 5. Every party was e-mailed, and the notice's timeline in the back office shows every step.
    assert len(subjects(smtp_inbox, RIGHTS_HOLDER)) >= 2  # the receipt and the decision
    seller_subjects = subjects(smtp_inbox, seller.email)
    assert any(f"B-{appeal.pk}" in s and "toegekend" in s for s in seller_subjects), seller_subjects
    assert len(seller_subjects) >= 3  # the statement, the appeal's receipt, the decision
    actions = [event.action for event in notice_timeline(notice=notice)]
    for step in ("notice.received", "notice.listing_taken_down", "statement.created", "appeal.received"):
        assert step in actions, (step, actions)
    for step in ("appeal.granted", "notice.restored", "listing.restored"):
        assert step in actions, (step, actions)
    second.goto(f"/beheer/meldingen/{notice.number}/")
    expect(second.locator("#timeline")).to_contain_text("appeal.granted")
    for page in (first, seller_page, second, visitor):
        page.context.close()
