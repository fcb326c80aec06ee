"""Issue 13 (slice moderation), in Chromium: a lecturer registers her slides on the rights
holders' page; a student's upload that copies three of them is held before it is published and
the lecturer is e-mailed; staff find it in the one moderation queue, see the copied passages with
the slides' page numbers, refuse it in one click, and the lecturer hears the decision."""

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from playwright.sync_api import Page, expect

from studymarket.documents.models import RightsHolderWork, VersionStatus
from studymarket.selling.services import upload_store
from tests.browser.sign_in import log_in, staff_log_in
from tests.documents.test_originality import page_texts
from tests.factories import ListingFactory, SellerFactory, UserFactory
from tests.support.test_upload_review_pipeline import text_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLIDES = page_texts(91, pages=4, words=120)
OWN = page_texts(92, pages=2, words=120)


def test_registered_slides_hold_a_copy_until_staff_refuse_it(
    browser_page: Page, browser, live_server, tmp_path
):
    lecturer = UserFactory(email="docent@hogeschool.example", first_name="Anna", last_name="Docent")
    slides = tmp_path / "slides.pdf"
    slides.write_bytes(text_pdf(SLIDES))

    log_in(browser_page, lecturer.email)
    browser_page.goto("/rechthebbenden/")
    browser_page.get_by_label("Titel").fill("Hoorcolleges Marketing")
    browser_page.get_by_label("PDF-bestand").set_input_files(str(slides))
    browser_page.get_by_label("Ik verklaar te goeder trouw").check()
    browser_page.get_by_role("button", name="Registreren").click()
    expect(browser_page.get_by_text("is geregistreerd (4 pagina's)")).to_be_visible()
    expect(browser_page.locator("#rights-works")).to_contain_text("Hoorcolleges Marketing")
    assert RightsHolderWork.objects.get().page_count == 4

    seller = SellerFactory(display_name="Student Verkoper")
    listing = ListingFactory(seller=seller, title="Samenvatting Marketing")
    copy = upload_store(
        seller=seller,
        file=ContentFile(text_pdf([OWN[0], SLIDES[0], SLIDES[2], SLIDES[3], OWN[1]])),
        original_name="samenvatting.pdf",
        document=listing.document,
    )
    copy.refresh_from_db()
    assert copy.status == VersionStatus.HELD_FOR_REVIEW
    assert [m.to for m in mail.outbox] == [["docent@hogeschool.example"]]

    staff_page = browser.new_context(base_url=live_server.url, locale="nl-NL").new_page()
    staff_log_in(staff_page, UserFactory(is_staff=True))
    staff_page.goto(reverse("support:upload_queue"))
    row = staff_page.locator("#moderation-queue tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Materiaal van rechthebbende")
    row.get_by_role("link", name="Samenvatting Marketing").click()
    expect(staff_page.locator("#rights-work-pages")).to_have_text("1, 3, 4")
    expect(staff_page.locator("[data-work-pages]")).to_have_count(3)
    expect(staff_page.locator("#rights-page-2 + p")).to_have_text("Staat in het werk op pagina 1.")
    staff_page.get_by_role("button", name="Weigeren: materiaal van rechthebbende").click()
    expect(staff_page.get_by_text("Geweigerd: de verkoper ziet je reden.")).to_be_visible()
    expect(staff_page.get_by_text("Er wachten geen uploads op controle.")).to_be_visible()

    copy.refresh_from_db()
    assert copy.status == VersionStatus.REJECTED
    staff_page.context.close()
    assert [m.subject for m in mail.outbox][-1] == (
        'Besluit over een upload die lijkt op "Hoorcolleges Marketing": geweigerd'
    )
