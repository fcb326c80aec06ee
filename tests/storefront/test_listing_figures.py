"""The listing page's own figures: sold in the last 30 days and reviews written, counted from the
orders and reviews, cached per listing."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from studymarket.catalog.models import Listing
from studymarket.core import clock
from studymarket.orders.models import Order, OrderLine
from studymarket.orders.services import order_create
from studymarket.reviews.services import review_create
from studymarket.storefront.listing_figures import (
    ListingFigures,
    listing_figures_forget,
    listing_figures_get,
)
from tests.factories import ListingFactory, UserFactory
from tests.purchases import purchase

pytestmark = pytest.mark.django_db


def _figures_html(client, listing: Listing) -> str:
    response = client.get(listing.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    section = re.search(r'<section id="listing-figures".*?</section>', html, re.S)
    assert section, "the listing page has no figures of its own"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", section.group(0))).strip()


def _sale(listing: Listing, *, days_ago: float = 1) -> OrderLine:
    line = purchase(buyer=UserFactory(), listing=listing)
    Order.objects.filter(pk=line.order_id).update(paid_at=clock.now() - timedelta(days=days_ago))
    return line


def test_sold_in_the_last_30_days_counts_paid_not_refunded_sales_of_this_listing():
    listing = ListingFactory()
    _sale(listing, days_ago=1)
    _sale(listing, days_ago=29.9)
    _sale(listing, days_ago=30.1)  # too long ago
    refunded = _sale(listing, days_ago=2)
    OrderLine.objects.filter(pk=refunded.pk).update(refunded_at=timezone.now())
    order_create(buyer=UserFactory(), listings=[listing])  # never paid
    _sale(ListingFactory(), days_ago=1)  # another listing
    duplicate = _sale(listing, days_ago=1)  # the buyer had it already: refunded by itself, no sale
    OrderLine.objects.filter(pk=duplicate.pk).update(already_held=True)

    assert listing_figures_get(listing_id=listing.pk).sold_recently == 2


def test_the_30_days_follow_the_business_clock():
    listing = ListingFactory()
    _sale(listing, days_ago=25)
    assert listing_figures_get(listing_id=listing.pk).sold_recently == 1

    clock.advance(timedelta(days=6))
    listing_figures_forget(listing_id=listing.pk)

    assert listing_figures_get(listing_id=listing.pk).sold_recently == 0


def test_reviews_written_counts_this_listings_reviews_refunded_ones_too():
    listing = ListingFactory()
    for rating in (5, 2):
        buyer = UserFactory()
        review_create(author=buyer, order_line=purchase(buyer=buyer, listing=listing), rating=rating, text="")
    OrderLine.objects.filter(review__listing=listing, review__rating=2).update(refunded_at=timezone.now())
    other = ListingFactory()
    buyer = UserFactory()
    review_create(author=buyer, order_line=purchase(buyer=buyer, listing=other), rating=4, text="")

    assert listing_figures_get(listing_id=listing.pk).reviews_written == 2
    assert listing_figures_get(listing_id=other.pk).reviews_written == 1


def test_the_page_shows_them_the_dutch_way(client):
    listing = ListingFactory()
    buyer = UserFactory()
    review_create(author=buyer, order_line=purchase(buyer=buyer, listing=listing), rating=4, text="Goed")

    assert _figures_html(client, listing) == (
        "Dit document in cijfers 1 keer verkocht in de laatste 30 dagen 1 beoordeling geschreven"
    )


def test_large_figures_get_dutch_thousands_separators(client):
    listing = ListingFactory()
    cache.set(f"listing-figures:v1:{listing.pk}", ListingFigures(sold_recently=1234, reviews_written=5678))

    assert _figures_html(client, listing) == (
        "Dit document in cijfers 1.234 keer verkocht in de laatste 30 dagen 5.678 beoordelingen geschreven"
    )


def test_figures_are_cached_per_listing(client, django_assert_num_queries):
    listing = ListingFactory()
    other = ListingFactory()
    _sale(listing)
    assert "1 keer verkocht in de laatste 30 dagen" in _figures_html(client, listing)

    _sale(listing)  # within the cache's few minutes the page keeps its figure
    assert "1 keer verkocht in de laatste 30 dagen" in _figures_html(client, listing)
    assert "0 keer verkocht in de laatste 30 dagen" in _figures_html(client, other)  # its own key
    with django_assert_num_queries(0):
        listing_figures_get(listing_id=listing.pk)

    listing_figures_forget(listing_id=listing.pk)
    assert "2 keer verkocht in de laatste 30 dagen" in _figures_html(client, listing)


def test_the_cache_lasts_the_configured_seconds(client, settings):
    settings.PLATFORM_FIGURES_CACHE_SECONDS = 0  # Django: 0 seconds is not cached at all
    listing = ListingFactory()
    assert "0 keer verkocht" in _figures_html(client, listing)

    _sale(listing)

    assert "1 keer verkocht in de laatste 30 dagen" in _figures_html(client, listing)


def test_platform_figures_are_still_on_the_page(client):
    listing = ListingFactory()
    _sale(listing)

    html = client.get(listing.get_absolute_url()).content.decode()

    platform = re.search(r'<section id="platform-figures".*?</section>', html, re.S)
    assert platform
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", platform.group(0))).strip()
    assert text == "studymarket in cijfers 1 document verkocht in de laatste 30 dagen 0 reviews geschreven"
