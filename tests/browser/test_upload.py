"""A new user, in Chromium, from signing up to a published listing: sign up, become a seller,
upload a PDF (watching the progress bar), describe and price it, and find it in the shop with
its preview, table of contents and, on the seller's side, what they earn per sale."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, expect

from studymarket.catalog.models import Listing
from studymarket.documents.models import DocumentVersion, VersionStatus
from studymarket.documents.rejections import reason_text
from tests.factories import (
    CourseFactory,
    DocumentFactory,
    DocumentVersionFactory,
    InstitutionFactory,
    ProgrammeFactory,
    SellerFactory,
)
from tests.pdfs import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PASSWORD = "een lang en geheim wachtwoord"
OUTLINE = [
    (1, "1 Inleiding", 1),
    (2, "1.1 Wat is accountmanagement?", 2),
    (1, "2 De klant", 5),
    (1, "3 Besluit", 11),
]
# Slow enough to see the bar move (the PDF is about 7 kB), fast enough for a test; the
# throttling is Chromium's own.
UPLOAD_BYTES_PER_SECOND = 3_000


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_seller_uploads_describes_and_publishes(browser_page: Page):
    course = CourseFactory(
        name="Account Management",
        code="MAN 3025",
        programme=ProgrammeFactory(name="Bedrijfsmanagement", institution=InstitutionFactory(name="Odisee")),
    )
    page = browser_page

    # Sign up, then "Start met verkopen".
    page.goto("/account/aanmelden/")
    page.get_by_label("E-mailadres").fill("nieuwe.verkoper@example.nl")
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_label("Wachtwoord herhalen").fill(PASSWORD)
    page.get_by_role("button", name="Account aanmaken").click()
    page.get_by_role("link", name="Start met verkopen").first.click()
    # First what selling means (selling/sell_info.html), then becoming a seller.
    page.get_by_role("button", name="Begin met verkopen").first.click()
    page.get_by_label("Verkopersnaam").fill("Nieuwe Verkoper")
    page.get_by_role("button", name="Verkoper worden").click()
    expect(page).to_have_url(re.compile(r"/verkoper/nieuwe-verkoper/$"))
    page.get_by_role("button", name="Document uploaden").click()
    expect(page.get_by_role("heading", name="Document uploaden")).to_be_visible()

    # Upload: the bar shows the bytes going up, then the document page shows the processing.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": UPLOAD_BYTES_PER_SECOND,
        },
    )
    pdf = pdf_bytes(pages=12, outline=OUTLINE, colour_page=1)
    page.set_input_files(
        "input[type=file]",
        files=[FilePayload(name="Account Management.pdf", mimeType="application/pdf", buffer=pdf)],
    )
    progress = page.locator("#upload-progress")
    expect(progress).to_be_visible()
    expect(progress).not_to_have_js_property("value", 0)  # not wait_for_function: the CSP refuses eval
    page.wait_for_timeout(400)  # Pico animates the bar
    _shot(page, "upload-progress")
    page.wait_for_url(re.compile(r"/verkopen/documenten/\d+/$"), timeout=30_000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    expect(page.locator("#processing-status")).to_contain_text("verwerkt", timeout=30_000)
    expect(page.locator("#processing-status")).to_contain_text("Je document is verwerkt: 12 pagina's.")

    # Describe: the course by autocomplete, the price with the live earnings line.
    expect(page.get_by_label("Titel", exact=True)).to_have_value("Account Management")
    page.get_by_label("Beschrijving").fill("Alle hoofdstukken van Account Management, met voorbeelden.")
    page.get_by_label("Zoek je vak").press_sequentially("Acc", delay=50)
    suggestion = page.locator("#course-suggestions").get_by_label(re.compile("Account Management"))
    suggestion.check()
    page.get_by_label("Type document").select_option(label="Samenvatting")
    page.get_by_label("Hele boek samengevat").check()
    page.get_by_label("Prijs (incl. btw)").fill("9,49")
    expect(page.locator("#price-line")).to_have_text("Koper betaalt € 9,49 — jij ontvangt € 6,27")
    expect(page.get_by_label("Voorbeeldpagina's")).to_have_value("2")
    _shot(page, "upload-describe")
    page.get_by_role("button", name="Opslaan en online zetten").click()

    status = page.locator("#processing-status")
    expect(status).to_contain_text("Je document is verwerkt en staat online.", timeout=30_000)
    expect(page.locator("#earnings")).to_have_text(
        "Jij ontvangt € 6,27 per verkoop (de koper betaalt € 9,49)."
    )
    _shot(page, "upload-published-seller")
    listing = Listing.objects.get()
    assert (listing.course, listing.price_cents, listing.preview_page_count) == (course, 949, 2)

    # The shop: the preview pages as images, the table of contents before purchase.
    page.get_by_role("link", name="Bekijk het in de winkel").click()
    expect(page.locator("h1")).to_have_text("Account Management")
    images = page.locator("#preview img")
    expect(images).to_have_count(2)
    for i in range(2):
        images.nth(i).scroll_into_view_if_needed()
        width = images.nth(i).evaluate(
            "img => img.complete ? img.naturalWidth : new Promise(done => {"
            " img.onload = () => done(img.naturalWidth); img.onerror = () => done(0); })"
        )
        assert width > 0
    toc = page.locator("#toc")
    expect(toc.locator("li")).to_have_count(len(OUTLINE))
    expect(toc).to_contain_text("1.1 Wat is accountmanagement?")
    page.evaluate("window.scrollTo(0, 0)")
    _shot(page, "upload-published-listing")

    # Back on the seller's side: the dashboard shows it online, with the net earnings.
    page.goto("/verkopen/")
    row = page.locator("#seller-documents tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Online")
    expect(row).to_contain_text("€ 6,27")
    _shot(page, "upload-dashboard")


def test_processing_progress_is_polled_until_done(browser_page: Page):
    """The status panel asks for itself every second while the worker processes the upload
    (here: the test moves the version along), and stops once the document is processed."""
    seller = SellerFactory(user__email="verkoper@example.nl", user__password=PASSWORD)
    document = DocumentFactory(seller=seller)
    version = DocumentVersionFactory(
        document=document, original_name="Statistiek.pdf", page_count=0, status=VersionStatus.PROCESSING
    )
    page = browser_page
    page.goto("/account/inloggen/")
    page.get_by_label("E-mailadres").fill("verkoper@example.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.goto(f"/verkopen/documenten/{document.pk}/")

    status = page.locator("#processing-status")
    expect(status).to_contain_text("Bezig met verwerken…")
    expect(page.locator("#preview-rule")).to_contain_text("Je kiest het aantal zodra je document verwerkt is")
    expect(page.get_by_label("Voorbeeldpagina's")).to_have_count(0)

    DocumentVersion.objects.filter(pk=version.pk).update(page_count=102, pages_processed=37)
    expect(status).to_contain_text("Pagina 37 van 102 verwerkt…")
    # The page count is known: the preview choice appears, with the default for 102 pages.
    expect(page.get_by_label("Voorbeeldpagina's")).to_have_value("4")
    _shot(page, "upload-processing")

    DocumentVersion.objects.filter(pk=version.pk).update(pages_processed=102, status=VersionStatus.ACCEPTED)
    expect(status).to_contain_text("Je document is verwerkt: 102 pagina's.")
    expect(status).not_to_have_attribute("data-hx-trigger", re.compile("."))
    page.get_by_label("Voorbeeldpagina's").fill("10")  # kept: no more swaps of the field
    page.wait_for_timeout(1500)
    expect(page.get_by_label("Voorbeeldpagina's")).to_have_value("10")


DROP = """([zone, name, type, bytes]) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(bytes)], name, { type }));
    zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
}"""


def test_files_are_checked_before_sending_and_can_be_dropped(browser_page: Page, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    seller = SellerFactory(user__email="verkoper@example.nl", user__password=PASSWORD)
    page = browser_page
    page.goto("/account/inloggen/")
    page.get_by_label("E-mailadres").fill("verkoper@example.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.goto("/verkopen/uploaden/")
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    error = page.locator("[data-upload-error]")

    # Too large: refused here, with the server's words, and never sent.
    big = b"%PDF-1.7\n" + b"0" * (1024 * 1024)
    page.set_input_files(
        "input[type=file]", files=[FilePayload(name="groot.pdf", mimeType="application/pdf", buffer=big)]
    )
    expect(error).to_have_text(reason_text("too_large", {"max_mb": 1}))
    # Dropped, of a kind we do not take: refused here too.
    zone = page.locator("[data-drop-zone]").element_handle()
    page.evaluate(DROP, [zone, "notities.txt", "text/plain", list(b"gewoon tekst")])
    expect(error).to_have_text(reason_text("unsupported_type"))
    _shot(page, "upload-refused-in-browser")
    assert posts == []

    # Dropped, a PDF: it goes up and is processed.
    page.evaluate(DROP, [zone, "Statistiek.pdf", "application/pdf", list(pdf_bytes(pages=3))])
    page.wait_for_url(re.compile(r"/verkopen/documenten/\d+/$"))
    expect(page.locator("#processing-status")).to_contain_text("Je document is verwerkt: 3 pagina's.")
    assert DocumentVersion.objects.get(document__seller=seller).original_name == "Statistiek.pdf"


def test_a_file_picked_before_the_script_ran_is_still_sent(browser_page: Page):
    """A slow connection: the user picks a file before upload.js has run, so its change event
    fell on nobody. Once the script runs it sends the file (through htmx, with the bar)."""
    SellerFactory(user__email="verkoper@example.nl", user__password=PASSWORD)
    page = browser_page
    page.goto("/account/inloggen/")
    page.get_by_label("E-mailadres").fill("verkoper@example.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    held: list = []
    page.route(re.compile(r"/js/upload\.[^/]*js$"), lambda route: held.append(route))
    page.goto("/verkopen/uploaden/", wait_until="commit")
    expect(page.get_by_role("heading", name="Document uploaden")).to_be_visible()
    page.set_input_files(
        "input[type=file]",
        files=[FilePayload(name="Statistiek.pdf", mimeType="application/pdf", buffer=pdf_bytes(pages=2))],
    )
    expect(page.locator("[data-upload-button]")).to_be_visible()  # nothing has listened yet
    assert held, "the test did not hold upload.js back"
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    held[0].continue_()
    page.wait_for_url(re.compile(r"/verkopen/documenten/\d+/$"), timeout=30_000)
    assert len(posts) == 1
