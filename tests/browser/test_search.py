"""Finding documents in Chromium, as a new visitor would (issue 6, "Done when"), through the
real search service and index. Screenshots go to /tmp/h6-shots (and tests/artifacts on failure).
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from studymarket.catalog.models import Listing
from studymarket.documents.models import DocumentPage
from studymarket.search.backends import backend_get
from studymarket.search.index_sync import search_index_listings
from tests.browser.demo import demo_data_loaded
from tests.factories import CourseFactory, InstitutionFactory, ListingFactory, ProgrammeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/h6-shots")
REFERENCE_TITLE = "Account Management Samenvatting Odisee"
# Words of a body page of the demo PDF that comes after the reference listing's preview.
LOCKED_PHRASE = "denk bij kraljic-matrix"


def _shot(page: Page, name: str, *, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    # caret="initial": hiding the caret leaves style="" on inputs, which htmx's history snapshot
    # keeps and the Content-Security-Policy refuses when Back restores it.
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page, caret="initial")


def _search_from_header(page: Page, words: str) -> None:
    if page.locator("#header-q").count() == 0:
        # The search page has one search box, its own (issue 16): htmx swaps the results in.
        box = page.locator("#search-page-q")
        box.fill(words)
        box.press("Enter")
        expect(page.locator("#search-heading")).to_contain_text(f"“{words}”")
        return
    box = page.locator("#header-q")
    box.fill(words)
    # As a person would: the suggestions open while typing (and no request is cut off by
    # leaving the page, which htmx reports as an error), then Enter searches for the words.
    expect(page.locator("#header-suggestions .suggestion-search")).to_have_text(f"Zoek naar “{words}”")
    with page.expect_navigation():
        box.press("Enter")


def _first_hit_title(page: Page) -> str:
    return page.locator("#hits .search-hit-title").first.inner_text()


def _hit(page: Page, title: str):
    return page.locator("#hits .search-hit").filter(has=page.get_by_role("link", name=title, exact=True))


def test_a_new_visitor_finds_the_reference_listing(live_server, browser_page):
    # Whatever an earlier test left in this run's index goes: ids restart after a flush.
    backend_get().clear()
    demo_data_loaded()
    reference = Listing.objects.select_related("course").get(title=REFERENCE_TITLE)
    version = reference.document.current_version
    page = browser_page
    page.goto("/")

    # "account management": the reference listing first.
    _search_from_header(page, "account management")
    expect(page).to_have_url(re.compile(r"/zoeken/\?q=account\+management$"))
    assert _first_hit_title(page) == REFERENCE_TITLE
    first = page.locator("#hits .search-hit").first
    assert "€ 9,49" in first.inner_text()
    assert "Account Management · Odisee" in first.inner_text()
    _shot(page, "1-account-management")
    _shot(page, "1-account-management-top", full_page=False)

    # "Kraljic": found through its table of contents, on the (preview) contents page.
    _search_from_header(page, "Kraljic")
    hit = _hit(page, REFERENCE_TITLE)
    expect(hit).to_have_count(1)
    hit_text = hit.inner_text()
    assert re.search(r"p\. \d+ \(voorbeeld\) .*Kraljic", hit_text), hit_text
    assert hit.locator(".snippet mark").first.inner_text().lower() == "kraljic"
    _shot(page, "2-kraljic")

    # A typo in both words still finds it.
    _search_from_header(page, "acount managment")
    assert _first_hit_title(page) == REFERENCE_TITLE
    _shot(page, "3-typos")

    # A phrase from a page after the preview: the page number, "for buyers only", no text.
    texts = {
        number: " ".join(text.split()).lower()
        for number, text in DocumentPage.objects.filter(version=version).values_list("number", "text")
    }
    locked_pages = sorted(number for number, text in texts.items() if LOCKED_PHRASE in text)
    assert locked_pages
    assert min(locked_pages) > reference.preview_page_count
    locked_text = texts[locked_pages[0]]
    _search_from_header(page, LOCKED_PHRASE)
    hit = _hit(page, REFERENCE_TITLE)
    expect(hit).to_have_count(1)
    locked = hit.locator(".page-hit-locked")
    expect(locked.first).to_be_visible()
    shown = locked.all_inner_texts()
    assert f"p. {locked_pages[0]} (alleen voor kopers)" in [text.strip() for text in shown], shown
    assert hit.locator(".page-hit-locked .snippet").count() == 0
    # Not a word of the locked page beyond what was typed reaches the browser.
    html = " ".join(re.sub(r"<[^>]+>", "", page.content()).split()).lower()
    start = locked_text.index(LOCKED_PHRASE)
    after = locked_text[start : start + 80]
    assert after not in html
    _shot(page, "4-locked-phrase")

    # The result's course page lists it, with the link to all its documents in the search.
    page.goto("/zoeken/?q=account+management")
    _hit(page, REFERENCE_TITLE).get_by_role("link", name="Account Management", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(reference.course.get_absolute_url()) + "$"))
    expect(page.locator("h1")).to_contain_text("Account Management")
    expect(page.locator(".listing-card").filter(has_text=REFERENCE_TITLE)).to_have_count(1)
    _shot(page, "5-course-page")
    page.locator("#course-search").click()
    expect(page).to_have_url(re.compile(rf"/zoeken/\?vak={reference.course.pk}$"))
    expect(page.locator("#active-filters")).to_contain_text("Vak:")
    assert _first_hit_title(page) == REFERENCE_TITLE
    _shot(page, "6-course-search")

    # Up from the course to its programme; the seller with their reputation; a book's page.
    page.goto(reference.course.get_absolute_url())
    programme = reference.course.programme
    page.locator(".breadcrumb").get_by_role("link", name=programme.name).click()
    expect(page).to_have_url(re.compile(re.escape(programme.get_absolute_url()) + "$"))
    expect(page.locator("#courses")).to_contain_text("Account Management")
    _shot(page, "11-programme")
    page.goto(reference.seller.get_absolute_url())
    expect(page.locator("#reputation")).to_contain_text("punt")
    expect(page.locator("#seller-stats")).to_contain_text("keer verkocht")
    _shot(page, "12-seller")
    with_book = Listing.objects.filter(status="published", book__isbn13__isnull=False).select_related("book")
    about_book = with_book.first()
    assert about_book is not None
    assert about_book.book is not None
    page.goto(about_book.get_absolute_url())
    page.locator("#book").get_by_role("link", name=about_book.book.title).click()
    expect(page.locator("h1")).to_have_text(about_book.book.title)
    expect(page.locator(".listing-card").filter(has_text=about_book.title)).to_have_count(1)
    _shot(page, "13-book")


@pytest.fixture
def small_catalog():
    backend_get().clear()
    odisee = InstitutionFactory(name="Odisee", slug="odisee")
    course = CourseFactory(
        programme=ProgrammeFactory(institution=odisee, name="Bedrijfsmanagement", slug="bedrijfsmanagement"),
        name="Marketingcommunicatie",
        code="MKT 101",
        slug="marketingcommunicatie",
    )
    other = CourseFactory(name="Boekhouden", slug="boekhouden")
    listings = [
        ListingFactory(
            course=course, title=f"Marketing samenvatting {n}", document_type="summary", price_cents=500 + n
        )
        for n in range(23)
    ]
    listings += [
        ListingFactory(course=course, title="Marketing oefenexamen", document_type="exam", price_cents=1500),
        ListingFactory(course=other, title="Boekhouden marketing-kosten", document_type="summary"),
    ]
    search_index_listings(listing_ids=[listing.pk for listing in listings])
    return course


def test_filters_sorting_and_pages_update_in_place_with_htmx(live_server, browser_page, small_catalog):
    page = browser_page
    page.goto("/zoeken/?q=marketing")
    expect(page.locator("h1")).to_have_text("25 resultaten voor “marketing”")
    # A mark that a full page load would wipe out.
    page.evaluate("window.__stayed = true")

    page.locator("#facet-type").get_by_role("link", name=re.compile("^Tentamen")).click()
    expect(page).to_have_url(re.compile(r"/zoeken/\?q=marketing&type=exam$"))
    expect(page.locator("h1")).to_have_text("1 resultaat voor “marketing”")
    assert _first_hit_title(page) == "Marketing oefenexamen"
    assert page.evaluate("window.__stayed === true")
    # The followed link went with the old results: the focus is on the new heading.
    expect(page.locator("#search-heading")).to_be_focused()
    expect(page).to_have_title("Zoeken naar “marketing” · studymarket")
    _shot(page, "7-htmx-filter")

    page.locator("#active-filters").get_by_role("link", name=re.compile("Tentamen")).click()
    expect(page.locator("h1")).to_have_text("25 resultaten voor “marketing”")
    page.locator("#sort").get_by_role("link", name="Nieuwste").click()
    expect(page).to_have_url(re.compile(r"sortering=nieuwste$"))
    page.locator("#pagination").get_by_role("link", name="Volgende ›").click()
    expect(page).to_have_url(re.compile(r"/zoeken/\?q=marketing&sortering=nieuwste&pagina=2$"))
    expect(page.locator("#hits .search-hit")).to_have_count(5)
    expect(page.locator("#hits")).to_have_attribute("start", "21")
    assert page.evaluate("window.__stayed === true")
    _shot(page, "8-htmx-page-2")

    # Back goes to the previous results, as with full pages.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/zoeken/\?q=marketing&sortering=nieuwste$"))
    expect(page.locator("#hits .search-hit")).to_have_count(20)

    # New words keep the filters chosen.
    page.locator("#facet-type").get_by_role("link", name=re.compile("^Samenvatting")).click()
    expect(page.locator("#active-filters")).to_contain_text("Samenvatting")
    page.locator("#search-page-q").fill("boekhouden")
    page.locator("#search-page-q").press("Enter")
    expect(page).to_have_url(re.compile(r"/zoeken/\?q=boekhouden&type=summary"))
    assert _first_hit_title(page) == "Boekhouden marketing-kosten"
    assert page.evaluate("window.__stayed === true")


def test_everything_works_without_javascript(live_server, browser: Browser, small_catalog):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/")
        page.locator("#header-q").fill("marketing")
        with page.expect_navigation():
            page.locator("#header-q").press("Enter")
        expect(page.locator("h1")).to_have_text("25 resultaten voor “marketing”")
        page.locator("#facet-type").get_by_role("link", name=re.compile("^Tentamen")).click()
        expect(page).to_have_url(re.compile(r"/zoeken/\?q=marketing&type=exam$"))
        expect(page.locator("h1")).to_have_text("1 resultaat voor “marketing”")
        page.locator("#active-filters").get_by_role("link").first.click()
        page.locator("#pagination").get_by_role("link", name="Volgende ›").click()
        expect(page).to_have_url(re.compile(r"pagina=2$"))
        expect(page.locator("#hits .search-hit")).to_have_count(5)
        _shot(page, "9-no-javascript")
    finally:
        context.close()


def test_header_suggestions(live_server, browser_page, small_catalog):
    page = browser_page
    page.goto("/")
    box = page.locator("#header-q")
    box.press_sequentially("Marketingc", delay=30)
    suggestions = page.locator("#header-suggestions .suggestion")
    course_link = page.locator("#header-suggestions .suggestion-course a").first
    expect(course_link).to_contain_text("Marketingcommunicatie")
    expect(suggestions.last).to_have_text("Zoek naar “Marketingc”")
    _shot(page, "10-suggestions", full_page=False)

    # Arrow down reaches the suggestions, Escape closes them.
    box.press("ArrowDown")
    expect(page.locator("#header-suggestions a").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(box).to_be_focused()
    expect(page.locator("#header-suggestions li")).to_have_count(0)

    box.press_sequentially("o", delay=30)
    expect(course_link).to_be_visible()
    course_link.click()
    expect(page).to_have_url(re.compile(re.escape(small_catalog.get_absolute_url()) + "$"))


def test_search_page_on_a_phone(live_server, browser_page, small_catalog):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/zoeken/?q=marketing")
    expect(page.locator("h1")).to_have_text("25 resultaten voor “marketing”")
    # Nothing runs off the side of the screen; the filters are folded, the results come first.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator("#facet-type")).to_be_hidden()
    expect(page.locator("#hits .search-hit").first).to_be_in_viewport()
    _shot(page, "14-phone", full_page=False)

    page.locator("#facets-heading").click()
    page.locator("#facet-type").get_by_role("link", name=re.compile("^Tentamen")).click()
    expect(page.locator("h1")).to_have_text("1 resultaat voor “marketing”")
    expect(page.locator("#facets-heading")).to_have_text("Filters (1)")
    expect(page.locator("#facet-type")).to_be_hidden()
    _shot(page, "14-phone-filtered", full_page=False)
