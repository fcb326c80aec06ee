"""The reference listing, opened in Chromium as a visitor would, fact by fact."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from studymarket.catalog.models import Listing
from studymarket.core.page_cache import public_pages_changed
from studymarket.reviews.services import review_create
from studymarket.storefront.demo.listings import REFERENCE_JSON
from tests.browser.demo import demo_data_loaded
from tests.factories import UserFactory
from tests.purchases import purchase

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
    page.locator("#toc-more > summary").click()  # folded after the first chapter (issue 16)
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


# --- Issue 16: a listing page as finished as a shop people pay at ----------------------------

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def _reference_listing() -> Listing:
    return Listing.objects.get(title=REFERENCE["listing"]["title"])


def _in_view(page, selector: str) -> bool:
    """Wholly inside the viewport, and the topmost element at its centre (not covered)."""
    return bool(
        page.locator(selector).first.evaluate(
            """el => {
                const box = el.getBoundingClientRect();
                const inside = box.width > 0 && box.top >= 0 && box.left >= 0
                    && box.bottom <= window.innerHeight && box.right <= window.innerWidth;
                const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
                return inside && (hit === el || el.contains(hit));
            }"""
        )
    )


def _scroll_to(page, selector: str) -> None:
    page.locator(selector).first.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(100)


def test_price_and_cart_button_stay_in_view_while_scrolling(live_server, browser_page):
    demo_data_loaded()
    page = browser_page
    url = live_server.url + _reference_listing().get_absolute_url()
    cart = "#buy-bar button[type=submit]"

    # Desktop: a box beside the page that stays in view (position: sticky).
    page.set_viewport_size(DESKTOP)
    page.goto(url)
    assert _in_view(page, "#price")
    assert _in_view(page, cart)
    page.screenshot(path=str(ARTIFACTS / "listing-1280-top.png"))
    for section in ("#toc", "#reviews", "#faq"):
        _scroll_to(page, section)
        assert page.evaluate("window.scrollY") > 1000
        assert _in_view(page, "#price"), section
        assert _in_view(page, cart), section
    _scroll_to(page, "#reviews")
    page.screenshot(path=str(ARTIFACTS / "listing-1280-reviews.png"))

    # Phone: a bar at the bottom of the screen with the price and the button.
    page.set_viewport_size(PHONE)
    page.goto(url)
    assert _in_view(page, "#price")
    assert _in_view(page, cart)
    bar = page.locator("#buy-bar").bounding_box()
    assert bar is not None
    assert bar["y"] + bar["height"] == pytest.approx(PHONE["height"], abs=1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways overflow
    page.screenshot(path=str(ARTIFACTS / "listing-375-top.png"))
    _scroll_to(page, "#reviews")
    assert _in_view(page, "#price")
    assert _in_view(page, cart)
    page.screenshot(path=str(ARTIFACTS / "listing-375-reviews.png"))
    # At the very end the bar covers nothing: the footer's last line ends above it.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(100)
    footer = page.locator("footer.site-footer").bounding_box()
    bar = page.locator("#buy-bar").bounding_box()
    assert footer is not None
    assert bar is not None
    assert footer["y"] + footer["height"] <= bar["y"] + 1

    # The button in the bar works as the box's did.
    page.locator(cart).click()
    page.get_by_text("Toegevoegd").wait_for()
    assert page.locator("#cart-count").inner_text() == "1"


def test_preview_right_after_the_facts_and_the_toc_folded(live_server, browser_page):
    demo_data_loaded()
    page = browser_page
    page.goto(live_server.url + _reference_listing().get_absolute_url())
    entries = REFERENCE["table_of_contents"]

    # The main column: description, "Over dit document", then at once the preview.
    sections = page.locator(".listing-main > section").evaluate_all("els => els.map(el => el.id)")
    assert sections[sections.index("about") + 1] == "preview"
    assert page.locator("#about h2").inner_text() == "Over dit document"

    # The first chapter shown, the rest behind one click.
    def shown() -> list[str]:  # the entries' titles, without their page numbers (" · p. 12")
        texts = page.locator("#toc li:visible").all_inner_texts()
        return [re.sub(r" · p\. \d+$", "", text) for text in texts]

    assert shown() == entries[:8]
    summary = page.locator("#toc-more > summary")
    assert summary.inner_text() == f"Toon de hele inhoudsopgave ({len(entries)} onderdelen)"
    assert not page.locator("#toc li", has_text=entries[-1]).is_visible()
    summary.click()
    assert shown() == entries

    # The quality card, from what processing stored.
    quality = page.locator("#quality")
    assert quality.locator("#quality-text dd").inner_text() == "Getypt"
    assert quality.locator("#quality-language dd").inner_text() == "Nederlands"
    assert quality.locator("#quality-toc dd").inner_text() == "Ja"
    assert (
        quality.locator("#quality-images dd")
        .inner_text()
        .endswith(f"van {REFERENCE['listing']['page_count']}")
    )
    assert int(quality.locator("#quality-words dd").inner_text().replace(".", "")) > 1000


def test_open_graph_and_twitter_card_tags(live_server, browser_page):
    demo_data_loaded()
    page = browser_page
    listing = _reference_listing()
    page.goto(live_server.url + listing.get_absolute_url())

    def meta(name: str) -> str:
        attribute = "name" if name.startswith("twitter:") else "property"
        return page.locator(f'meta[{attribute}="{name}"]').get_attribute("content") or ""

    assert meta("og:title") == listing.title
    assert meta("og:type") == "product"
    assert meta("og:description") == REFERENCE["listing"]["description"]
    assert meta("og:url") == f"{settings.SITE_URL}{listing.get_absolute_url()}"
    assert meta("og:locale") == "nl_NL"
    assert meta("og:image").startswith(("http://", "https://"))
    assert meta("og:image").endswith(".webp")
    assert meta("twitter:card") == "summary_large_image"
    assert meta("twitter:image") == meta("og:image")
    assert page.request.get(meta("og:image").replace(settings.SITE_URL, live_server.url)).ok

    page.goto(live_server.url + "/en" + listing.get_absolute_url())
    assert meta("og:locale") == "en_GB"

    for path in (listing.course.get_absolute_url(), listing.seller.get_absolute_url()):
        page.goto(live_server.url + path)
        assert meta("og:url") == f"{settings.SITE_URL}{path}"
        assert meta("og:title")
        assert meta("og:description")
        assert meta("og:image").startswith("http")
        assert meta("twitter:card") == "summary_large_image"
    assert meta("og:type") == "profile"


def test_reviews_name_the_reviewer_by_first_name_and_initial(live_server, browser_page):
    demo_data_loaded()
    listing = _reference_listing()
    sanne = UserFactory(email="sanne@example.test", first_name="Sanne", last_name="de Vries")
    review_create(
        author=sanne, order_line=purchase(buyer=sanne, listing=listing), rating=5, text="Heel duidelijk"
    )
    public_pages_changed()
    page = browser_page
    page.goto(live_server.url + listing.get_absolute_url())

    authors = page.locator("#reviews .review-author").all_inner_texts()
    assert "Sanne V." in authors
    assert "de Vries" not in page.locator("#reviews").inner_text()
    structured = json.loads(page.locator("#structured-data").inner_text())
    assert {review["author"]["name"] for review in structured["review"]} >= {"Sanne V."}
    assert "de Vries" not in page.locator("#structured-data").inner_text()
    # The review card's header is as wide as its body (issue 16, defect 9).
    widths = page.locator("#reviews .review").first.evaluate(
        "el => [el.getBoundingClientRect(), el.querySelector('header').getBoundingClientRect()]"
        ".map(box => [Math.round(box.left), Math.round(box.right)])"
    )
    card, header = widths
    assert card[0] <= header[0]
    assert header[1] <= card[1]
    # The seller card names the seller's tier.
    assert page.locator("#seller .tier").count() in (0, 1)


def _thumbnails(page) -> list[dict[str, str]]:
    images: list[dict[str, str]] = page.locator(".listing-thumb img").evaluate_all(
        """imgs => imgs.map(img => ({alt: img.alt, width: img.getAttribute('width'),
            height: img.getAttribute('height'), loading: img.getAttribute('loading'), src: img.src}))"""
    )
    return images


def test_product_cards_show_the_first_page(live_server, browser_page):
    demo_data_loaded()
    page = browser_page
    listing = _reference_listing()
    for name, path, selector in (
        ("home", "/", ".listing-card"),
        ("search", "/zoeken/?q=account", ".search-hit"),
        ("course", listing.course.get_absolute_url(), ".listing-card"),
        ("seller", listing.seller.get_absolute_url(), ".listing-card"),
    ):
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            page.goto(live_server.url + path)
            cards = page.locator(selector)
            assert cards.count() >= 1, name
            images = _thumbnails(page)
            assert len(images) == cards.count(), name  # one thumbnail per card
            for position, image in enumerate(images, 1):
                assert image["alt"].startswith("Eerste pagina van "), name
                assert (image["width"], int(image["height"]) > 200) == ("180", True), name
                assert image["loading"] == (
                    "lazy" if position > 4 - (2 if name == "search" else 0) else None
                ), name
            first = page.locator(".listing-thumb img").first
            first.scroll_into_view_if_needed()
            assert first.evaluate("img => img.complete && img.naturalWidth") == 180, name
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
            page.screenshot(path=str(ARTIFACTS / f"cards-{name}-{viewport['width']}.png"))
    # The whole card is the link.
    page.goto(live_server.url + "/")
    page.locator(".listing-card .listing-thumb").first.click(force=True)  # lands on the title's link
    page.wait_for_url("**/document/**")
