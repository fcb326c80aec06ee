"""View counting: once per visitor per listing per day.

The hot path does one cache ``add`` (atomic "set if absent"); only a visitor's
first view of the day touches the database, with a single UPDATE ... + 1.
"""

import hashlib

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
