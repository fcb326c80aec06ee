"""What people find: the issue's cases, on both backends (see conftest.py)."""

from datetime import datetime, timedelta

import pytest
from django.db.models import F

from studymarket.catalog.models import Book, Listing, ListingStatus
from studymarket.search.types import FacetValue, PageHit, SearchQuery
from studymarket.storefront.demo.listings import reference_facts
from tests.search.searching import AMSTERDAM, course_make, found, ids, listing_make

FACTS = reference_facts()["listing"]
TOC = reference_facts()["table_of_contents"]
SECRET = "Zwartwerkplaats"  # a word only on a locked page (ADR 0013: never searchable)


@pytest.fixture
def reference(db):
    """The reference listing (title, course, institution, description and table of contents as
    in reference-listing.json) among listings that share some of its words."""
    course = course_make(name=FACTS["course"], code="MAN 3025", institution=FACTS["institution"])
    pages = [f"Pagina {n}: over klanten en verkopen." for n in range(1, 103)]
    pages[2] = "Verkopen in België is een boeiend vak; de accountmanager bezoekt klanten."
    # "Kraljic" is in the table of contents too; SECRET only here, behind the paywall.
    pages[36] = f"Op deze pagina staat de {SECRET} die alleen kopers lezen, bij de Kraljic-matrix."
    listing = listing_make(
        title=FACTS["title"],
        course=course,
        description=FACTS["description"],
        toc=TOC,
        pages=pages,
        preview_page_count=FACTS["preview_page_count"],
        price_cents=FACTS["price"]["amount_cents"],
    )
    listing_make(
        title="Management accounting samenvatting",
        course=course_make(name="Management Accounting", institution="KU Leuven"),
        description="Kostprijsberekening en budgettering. Account en management komen kort aan bod.",
    )
    listing_make(
        title="Marketing management oefeningen",
        course=course_make(name="Marketing", institution="UGent"),
        description="Oefeningen bij het vak marketing.",
    )
    return listing


def test_account_management_finds_the_reference_listing_first(reference, indexed):
    indexed()
    result = found("account management")
    assert result.hits[0].listing_id == reference.pk
    assert result.total == 2  # the accounting one names both words; the marketing one not "account"


def test_kraljic_is_found_through_the_table_of_contents(reference, indexed):
    indexed()
    assert ids("Kraljic") == [reference.pk]
    assert ids("kraljic-matrix") == [reference.pk]


def test_typos_in_titles_and_courses_are_forgiven(reference, indexed):
    indexed()
    assert ids("acount managment")[0] == reference.pk
    assert ids("Acount Managment Odise")[0] == reference.pk


def test_a_word_without_its_accents_finds_it_with_them(reference, indexed):
    indexed()
    result = found("belgie")
    assert [hit.listing_id for hit in result.hits] == [reference.pk]
    assert result.hits[0].page_hits == [
        PageHit(
            page_number=3,
            locked=False,
            snippet_html=(
                "Verkopen in <mark>België</mark> is een boeiend vak; de accountmanager bezoekt klanten."
            ),
        )
    ]
    assert ids("BELGIË") == [reference.pk]


@pytest.mark.parametrize("typed", ["MAN 3025", "MAN3025", "man3025", "man-3025", "Man 3025"])
def test_course_codes_are_found_however_they_are_typed(reference, indexed, typed):
    indexed()
    assert ids(typed) == [reference.pk]


def test_a_code_stored_without_space_is_found_with_one(db, indexed):
    listing = listing_make(title="Statistiek I", course=course_make(name="Statistiek", code="STA1001"))
    indexed()
    assert ids("STA 1001") == [listing.pk]
    assert ids("sta1001") == [listing.pk]


def test_dutch_words_are_found_by_their_stem(db, indexed):
    listing = listing_make(
        title="Bedrijfseconomie", description="Over investeringen, kosten en de verkoopprijzen."
    )
    other = listing_make(title="Recht", description="Het verbintenissenrecht.")
    indexed()
    assert ids("investering") == [listing.pk]
    assert ids("kost") == [listing.pk]
    assert ids("verbintenissenrecht") == [other.pk]


def test_english_words_are_found_by_their_stem(db, indexed):
    listing = listing_make(title="Managing organisations", language="en", description="Studies of firms.")
    indexed()
    assert ids("management") == [listing.pk]
    assert ids("study") == [listing.pk]


def test_a_hit_on_a_locked_page_says_where_but_never_shows_the_text(reference, indexed):
    indexed()
    result = found("kraljic")
    assert [hit.listing_id for hit in result.hits] == [reference.pk]
    assert result.hits[0].page_hits == [PageHit(page_number=37, locked=True, snippet_html="")]


def test_a_word_only_on_a_locked_page_finds_nothing(reference, indexed):
    """Nobody can test whether a word stands behind the paywall (ADR 0013)."""
    indexed()
    assert found(SECRET).total == 0
    assert found(f"kraljic {SECRET}").total == 0


def test_page_hits_are_the_best_three_and_preview_pages_have_a_snippet(reference, indexed):
    indexed()
    hit = found("klanten").hits[0]
    assert len(hit.page_hits) == 3
    for page_hit in hit.page_hits:
        if page_hit.page_number <= FACTS["preview_page_count"]:
            assert not page_hit.locked
            assert "<mark>klanten</mark>" in page_hit.snippet_html
        else:
            assert page_hit == PageHit(page_number=page_hit.page_number, locked=True, snippet_html="")


def test_the_preview_shrinking_after_indexing_locks_the_page_in_results(reference, indexed):
    indexed()
    Listing.objects.filter(pk=reference.pk).update(preview_page_count=2)  # index not yet updated
    assert found("belgie").hits[0].page_hits == [PageHit(page_number=3, locked=True, snippet_html="")]


def test_snippets_are_escaped_text(db, indexed):
    listing_make(
        title="Webtechnologie", pages=["Gebruik nooit <script>alert(1)</script> in invoer & uitvoer."]
    )
    indexed()
    (page_hit,) = found("alert").hits[0].page_hits
    assert page_hit.snippet_html == (
        "Gebruik nooit &lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt; in invoer &amp; uitvoer."
    )


def test_facets_count_the_matching_listings(db, indexed):
    odisee = course_make(name="Account Management", institution="Odisee")
    leuven = course_make(name="Accounting", institution="KU Leuven")
    listing_make(title="Samenvatting A", course=odisee, price_cents=449, academic_year="2020/2021")
    listing_make(title="Samenvatting B", course=odisee, price_cents=949, document_type="exam")
    listing_make(title="Samenvatting C", course=leuven, price_cents=1500, language="en")
    listing_make(title="Iets anders", course=leuven, price_cents=999, description="Oefeningen.")
    indexed()
    result = found("samenvatting")
    assert result.total == 3
    assert result.facets == {
        "institution": [FacetValue("odisee", "Odisee", 2), FacetValue("ku-leuven", "KU Leuven", 1)],
        "course": [
            FacetValue(str(odisee.pk), "Account Management (Odisee)", 2),
            FacetValue(str(leuven.pk), "Accounting (KU Leuven)", 1),
        ],
        "document_type": [
            FacetValue("summary", "Samenvatting", 2),
            FacetValue("exam", "Tentamen (uitwerkingen)", 1),
        ],
        "academic_year": [FacetValue("2020/2021", "2020/2021", 3)],
        "language": [FacetValue("nl", "Nederlands", 2), FacetValue("en", "Engels", 1)],
        "price": [
            FacetValue("-499", "tot € 4,99", 1),
            FacetValue("500-999", "€ 5,00 – € 9,99", 1),
            FacetValue("1500-", "vanaf € 15,00", 1),
        ],
    }


def test_filters_narrow_the_results_and_their_facets(db, indexed):
    odisee = course_make(name="Account Management", institution="Odisee")
    leuven = course_make(name="Accounting", institution="KU Leuven")
    a = listing_make(title="Samenvatting A", course=odisee, price_cents=449)
    b = listing_make(title="Samenvatting B", course=odisee, price_cents=949, document_type="exam")
    c = listing_make(
        title="Samenvatting C", course=leuven, price_cents=1500, language="en", academic_year="2022/2023"
    )
    indexed()
    assert sorted(ids("samenvatting", institution="odisee")) == sorted([a.pk, b.pk])
    assert ids("samenvatting", course=leuven.pk) == [c.pk]
    assert ids("samenvatting", document_type="exam") == [b.pk]
    assert ids("samenvatting", academic_year="2022/2023") == [c.pk]
    assert ids("samenvatting", language="en") == [c.pk]
    assert ids("samenvatting", price_min_cents=500, price_max_cents=999) == [b.pk]
    assert sorted(ids("samenvatting", price_max_cents=949)) == sorted([a.pk, b.pk])
    assert ids("samenvatting", price_min_cents=1500) == [c.pk]
    assert ids(institution="ku-leuven") == [c.pk]  # no words: everything that passes the filters
    narrowed = found("samenvatting", institution="odisee")
    assert narrowed.total == 2
    assert narrowed.facets["institution"] == [FacetValue("odisee", "Odisee", 2)]
    assert ids("samenvatting", institution="nergens") == []


def test_sorts(db, indexed):
    start = datetime(2024, 1, 1, tzinfo=AMSTERDAM)
    old = listing_make(title="Statistiek oud", published_at=start, sold_count=9, review_count=2, rating_sum=6)
    new = listing_make(
        title="Statistiek nieuw",
        published_at=start + timedelta(days=5),
        sold_count=1,
        review_count=1,
        rating_sum=5,
    )
    mid = listing_make(
        title="Statistiek statistiek statistiek",
        published_at=start + timedelta(days=2),
        sold_count=4,
        review_count=4,
        rating_sum=16,
    )
    indexed()
    assert ids("statistiek", sort="newest") == [new.pk, mid.pk, old.pk]
    assert ids("statistiek", sort="rating") == [new.pk, mid.pk, old.pk]  # 5.0, 4.0, 3.0
    assert ids("statistiek", sort="sales") == [old.pk, mid.pk, new.pk]
    assert ids(sort="relevance") == [new.pk, mid.pk, old.pk]  # no words: newest first
    assert len(ids("statistiek", sort="relevance")) == 3


def test_pages_of_results(db, indexed):
    start = datetime(2024, 1, 1, tzinfo=AMSTERDAM)
    made = [listing_make(title=f"Statistiek {n}", published_at=start + timedelta(days=n)) for n in range(5)]
    indexed()
    newest_first = [listing.pk for listing in reversed(made)]
    pages = [found("statistiek", sort="newest", page=page, page_size=2) for page in (1, 2, 3, 4)]
    assert [[hit.listing_id for hit in page.hits] for page in pages] == [
        newest_first[0:2],
        newest_first[2:4],
        newest_first[4:5],
        [],
    ]
    assert {page.total for page in pages[:3]} == {5}
    relevance = [found("statistiek", page=page, page_size=2) for page in (1, 2, 3)]
    assert sorted(hit.listing_id for page in relevance for hit in page.hits) == sorted(newest_first)


def test_only_published_listings_are_found_even_before_the_index_catches_up(reference, indexed):
    indexed()
    Listing.objects.filter(pk=reference.pk).update(status=ListingStatus.UNPUBLISHED)  # no task ran
    assert ids("kraljic") == []
    assert found("kraljic").total == 0


def test_a_book_title_and_isbn_find_the_listing(db, indexed):
    book = Book.objects.create(
        title="Marketingmanagement: een inleiding", authors="Kotler", isbn13="9789043036238"
    )
    listing = listing_make(title="Samenvatting marketing", book=book)
    indexed()
    assert ids("kotler") == [listing.pk]
    assert ids("9789043036238") == [listing.pk]


def test_a_word_in_the_title_and_one_inside_the_pages_together(reference, indexed, backend_name):
    indexed()
    # Both backends find a listing by words that are all inside its pages.
    assert ids("accountmanager bezoekt") == [reference.pk]


def test_no_words_and_nothing_matching(db, indexed):
    listing = listing_make(title="Fysica")
    indexed()
    assert ids("") == [listing.pk]
    assert found("xyzzyquux").total == 0
    assert found("xyzzyquux").hits == []


def test_the_score_orders_relevance(reference, indexed):
    indexed()
    hits = found("management").hits
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


def test_counters_reach_the_index_on_reindex(reference, indexed):
    indexed()
    Listing.objects.filter(pk=reference.pk).update(sold_count=F("sold_count") + 50)
    indexed()
    assert ids("samenvatting", sort="sales")[0] == reference.pk


def test_search_query_defaults_to_the_page_size_setting(settings):
    settings.SEARCH_PAGE_SIZE = 7
    assert SearchQuery().page_size == 7


def test_relevance_pages_cover_every_match_once_small_fields_first(db, indexed, monkeypatch):
    from studymarket.search.backends.postgres import querying

    monkeypatch.setattr(querying, "RERANK", 3)  # PostgreSQL with RUM: pages cross the re-ranked window
    in_title = [listing_make(title=f"Econometrie {'deel ' * n}{n}") for n in range(4)]
    in_pages = [listing_make(title=f"Anders {n}", pages=["Iets over econometrie."]) for n in range(2)]
    indexed()
    pages = [ids("econometrie", page=page, page_size=2) for page in (1, 2, 3, 4)]
    assert sorted(pages[0] + pages[1]) == sorted(listing.pk for listing in in_title)
    assert sorted(pages[2]) == sorted(listing.pk for listing in in_pages)
    assert pages[3] == []


def test_pages_are_stemmed_in_the_listing_language(db, indexed):
    english = listing_make(title="Strategy", language="en", pages=["The companies were studied closely."])
    dutch = listing_make(title="Strategie", pages=["De verkopen stegen."])
    indexed()
    hit = found("company study").hits[0]
    assert hit.listing_id == english.pk
    assert hit.page_hits == [
        PageHit(
            page_number=1,
            locked=False,
            snippet_html="The <mark>companies</mark> were <mark>studied</mark> closely.",
        )
    ]
    assert ids("verkoop") == [dutch.pk]
