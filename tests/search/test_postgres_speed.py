"""The postgres backend's speed measures (issue 6): counts that stop at COUNT_LIMIT, relevance
pages without counting every match, batched writes, and the bench loader writing what index()
writes. Runs when the tests run on PostgreSQL, with and without RUM (see conftest.py)."""

from datetime import datetime

import pytest
from django.db import connection

from studymarket.search.backends.base import IndexDoc
from studymarket.search.backends.postgres import querying, writing
from studymarket.search.types import SearchQuery
from tests.search.searching import AMSTERDAM, found, ids, listing_make


@pytest.fixture
def postgres(backend_name):
    if not backend_name.startswith("postgres"):
        pytest.skip("postgres backend only")


def test_the_count_stops_at_the_limit_and_says_so(postgres, indexed, monkeypatch):
    monkeypatch.setattr(querying, "COUNT_LIMIT", 3)
    for n in range(5):
        listing_make(title=f"Statistiek {n}", language="en" if n == 0 else "nl")
    listing_make(title="Boekhouden")
    indexed()
    result = found("statistiek")
    assert (result.total, result.total_capped) == (3, True)
    assert len(result.hits) == 5  # the hits themselves are not limited
    assert sum(value.count for value in result.facets["language"]) == 4  # over the first four
    # Every match can still be paged through.
    pages = [ids("statistiek", page=page, page_size=2) for page in (1, 2, 3)]
    assert sorted(sum(pages, [])) == sorted(set(sum(pages, [])))
    assert len(sum(pages, [])) == 5
    # Under the limit the count is exact.
    monkeypatch.setattr(querying, "COUNT_LIMIT", 5)
    result = found("statistiek")
    assert (result.total, result.total_capped) == (5, False)
    assert {value.value: value.count for value in result.facets["language"]} == {"nl": 4, "en": 1}


def test_the_search_page_says_more_than_when_the_count_stopped(postgres, indexed, monkeypatch, client):
    monkeypatch.setattr(querying, "COUNT_LIMIT", 2)
    for n in range(3):
        listing_make(title=f"Statistiek {n}")
    indexed()
    response = client.get("/zoeken/", {"q": "statistiek"})
    assert response.status_code == 200
    assert "Meer dan 2 resultaten voor “statistiek”" in response.content.decode()


@pytest.mark.parametrize("in_title", [1, 3])
def test_relevance_pages_past_the_small_field_matches(postgres, indexed, monkeypatch, in_title):
    monkeypatch.setattr(querying, "RERANK", 2)
    titled = [listing_make(title=f"Econometrie {'deel ' * n}{n}") for n in range(in_title)]
    inside = [
        listing_make(
            title=f"Anders {n}",
            pages=["Iets over econometrie."],
            published_at=datetime(2021, 7, 1 + n, tzinfo=AMSTERDAM),
        )
        for n in range(3)
    ]
    indexed()
    pages = [ids("econometrie", page=page, page_size=2) for page in range(1, 5)]
    everything = sum(pages, [])
    # Small-field matches first, then the page-only ones newest first, each exactly once.
    assert sorted(everything[:in_title]) == sorted(x.pk for x in titled)
    assert everything[in_title:] == [x.pk for x in reversed(inside)]
    # Straight to a page that starts past the small-field matches.
    assert ids("econometrie", page=3, page_size=2) == pages[2]


def _doc(listing_id: int, title: str, pages: list[str]) -> IndexDoc:
    return IndexDoc(
        listing_id=listing_id,
        title=title,
        description="Een samenvatting over kosten.",
        course_name="Kostprijs",
        course_code="KP 101",
        institution_name="Odisee",
        institution_slug="odisee",
        course_id=1,
        toc=["Inleiding", "Kostprijs"],
        document_type="summary",
        academic_year="2024-2025",
        price_cents=499,
        published_at=datetime(2021, 7, 30, 12, tzinfo=AMSTERDAM),
        rating_avg=4.5,
        sold_count=3,
        preview_page_count=1,
        pages=pages,
    )


def test_index_writes_in_batches_and_the_last_version_wins(postgres, engine, monkeypatch):
    monkeypatch.setattr(writing, "INDEX_BATCH", 2)
    docs = [_doc(n, f"Kostprijs {n}", [f"Pagina over marge {n}.", "Geheim"]) for n in range(1, 6)]
    docs.append(_doc(3, "Vervangen titel", ["Nieuwe tekst."]))
    statements = []

    def counting(execute, sql, params, many, context):
        if "SAVEPOINT" not in sql:
            statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        engine.index(docs)
    # Per batch of two: the listings locked, two deletes, the listings, the pages.
    assert len(statements) == 3 * 5
    assert engine.count() == 5
    assert [hit.listing_id for hit in engine.search(SearchQuery(text="vervangen")).hits] == [3]
    assert sorted(hit.listing_id for hit in engine.search(SearchQuery(text="marge")).hits) == [1, 2, 4, 5]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_page WHERE listing_id = 3")
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT count(*) FROM search_page WHERE preview_text IS NOT NULL")
        assert cursor.fetchone()[0] == 5  # page 1 of each; never a locked page's text


def test_the_bench_loader_writes_what_index_writes(postgres, engine):
    from bench.search_kit import pgfill

    docs = [_doc(n, f"Kostprijs {n}", ["Pagina één.", "Pagina twee."]) for n in range(1, 4)]
    pgfill.fill(docs)
    assert engine.count() == 3
    pgfill.check(engine, docs)  # raises on drift
    assert engine.search(SearchQuery(text="kostprijs")).total == 3


def test_near_misses_need_every_word(postgres, indexed):
    wanted = listing_make(title="Kostprijsberekening", description="Over bedrijfseconomie.")
    listing_make(title="Sterrenkunde", description="Over planeten.")
    indexed()
    # One word nearly a name, the other exactly in the text: both must hold.
    assert ids("kostprijsberekenig bedrijfseconomie") == [wanted.pk]
    assert ids("kostprijsberekenig planeten") == []
    assert ids("kostprijsberekenig") == [wanted.pk]
