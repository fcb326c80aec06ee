"""The seller's pages in Chromium (issue 16): the document page brings itself up to date when
processing ends; "Start met verkopen" shows a visitor what they would earn, with a calculator
that answers as they type; the dashboard shows views and conversion; Word is offered only
where it can be converted."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import FilePayload, Page, expect

from studymarket.catalog.models import Listing
from studymarket.documents.models import Document, DocumentVersion, VersionStatus
from studymarket.documents.reasons import Reason
from tests.browser.sign_in import log_in
from tests.factories import DocumentFactory, DocumentVersionFactory, ListingFactory, SellerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _processing(seller) -> DocumentVersion:
    return DocumentVersionFactory(
        document=DocumentFactory(seller=seller),
        status=VersionStatus.PROCESSING,
        page_count=0,
        original_name="Statistiek.pdf",
    )


def test_the_document_page_shows_the_page_count_when_processing_ends(browser_page: Page):
    page = browser_page
    seller = SellerFactory()
    version = _processing(seller)
    log_in(page, seller.user.email)
    page.goto(reverse("selling:sell_document", kwargs={"pk": version.document_id}))
    expect(page.locator("#processing-status")).to_contain_text("Bezig met verwerken…")
    expect(page.locator("#versions")).to_contain_text("Wordt verwerkt")
    page.get_by_label("Beschrijving").fill("Wat ik intussen al typte.")

    # The worker finishes (as documents.processing would leave it): no reload by the seller.
    DocumentVersion.objects.filter(pk=version.pk).update(status=VersionStatus.ACCEPTED, page_count=9)
    Document.objects.filter(pk=version.document_id).update(current_version=version)

    expect(page.locator("#processing-status")).to_contain_text("Je document is verwerkt: 9 pagina's.")
    row = page.locator("#versions tbody tr").first
    expect(row.locator("td").nth(2)).to_have_text("9")
    expect(row.locator("td").nth(4)).to_have_text("Beschrijving nodig")
    expect(page.get_by_label("Voorbeeldpagina's")).to_be_visible()
    expect(page.get_by_label("Beschrijving")).to_have_value("Wat ik intussen al typte.")  # kept


def test_a_refused_upload_reloads_without_the_form_and_can_be_deleted(browser_page: Page):
    page = browser_page
    seller = SellerFactory()
    version = _processing(seller)
    log_in(page, seller.user.email)
    page.goto(reverse("selling:sell_document", kwargs={"pk": version.document_id}))
    expect(page.locator("#describe-form")).to_be_visible()

    DocumentVersion.objects.filter(pk=version.pk).update(
        status=VersionStatus.REJECTED, reason_code=Reason.ENCRYPTED
    )

    expect(page.locator("#processing-status")).to_contain_text("met een wachtwoord beveiligd")
    expect(page.locator("#describe-form")).to_have_count(0)
    page.get_by_role("button", name="Verwijderen").click()
    expect(page.locator("h1")).to_have_text("Upload verwijderen")
    page.get_by_role("button", name="Ja, verwijderen").click()
    expect(page.get_by_text("De geweigerde upload is verwijderd.")).to_be_visible()
    assert not Document.objects.filter(pk=version.document_id).exists()


def test_a_visitor_sees_what_selling_earns_and_uses_the_calculator(browser_page: Page):
    page = browser_page
    page.goto("/")
    page.get_by_role("link", name="Start met verkopen").first.click()
    expect(page).to_have_url(re.compile(r"/verkopen/zo-werkt-het/$"))
    expect(page.locator("h1")).to_have_text("Verdien aan je samenvattingen")

    rows = page.locator("#earnings-examples tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0).locator("td").nth(3)).to_have_text(re.compile(r"^€\s3,30$"))
    expect(rows.nth(1).locator("td").nth(3)).to_have_text(re.compile(r"^€\s5,28$"))
    expect(rows.nth(2).locator("td").nth(3)).to_have_text(re.compile(r"^€\s8,59$"))

    price = page.get_by_label("Reken het uit voor jouw prijs (incl. btw)")
    price.fill("")
    price.press_sequentially("9,49", delay=50)
    expect(page.locator("#calculator-line")).to_have_text(
        re.compile(r"^Koper betaalt €\s9,49 — jij ontvangt €\s6,27$")
    )
    expect(page).to_have_url(re.compile(r"/verkopen/zo-werkt-het/$"))  # answered in place

    page.get_by_role("button", name="Begin met verkopen").first.click()
    expect(page).to_have_url(re.compile(r"/account/aanmelden/\?next=/account/verkopen/start/$"))


def test_the_dashboard_shows_views_and_conversion(browser_page: Page):
    page = browser_page
    seller = SellerFactory()
    listing = ListingFactory(seller=seller, title="Samenvatting Marketing")
    DocumentVersion.objects.filter(document=listing.document).update(status=VersionStatus.ACCEPTED)
    Listing.objects.filter(pk=listing.pk).update(view_count=250, sold_count=8)
    log_in(page, seller.user.email)
    page.goto(reverse("selling:sell_dashboard"))

    headers = page.locator("#seller-documents thead th")
    expect(headers).to_contain_text(
        ["Document", "Status", "Prijs", "Jij ontvangt", "Bekeken", "Verkocht", "Conversie"]
    )
    cells = page.locator("#seller-documents tbody tr").first.locator("td")
    expect(cells.nth(4)).to_have_text("250")
    expect(cells.nth(5)).to_have_text("8")
    expect(cells.nth(6)).to_have_text("3,2%")
    expect(page.locator("#total-conversion")).to_have_text("3,2%")
    expect(page.locator("#seller-tier")).to_contain_text("nog 17 punten tot Brons")

    # "Document uploaden" does not touch its neighbour.
    upload = page.get_by_role("button", name="Document uploaden").bounding_box()
    earnings = page.get_by_role("button", name="Mijn verdiensten").bounding_box()
    assert upload is not None
    assert earnings is not None
    apart = earnings["x"] - (upload["x"] + upload["width"]) if earnings["y"] == upload["y"] else 1
    assert apart >= 8


def test_word_is_offered_only_where_it_can_be_converted(browser_page: Page, settings, tmp_path):
    page = browser_page
    seller = SellerFactory()
    log_in(page, seller.user.email)
    file_input = page.locator("input[type=file]")

    settings.SOFFICE_PATH = "/nonexistent/soffice"
    page.goto(reverse("selling:sell_upload"))
    expect(file_input).to_have_attribute("accept", ".pdf,application/pdf")
    expect(page.locator("#id_file_helptext")).to_contain_text("PDF, tot 50,0")
    expect(page.locator("#id_file_helptext")).not_to_contain_text("Word (.docx)")
    page.set_input_files(
        "input[type=file]",
        files=[FilePayload(name="verslag.docx", mimeType="application/octet-stream", buffer=b"PK\x03\x04")],
    )
    expect(page.locator("[data-upload-error]")).to_contain_text("Dit is geen PDF-bestand")
    assert not Document.objects.exists()  # refused before anything was sent

    soffice = tmp_path / "soffice"
    soffice.write_text("#!/bin/sh\nexit 1\n")
    soffice.chmod(0o755)
    settings.SOFFICE_PATH = str(soffice)
    page.goto(reverse("selling:sell_upload"))
    expect(file_input).to_have_attribute("accept", re.compile(r"^\.pdf,\.docx,\.odt,"))
    expect(page.locator("#id_file_helptext")).to_contain_text("PDF, Word (.docx) of OpenDocument (.odt)")
