"""An ISBN as people type it (hyphens, spaces, "ISBN", the old ten digits) finds the book's
listings as its thirteen digits do, on both backends (see conftest.py), through the service
and the search page."""

import pytest

from studymarket.catalog.models import Book
from studymarket.search import analysis
from tests.search.searching import ids, listing_make

ISBN13 = "9781861529473"


@pytest.fixture
def listing(db):
    book = Book.objects.create(title="Kostprijsberekening", authors="Peeters", isbn13=ISBN13)
    other = Book.objects.create(title="Marketing", authors="Kotler", isbn13="9780306406157")
    listing_make(title="Samenvatting marketing", book=other)
    return listing_make(title="Samenvatting kostprijzen", book=book)


@pytest.mark.parametrize(
    "typed",
    [ISBN13, "978-1-86152-947-3", "978 1 86152 947 3", "ISBN 978-1-86152-947-3", "isbn-13: 9781861529473"],
)
def test_an_isbn_as_typed_finds_the_book(listing, indexed, typed):
    indexed()
    assert ids(typed) == [listing.pk]


def test_an_isbn_with_other_words(listing, indexed):
    indexed()
    assert ids("samenvatting 978-1-86152-947-3") == [listing.pk]
    assert ids("marketing 978-1-86152-947-3") == []


def test_the_search_page_finds_the_book_by_its_hyphenated_isbn(listing, indexed, client):
    indexed()
    response = client.get("/zoeken/", {"q": "978-1-86152-947-3"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Samenvatting kostprijzen" in page
    assert "Samenvatting marketing" not in page


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("978-1-86152-947-3", ISBN13),
        ("0-306-40615-2", "9780306406157"),  # ISBN-10: as its ISBN-13
        ("978-1-86152-947-4", "978-1-86152-947-4"),  # wrong check digit: words as typed
        ("hoofdstuk 2023 2024", "hoofdstuk 2023 2024"),
        ("MAN 3025", "MAN 3025"),
    ],
)
def test_isbns_joined(typed, read):
    assert analysis.isbns_joined(typed) == read
