from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone

from studymarket.catalog.counters import listing_views_flush
from studymarket.catalog.models import Book, Listing
from studymarket.reviews.services import review_create
from tests.factories import ListingFactory, UserFactory
from tests.purchases import purchase

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _page(client, listing: Listing, **headers) -> str:
    response = client.get(listing.get_absolute_url(), **headers)
    assert response.status_code == 200
    return str(response.content.decode())


def test_listing_page_shows_facts_the_dutch_way(client):
    listing = ListingFactory(
        price_cents=949,
        view_count=43,
        sold_count=3,
        published_at=datetime(2021, 7, 30, 12, tzinfo=ZoneInfo("Europe/Amsterdam")),
        whole_book_summarized=True,
    )
    html = _page(client, listing)
    assert "€ 9,49" in html
    assert "43 keer bekeken" in html
    assert "3 keer verkocht" in html
    assert "30 juli 2021" in html
    assert "Voorbeeld 2 van de 12 pagina's" in html
    assert "Tekst van pagina 2" in html
    assert "Tekst van pagina 3" not in html  # beyond the preview: never in the HTML
    assert "In winkelwagen" in html
    assert "Alle documenten voor dit vak (1)" in html
    for badge in (
        "100% tevredenheidsgarantie",
        "Direct beschikbaar na betaling",
        "Zowel online als in PDF",
        "Je zit nergens aan vast",
    ):
        assert badge in html
    assert 'id="book"' not in html  # an empty book block is left out


def test_listing_page_in_english(client):
    listing = ListingFactory(price_cents=949)
    response = client.get("/en" + listing.get_absolute_url())
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()


def test_book_block_shown_when_there_is_a_book(client):
    book = Book.objects.create(title="Marketing", authors="P. Kotler", edition="5e", isbn13="9789043036115")
    listing = ListingFactory(book=book)
    html = _page(client, listing)
    assert 'id="book"' in html
    assert "P. Kotler" in html
    assert "9789043036115" in html


def test_view_counted_once_per_visitor_per_day(client):
    # More cases (agents, crawlers, the next day): tests/catalog/test_views_counted.py.
    browser = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}
    listing = ListingFactory(view_count=43)
    assert "43 keer bekeken" in _page(client, listing, **browser)
    assert "44 keer bekeken" in _page(client, listing, **browser)
    _page(client, listing, **browser)
    listing_views_flush()  # views wait in the cache until the periodic flush (issue 14)
    listing.refresh_from_db()
    assert listing.view_count == 44
    _page(client, listing, HTTP_USER_AGENT="another browser")  # the same visitor (issue 12, finding 7)
    listing_views_flush()
    listing.refresh_from_db()
    assert listing.view_count == 44


def test_review_shows_author_and_relative_date(client):
    listing = ListingFactory()
    author = UserFactory(email="demo-reviewer@example.test")
    review_create(
        author=author,
        order_line=purchase(buyer=author, listing=listing),
        rating=4,
        text="Duidelijk <script>alert(1)</script>",
        created_at=timezone.now() - timedelta(days=2 * 365 + 60),
    )
    html = _page(client, listing)
    assert "demo-reviewer" in html
    assert "2 jaar geleden" in html
    assert "<script>alert(1)</script>" not in html
    assert "(1 review)" in html


def test_unpublished_listing_is_404(client):
    listing = ListingFactory(status="draft")
    assert client.get(listing.get_absolute_url()).status_code == 404


def test_wrong_slug_redirects_to_canonical_url(client):
    listing = ListingFactory()
    response = client.get(f"/document/{listing.pk}/oude-titel/")
    assert response.status_code == 301
    assert response["Location"] == listing.get_absolute_url()
