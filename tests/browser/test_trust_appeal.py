"""Issue 13's appeal, in Chromium: a rights holder's notice got a listing taken down by one
staff member; its seller follows the link in the statement of reasons and appeals on the site;
that staff member may not decide the appeal, a second one restores the listing; the seller and
the reporter are e-mailed (real SMTP on loopback) and the notice's timeline shows every step."""

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from studymarket.catalog.models import Listing, ListingStatus
from studymarket.trust.decisions import notice_take_down
from studymarket.trust.models import Appeal, AppealStatus, Measure, NoticeStatus, StatementOfReasons
from studymarket.trust.selectors import notice_timeline
from tests.browser.sign_in import log_in, staff_log_in
from tests.factories import ListingFactory, SellerFactory, UserFactory
from tests.trust.appeal_helpers import body, mails_to, subjects
from tests.trust.factories import NoticeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORTER = "rita@uitgever.test"


def new_page(browser: Browser, server: LiveServer) -> Page:
    context = browser.new_context(
        base_url=server.url, locale="nl-NL", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def path_of(link: str, server: LiveServer) -> str:
    assert link.startswith(server.url), link
    return link[len(server.url) :]


def test_the_seller_appeals_and_another_staff_member_restores(
    settings, live_server, smtp_inbox, browser_page, browser
):
    settings.SITE_URL = live_server.url
    seller = SellerFactory(user__email="sven.verkoper@example.nl")
    listing = ListingFactory(seller=seller, title="Account Management Samenvatting")
    notice = NoticeFactory(listing=listing, reporter_email=REPORTER)
    first_staff = UserFactory(email="anna.medewerker@studymarket.test", is_staff=True)
    notice_take_down(notice_id=notice.pk, actor=first_staff, note="Lijkt overgenomen uit het handboek.")
    listing.refresh_from_db()
    assert listing.status == ListingStatus.TAKEN_DOWN

    # 1. The seller follows the link in the statement of reasons and appeals.
    statement = StatementOfReasons.objects.get(notice=notice, measure=Measure.LISTING_TAKEDOWN)
    statement_mail = next(
        m for m in mails_to(smtp_inbox, seller.user.email) if "/meldingen/bezwaar/" in body(m)
    )
    link = next(word for word in body(statement_mail).split() if "/meldingen/bezwaar/besluit/" in word)
    assert link.endswith(f"/meldingen/bezwaar/besluit/{statement.pk}/")
    seller_page = browser_page
    log_in(seller_page, seller.user.email)
    seller_page.goto(path_of(link, live_server))
    expect(seller_page.locator("h1")).to_have_text("Bezwaar maken")
    expect(seller_page.locator("#appeal-decision")).to_contain_text("Document voorlopig offline gehaald")
    seller_page.get_by_label("Waarom ben je het niet eens met het besluit?").fill(
        "Ik heb deze samenvatting zelf geschreven; het handboek citeer ik alleen."
    )
    seller_page.get_by_role("button", name="Bezwaar indienen").click()
    expect(seller_page.get_by_text("Je bezwaar is ontvangen.")).to_be_visible()
    appeal = Appeal.objects.get()
    expect(seller_page.locator("#appeal-status")).to_contain_text("In behandeling")
    assert f"We hebben je bezwaar ontvangen (kenmerk B-{appeal.pk})" in subjects(
        smtp_inbox, seller.user.email
    )

    # 2. The staff member who took the listing down may not decide the appeal.
    first_page = new_page(browser, live_server)
    staff_log_in(first_page, first_staff)
    first_page.goto(reverse("trust:appeal_review", kwargs={"appeal_id": appeal.pk}))
    expect(first_page.locator("#appeal-own-decision")).to_contain_text("Een andere medewerker moet")
    expect(first_page.get_by_role("button", name="Toekennen en document herstellen")).to_have_count(0)

    # 3. A second staff member finds the appeal from the back office and restores the listing.
    second_page = new_page(browser, live_server)
    staff_log_in(second_page, UserFactory(email="bram.medewerker@studymarket.test", is_staff=True))
    second_page.get_by_role("link", name="Bezwaren", exact=True).click()
    expect(second_page.locator("#appeals-open")).to_contain_text("Account Management Samenvatting")
    second_page.get_by_role("link", name=f"B-{appeal.pk}").click()
    expect(second_page.locator("#appeal-text")).to_contain_text("zelf geschreven")
    second_page.get_by_label("Motivering").fill("Alleen korte citaten met bronvermelding: dat mag.")
    second_page.get_by_role("button", name="Toekennen en document herstellen").click()
    expect(second_page.get_by_text("Bezwaar toegekend")).to_be_visible()

    appeal.refresh_from_db()
    notice.refresh_from_db()
    listing.refresh_from_db()
    assert appeal.status == AppealStatus.GRANTED
    assert appeal.decided_by is not None
    assert appeal.decided_by.email == "bram.medewerker@studymarket.test"
    assert notice.status == NoticeStatus.RESTORED
    assert Listing.objects.get(pk=listing.pk).status == ListingStatus.PUBLISHED

    # 4. Both parties are e-mailed; the timeline shows every step.
    decided = next(
        m
        for m in mails_to(smtp_inbox, seller.user.email)
        if m["Subject"] == f"Je bezwaar is toegekend (kenmerk B-{appeal.pk})"
    )
    assert "Alleen korte citaten met bronvermelding: dat mag." in body(decided)
    assert "artikel 21" in body(decided)
    assert f"Ons besluit over je melding {notice.number}" in subjects(smtp_inbox, REPORTER)
    actions = [event.action for event in notice_timeline(notice=notice)]
    for step in (
        "notice.received",
        "notice.listing_taken_down",
        "statement.created",
        "appeal.received",
        "appeal.granted",
        "notice.restored",
        "listing.restored",
    ):
        assert step in actions, (step, actions)
    second_page.goto(reverse("trust:appeal_review", kwargs={"appeal_id": appeal.pk}))
    expect(second_page.locator("#appeal-timeline")).to_contain_text("appeal.granted")
    for page in (first_page, second_page):
        page.context.close()
