"""A listing's counters, changed here and nowhere else: sales (orders), reviews and ratings
(reviews), views (the listing page). Each change is one UPDATE with F() in the database, never
read-modify-write, so two requests at once cannot lose one. The search index reads these
counters for its sorts: the callers, above search, queue the re-index.

View counting is once per visitor per listing per day: the hot path does one cache ``add``
(atomic "set if absent"); only a visitor's first view of the day touches the database.
"""

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from studymarket.catalog.models import Listing

_SECONDS_IN_DAY = 86400


def visitor_key(*, user_id: int | None, ip: str, user_agent: str) -> str:
    raw = f"u{user_id}" if user_id else f"{ip}|{user_agent}"
    # Hashed with the secret key so the cache never holds IP addresses.
    return hashlib.blake2b(f"{settings.SECRET_KEY}|{raw}".encode(), digest_size=12).hexdigest()


def listing_view_record(*, listing_id: int, visitor: str) -> bool:
    """Count the view if this visitor has not seen the listing today; True if counted."""
    day = timezone.localdate().isoformat()
    if not cache.add(f"view:{listing_id}:{visitor}:{day}", 1, timeout=_SECONDS_IN_DAY):
        return False
    Listing.objects.filter(pk=listing_id).update(view_count=F("view_count") + 1)
    return True


def listing_sales_add(*, listing_ids: Iterable[int]) -> None:
    """One more sale of each listing (a paid order line)."""
    Listing.objects.filter(pk__in=list(listing_ids)).update(sold_count=F("sold_count") + 1)


def listing_sale_remove(*, listing_id: int) -> None:
    """One sale fewer (a refunded or charged-back line); never below zero."""
    Listing.objects.filter(pk=listing_id, sold_count__gt=0).update(sold_count=F("sold_count") - 1)


def listing_review_add(*, listing_id: int, rating: int) -> None:
    """A new review of ``rating`` stars: the count and the sum the average is made of."""
    Listing.objects.filter(pk=listing_id).update(
        review_count=F("review_count") + 1, rating_sum=F("rating_sum") + rating
    )
