"""The reference listing, opened in Chromium as a visitor would, fact by fact."""

import json
from pathlib import Path

import pytest

from studymarket.catalog.models import Listing
from studymarket.storefront.demo.listings import REFERENCE_JSON
from tests.browser.demo import demo_data_loaded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = json.loads(REFERENCE_JSON.read_text(encoding="utf-8"))
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def test_reference_listing_in_chromium(live_server, browser_page):
    demo_data_loaded()
    facts = REFERENCE["listing"]
    listing = Listing.objects.get(title=facts["title"])
    page = browser_page
    page.goto(live_server.url + listing.get_absolute_url())

    body = page.inner_text("body")
    assert page.locator("h1").inner_text() == facts["title"]
    assert page.locator("#price").inner_text() == facts["price"]["shown_as_nl"]
    assert f"{facts['views']} keer bekeken" in body
    assert f"{facts['sold']} keer verkocht" in body
    assert facts["shown_preview_nl"] in body
    assert facts["shown_upload_date_nl"] in page.locator("#facts").inner_text()
    facts_text = page.locator("#facts").inner_text()
    for shown in (
        "Hele boek samengevat\tJa",
        f"Aantal pagina's\t{facts['page_count']}",
        f"Academisch jaar\t{facts['academic_year']}",
        f"Type\t{facts['document_type']}",
    ):
        assert shown.replace("\t", "\n") in facts_text or shown in facts_text
    assert page.locator("#book").count() == 0
    assert f"Alle documenten voor dit vak ({facts['documents_for_this_course']})" in body
    review = page.locator("#reviews .review")
    assert review.count() == len(facts["reviews"])
    assert "demo-reviewer" in review.first.inner_text()
    assert facts["reviews"][0]["written"] in review.first.inner_text()
    assert "demo-seller" in page.locator("#seller").inner_text()
    for badge in facts["guarantee_badges_nl"]:
        assert badge in page.locator("#badges").inner_text()
    assert page.locator("#faq details").count() == len(facts["faq_topics"])
    assert "documenten verkocht in de laatste 30 dagen" in page.locator("#platform-figures").inner_text()
    assert "reviews geschreven" in page.locator("#platform-figures").inner_text()
    assert page.locator("#sell-cta").get_by_role("button", name="Start met verkopen").count() == 1
    toc = page.locator("#toc li")
    assert toc.count() == len(REFERENCE["table_of_contents"])
    assert (
        "4.5 Het segmenteren van de leveranciersportfolio: de Kraljic-matrix"
        in page.locator("#toc").inner_text()
    )

    images = page.locator("#preview img")
    assert images.count() == facts["preview_page_count"]
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
        width = images.nth(i).evaluate(
            "img => img.complete ? img.naturalWidth"
            " : new Promise(done => {"
            " img.onload = () => done(img.naturalWidth); img.onerror = () => done(0); })"
        )
        assert width > 0
    # The preview pages' text is in the HTML for search engines; the other pages' is not.
    html = page.content()
    assert page.locator("#preview .preview-text").count() == facts["preview_page_count"]
    assert "Demo-inhoud" in html

    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "listing-page.png"), full_page=False)
    page.screenshot(path=str(ARTIFACTS / "listing-page-full.png"), full_page=True)

    # The cart button swaps to "Toegevoegd" without a reload (htmx), and stays so after one.
    page.get_by_role("button", name="In winkelwagen").click()
    page.get_by_text("Toegevoegd").wait_for()
    assert page.locator("#cart-count").inner_text() == "1"
    page.reload()
    assert page.get_by_text("Toegevoegd").count() == 1
    assert page.locator("#cart-count").inner_text() == "1"
    assert page.locator("html").get_attribute("lang") == "nl"
