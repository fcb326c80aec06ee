"""The tantivy backend's reading side: a searcher is reused until the index changes, a commit
by another process is seen by the next search, page hits for a whole result page come from
one query and stay each listing's best pages, and the total comes from the aggregation."""

import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from studymarket.search.backends.base import PAGE_HITS_PER_LISTING, IndexDoc
from studymarket.search.backends.tantivy import TantivyBackend
from studymarket.search.backends.tantivy import page_hits as tantivy_page_hits
from studymarket.search.backends.tantivy import querying as tantivy_querying
from studymarket.search.types import FacetValue, PageHit, SearchQuery

ROOT = Path(__file__).resolve().parents[2]


def doc(listing_id: int, title: str, **fields) -> IndexDoc:
    defaults = {
        "course_name": "Statistiek",
        "course_id": 7,
        "institution_slug": "odisee",
        "document_type": "summary",
        "academic_year": "2020/2021",
        "price_cents": 949,
        "published_at": datetime(2021, 7, 30, 10, tzinfo=UTC),
    }
    return IndexDoc(listing_id=listing_id, title=title, **{**defaults, **fields})


@pytest.fixture
def backend(tmp_path):
    engine = TantivyBackend(index_dir=tmp_path)
    yield engine
    engine.destroy()


def test_the_searcher_is_reused_until_the_index_changes(backend):
    backend.index([doc(1, "Regressieanalyse")])
    first = backend._searcher()
    assert backend._searcher() is first  # nothing committed: no reload
    backend.index([doc(2, "Regressie en correlatie")])
    second = backend._searcher()
    assert second is not first
    assert [hit.listing_id for hit in backend.search(SearchQuery(text="correlatie")).hits] == [2]
    backend.delete([2])
    assert backend.search(SearchQuery(text="correlatie")).total == 0


def test_a_commit_by_another_process_is_seen_by_the_next_search(backend, tmp_path):
    backend.index([doc(1, "Regressieanalyse")])
    before = backend._searcher()
    assert backend.search(SearchQuery(text="kansrekening")).total == 0
    # The worker: another process, with its own open index, commits a listing.
    script = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django
        django.setup()
        from studymarket.search.backends.base import IndexDoc
        from studymarket.search.backends.tantivy import TantivyBackend
        TantivyBackend(index_dir={str(tmp_path)!r}).index(
            [IndexDoc(listing_id=2, title="Kansrekening", price_cents=500)]
        )
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120, cwd=ROOT)
    result = backend.search(SearchQuery(text="kansrekening"))
    assert [hit.listing_id for hit in result.hits] == [2]
    assert result.total == 1
    assert backend._searcher() is not before


def test_page_hits_are_each_listings_best_pages_even_when_another_fills_the_first_query(backend):
    """Listing 1 has many pages full of the word: they fill the one query's fetched pages, so
    listing 2's pages are looked up on their own, and still come out best first."""
    crowded = [f"kwadraat kwadraat kwadraat pagina {n}" for n in range(1, 61)]
    sparse = ["Niets hier."] * 10
    sparse[3] = "Een lange pagina met veel andere woorden " * 20 + "en ergens een kwadraat."
    sparse[6] = "Het kwadraat, kort."
    sparse[8] = "Nog een kwadraat in een iets langere zin met meer woorden erbij."
    backend.index(
        [
            doc(1, "Kwadraten oefenen", pages=crowded, preview_page_count=2),
            doc(2, "Meetkunde", pages=sparse, preview_page_count=8),
        ]
    )
    fetched = tantivy_page_hits.PAGE_HITS_FETCHED_PER_LISTING * 2
    assert len(crowded) > fetched  # the first query cannot hold listing 2's pages
    result = backend.search(SearchQuery(text="kwadraat"))
    by_listing = {hit.listing_id: hit.page_hits for hit in result.hits}
    assert set(by_listing) == {1, 2}
    assert len(by_listing[1]) == PAGE_HITS_PER_LISTING
    assert [page.page_number for page in by_listing[2]] == [7, 9, 4]
    assert by_listing[2][0] == PageHit(
        page_number=7, locked=False, snippet_html="Het <mark>kwadraat</mark>, kort."
    )
    assert by_listing[2][1].locked is True
    assert by_listing[2][1].snippet_html == ""
    assert by_listing[2][2].locked is False
    assert "<mark>kwadraat</mark>" in by_listing[2][2].snippet_html


def test_page_hits_of_a_result_page_come_from_one_query_when_they_fit(backend, monkeypatch):
    backend.index(
        [
            doc(n, f"Document {n}", pages=["Inleiding.", f"De matrix op pagina twee van {n}."])
            for n in range(1, 6)
        ]
    )
    searcher = backend._searcher()
    calls = []

    class Counting:
        def __getattr__(self, name):
            return getattr(searcher, name)

        def search(self, *args, **kwargs):
            calls.append(args)
            return searcher.search(*args, **kwargs)

    monkeypatch.setattr(backend, "_searcher", lambda: Counting())
    result = backend.search(SearchQuery(text="matrix"))
    assert sorted(hit.listing_id for hit in result.hits) == [1, 2, 3, 4, 5]
    assert all(hit.page_hits[0].page_number == 2 for hit in result.hits)
    assert len(calls) == 2  # the listings, then the pages of all five


def test_the_total_and_the_facets_come_from_the_one_search_for_the_page(backend, monkeypatch):
    searcher = backend._searcher()
    calls = []

    class Counting:
        def __getattr__(self, name):
            return getattr(searcher, name)

        def search(self, *args, **kwargs):
            calls.append(kwargs)
            return searcher.search(*args, **kwargs)

        def aggregate(self, *args, **kwargs):
            raise AssertionError("no aggregation: it visits every match")

    backend.index(
        [
            doc(1, "Marketing basis", price_cents=199),
            doc(2, "Marketing verdieping", price_cents=999, institution_slug="ku-leuven"),
            doc(3, "Marketing examens", price_cents=2500, language="en"),
            doc(4, "Boekhouding", price_cents=700),
        ]
    )
    searcher = backend._searcher()
    monkeypatch.setattr(backend, "_searcher", lambda: Counting())
    result = backend.search(SearchQuery(text="marketing", page_size=2))
    assert (result.total, result.total_capped) == (3, False)
    assert len(result.hits) == 2
    assert [call["count"] for call in calls[:1]] == [False]  # no count collector: WAND may skip
    monkeypatch.undo()
    assert result.facets["price"] == [
        FacetValue(value="-499", label="-499", count=1),
        FacetValue(value="500-999", label="500-999", count=1),
        FacetValue(value="1500-", label="1500-", count=1),
    ]
    assert sorted((f.value, f.count) for f in result.facets["institution"]) == [
        ("ku-leuven", 1),
        ("odisee", 2),
    ]
    # Page 2 and a page past the end keep the total.
    assert backend.search(SearchQuery(text="marketing", page_size=2, page=2)).total == 3
    past = backend.search(SearchQuery(text="marketing", page_size=2, page=5))
    assert (past.hits, past.total) == ([], 3)
    newest = backend.search(SearchQuery(text="", sort="newest"))
    assert newest.total == 4
    assert backend.search(SearchQuery(text="geschiedenis")).total == 0


def test_the_count_stops_at_the_limit_and_the_facets_count_the_best(backend, monkeypatch):
    monkeypatch.setattr(tantivy_querying, "COUNT_LIMIT", 3)
    backend.index(
        [
            doc(1, course_name="Algemeen", title="Statistiek statistiek statistiek", language="en"),
            doc(2, course_name="Algemeen", title="Statistiek statistiek"),
            doc(3, course_name="Algemeen", title="Statistiek voor economen"),
            doc(4, course_name="Algemeen", title="Statistiek, een inleiding voor wie begint met cijfers"),
            doc(
                5,
                course_name="Algemeen",
                title="Statistiek en kansrekening voor de eerste bachelor en de schakeljaren",
            ),
            doc(6, course_name="Algemeen", title="Boekhouden"),
        ]
    )
    result = backend.search(SearchQuery(text="statistiek", page_size=10))
    assert (result.total, result.total_capped) == (3, True)
    assert len(result.hits) == 5  # the hits themselves are not limited
    best = [hit.listing_id for hit in result.hits[:3]]
    # The facets count the best three matches, the English one among them.
    assert sum(value.count for value in result.facets["language"]) == 3
    languages = {listing_id: "en" if listing_id == 1 else "nl" for listing_id in best}
    assert {value.value: value.count for value in result.facets["language"]} == {
        language: list(languages.values()).count(language) for language in set(languages.values())
    }
    pages = [
        [
            hit.listing_id
            for hit in backend.search(SearchQuery(text="statistiek", page=page, page_size=2)).hits
        ]
        for page in (1, 2, 3)
    ]
    assert sorted(sum(pages, [])) == [1, 2, 3, 4, 5]
    monkeypatch.setattr(tantivy_querying, "COUNT_LIMIT", 5)
    exact = backend.search(SearchQuery(text="statistiek"))
    assert (exact.total, exact.total_capped) == (5, False)
    assert {value.value: value.count for value in exact.facets["language"]} == {"nl": 4, "en": 1}


def test_facet_values_are_named_from_their_codes_in_a_new_process_too(backend):
    backend.index([doc(1, "Marketing", institution_slug="ku-leuven", academic_year="2024/2025")])
    tantivy_querying._facet_values.clear()
    result = backend.search(SearchQuery(text="marketing"))
    assert [f.value for f in result.facets["institution"]] == ["ku-leuven"]
    assert [f.value for f in result.facets["academic_year"]] == ["2024/2025"]


def test_the_service_checks_the_hits_by_primary_key_alone(backend_name, indexed):
    """The published re-check must not filter on the status nor order (on SQLite that plans a
    scan of the status/published_at index): by key only, the status read back and checked."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from studymarket.catalog.models import Listing, ListingStatus
    from tests.search.searching import found, listing_make

    shown = listing_make(title="Kansrekening deel 1")
    hidden = listing_make(title="Kansrekening deel 2")
    indexed()
    Listing.objects.filter(pk=hidden.pk).update(status=ListingStatus.UNPUBLISHED)  # no task ran
    with CaptureQueriesContext(connection) as queries:
        result = found("kansrekening")
    assert [hit.listing_id for hit in result.hits] == [shown.pk]
    assert result.total == 1
    check = next(
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "catalog_listing"' in q["sql"] and '"preview_page_count"' in q["sql"]
    )
    assert "ORDER BY" not in check
    assert '"status" =' not in check


def test_the_search_page_says_more_than_when_the_count_stopped(backend_name, indexed, monkeypatch, client):
    from tests.search.searching import listing_make

    if backend_name != "tantivy":
        pytest.skip("tantivy backend only (the postgres one: test_postgres_speed.py)")
    monkeypatch.setattr(tantivy_querying, "COUNT_LIMIT", 2)
    for n in range(3):
        listing_make(title=f"Statistiek {n}")
    indexed()
    response = client.get("/zoeken/", {"q": "statistiek"})
    assert response.status_code == 200
    assert "Meer dan 2 resultaten voor “statistiek”" in response.content.decode()
