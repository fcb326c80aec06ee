"""The figures of one listing its page shows besides the platform's: how often it sold in the last
30 days and how many reviews were written about it.

Counted from the orders and reviews themselves, not from the listing's denormalised counters, and
cached per listing for PLATFORM_FIGURES_CACHE_SECONDS: a busy page costs two COUNTs every few
minutes, not two per visit. "Sold" means paid and not refunded, as everywhere (DESIGN.md); the 30
days are counted back from the business clock.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache

from studymarket.core import clock
from studymarket.orders.models import OrderLine, OrderStatus
from studymarket.reviews.models import Review

SOLD_WINDOW_DAYS = 30


@dataclass(frozen=True)
class ListingFigures:
    sold_recently: int  # in the last SOLD_WINDOW_DAYS days
    reviews_written: int
    window_days: int = SOLD_WINDOW_DAYS


def _cache_key(listing_id: int) -> str:
    return f"listing-figures:v1:{listing_id}"


def listing_figures_get(*, listing_id: int) -> ListingFigures:
    figures: ListingFigures | None = cache.get(_cache_key(listing_id))
    if figures is None:
        since = clock.now() - timedelta(days=SOLD_WINDOW_DAYS)
        figures = ListingFigures(
            sold_recently=OrderLine.objects.filter(
                listing_id=listing_id,
                order__status=OrderStatus.PAID,
                order__paid_at__gte=since,
                refunded_at__isnull=True,
                already_held=False,  # paid again for a document the buyer had: refunded, no sale
            ).count(),
            reviews_written=Review.objects.filter(listing_id=listing_id).count(),
        )
        cache.set(_cache_key(listing_id), figures, settings.PLATFORM_FIGURES_CACHE_SECONDS)
    return figures


def listing_figures_forget(*, listing_id: int) -> None:
    cache.delete(_cache_key(listing_id))
