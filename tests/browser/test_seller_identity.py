"""A seller in Chromium: "Mijn verkopen" → "Particulier of zakelijk" (the trader fields appear
only once "zakelijk" is chosen) → saves their trader information → buyers see it on the
listing; then "Jaaroverzicht" → the PDF and the CSV of the year download."""

import pypdfium2
import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.ledger.ledger_helpers import paid_line
from tests.logins import MODEL_BACKEND
from tests.purchases import listing_with_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Page, live_server, user) -> None:
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_a_seller_becomes_a_business_and_downloads_the_statement(browser_page: Page, live_server, tmp_path):
    page = browser_page
    listing = listing_with_pdf(title="Marketing Samenvatting")
    seller = listing.seller
    line = paid_line(listing=listing)
    _log_in(page, live_server, seller.user)

    page.goto("/verkopen/")
    page.get_by_role("link", name="Particulier of zakelijk").click()
    expect(page.get_by_role("heading", name="Particulier of zakelijk")).to_be_visible()
    legal_name = page.get_by_label("Naam van je onderneming")
    expect(legal_name).to_be_hidden()  # "particulier" is chosen: nothing more to fill in

    page.get_by_label("Zakelijk: ik verkoop als onderneming of zelfstandige").check()
    expect(legal_name).to_be_visible()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Controleer de gemarkeerde velden.")).to_be_visible()

    legal_name.fill("Samenvattingen Janssens BV")
    page.get_by_label("Adres", exact=True).fill("Kerkstraat 12\n9000 Gent")
    page.get_by_label("Zakelijk e-mailadres").fill("info@janssens.example")
    page.get_by_label("Telefoonnummer").fill("+32 9 123 45 67")
    page.get_by_label("KvK-nummer of ondernemingsnummer (KBO)").fill("0403.170.701")
    page.get_by_label("Btw-nummer").fill("BE0403170701")
    page.get_by_label("Ik verklaar dat ik alleen producten aanbied die voldoen aan het EU-recht.").check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Je zakelijke gegevens zijn opgeslagen.")).to_be_visible()

    page.goto(listing.get_absolute_url())
    identity = page.locator("#seller-identity-section")
    expect(identity).to_contain_text("Zakelijke verkoper")
    expect(identity).to_contain_text("Samenvattingen Janssens BV")
    expect(identity).to_contain_text("0403.170.701")

    page.goto("/verkopen/")
    page.get_by_role("button", name="Jaaroverzicht").click()  # a link styled as a button
    year = timezone.localtime(line.order.paid_at).year
    expect(page.get_by_role("heading", name=f"Jaaroverzicht {year}")).to_be_visible()
    expect(page.locator("#statement-summary")).to_contain_text("€ 6,27")
    with page.expect_download() as pdf_download:
        page.get_by_role("button", name="PDF downloaden").click()
    pdf_path = tmp_path / "jaaroverzicht.pdf"
    pdf_download.value.save_as(pdf_path)
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    text = " ".join(" ".join(p.get_textpage().get_text_range().split()) for p in pdf)
    pdf.close()
    assert f"Jaaroverzicht {year}" in text
    assert "Samenvattingen Janssens BV" in text
    assert f"{line.order.number} Marketing Samenvatting € 9,49 € 1,65 € 1,57 € 6,27" in text
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="CSV downloaden").click()
    assert csv_download.value.suggested_filename == f"jaaroverzicht-{year}-studymarket.csv"
