"""A buyer in Chromium: "Mijn documenten" → "Online lezen" (all pages, lazy images, keys and
page numbers, on a laptop and a phone) → "Download PDF" while it is made and when it is ready."""

import re
import threading
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from studymarket.documents.pdf import pdf_open
from studymarket.library.models import StampedCopy, StampedCopyStatus
from studymarket.library.services import stamped_copy_build
from tests.factories import UserFactory
from tests.logins import MODEL_BACKEND
from tests.purchases import listing_with_pdf, purchase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PAGES = 8


def _log_in(page: Page, live_server, user) -> None:
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_a_buyer_reads_online_and_downloads_the_stamped_pdf(browser_page: Page, live_server, tmp_path):
    page = browser_page
    buyer = UserFactory(first_name="Anna", last_name="de Vries")
    listing = listing_with_pdf(title="Account Management Samenvatting", pages=PAGES)
    line = purchase(buyer=buyer, listing=listing)  # committed: the copy was built after it
    _log_in(page, live_server, buyer)

    page.goto("/mijn-documenten/")
    expect(page.get_by_role("heading", name="Mijn documenten")).to_be_visible()
    page.get_by_role("button", name="Online lezen").click()

    expect(page.get_by_role("heading", name="Account Management Samenvatting")).to_be_visible()
    first = page.get_by_role("img", name=f"Pagina 1 van {PAGES}")
    expect(first).to_be_visible()
    # decode(): loaded and drawable (wait_for_function evals its string: the CSP refuses that).
    page.locator("#pagina-1 img").evaluate("img => img.decode()")
    # Lazy: the last pages are not loaded before the reader scrolls to them.
    assert page.evaluate(f"document.querySelector('#pagina-{PAGES} img').complete") is False
    page.screenshot(path=ARTIFACTS / "reader-laptop.png")

    page.keyboard.press("j")
    expect(page).to_have_url(re.compile(r"#pagina-2$"))
    expect(page.get_by_label("Pagina", exact=True)).to_have_value("2")
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(re.compile(r"#pagina-3$"))
    page.keyboard.press("k")
    expect(page).to_have_url(re.compile(r"#pagina-2$"))
    page.get_by_label("Pagina", exact=True).fill(str(PAGES))
    page.get_by_label("Pagina", exact=True).press("Enter")
    expect(page).to_have_url(re.compile(rf"#pagina-{PAGES}$"))
    page.locator(f"#pagina-{PAGES} img").evaluate("img => img.decode()")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"account-management-samenvatting-{line.order.number}.pdf"
    saved = tmp_path / "copy.pdf"
    download.save_as(saved)
    with pdf_open(saved.read_bytes()) as pdf:
        stamp = f"Gekocht door Anna de Vries · bestelling {line.order.number}"
        assert all(stamp in pdf.page_text(n).splitlines() for n in range(1, PAGES + 1))

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/mijn-documenten/{listing.document_id}/lezen/")
    page.locator("#pagina-1 img").evaluate("img => img.decode()")
    width = page.evaluate("document.querySelector('#pagina-1 img').getBoundingClientRect().width")
    assert width == 390  # the page takes the phone's whole width
    page.screenshot(path=ARTIFACTS / "reader-phone.png")


def test_the_download_button_appears_when_the_pdf_is_ready(browser_page: Page, live_server):
    page = browser_page
    buyer = UserFactory()
    listing = listing_with_pdf(pages=2)
    purchase(buyer=buyer, listing=listing)
    StampedCopy.objects.update(status=StampedCopyStatus.PENDING, file="")
    _log_in(page, live_server, buyer)

    page.goto("/mijn-documenten/")
    expect(page.get_by_text("Je PDF wordt klaargemaakt…")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "library-pending.png")
    copy_id = StampedCopy.objects.get().pk
    threading.Timer(1.0, lambda: stamped_copy_build(stamped_copy_id=copy_id)).start()
    expect(page.get_by_role("button", name="Download PDF")).to_be_visible(timeout=8_000)
    page.screenshot(path=ARTIFACTS / "library-ready.png", full_page=True)


def test_the_buyer_reviews_from_the_listing_page(browser_page: Page, live_server):
    page = browser_page
    buyer = UserFactory(first_name="Anna", last_name="de Vries")
    listing = listing_with_pdf(title="Account Management Samenvatting", pages=2)
    purchase(buyer=buyer, listing=listing)
    _log_in(page, live_server, buyer)

    page.goto(listing.get_absolute_url() + "#reviews")
    page.get_by_text("4 sterren").click()
    page.get_by_label("Je review").fill("Heel duidelijk en volledig.")
    page.locator("#review-form").screenshot(path=ARTIFACTS / "review-form.png")
    page.get_by_role("button", name="Review plaatsen").click()

    expect(page.get_by_text("Bedankt voor je review.")).to_be_visible()
    expect(page.locator("#reviews")).to_contain_text("Heel duidelijk en volledig.")
    expect(page.locator("#rating")).to_contain_text("(1 review)")
    page.locator("#reviews").screenshot(path=ARTIFACTS / "review-shown.png")
