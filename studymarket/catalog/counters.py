"""A listing's counters, changed here and nowhere else: sales (orders), reviews and ratings
(reviews), views (the listing page). Each change is one UPDATE with F() in the database, never
read-modify-write, so two requests at once cannot lose one. The search index reads these
counters for its sorts: the callers, above search, queue the re-index.

View counting is once per visitor per listing per day (the application's clock decides the
day): the hot path does one or two cache ``add``s (atomic "set if absent"); only a visitor's
first view of the day touches the database. A visitor is something a client cannot change for
free on every request (issue 12, finding 7: a new User-Agent per request counted again):

- the logged-in user;
- else the session, for a visitor who has one (a cart, say). New anonymous sessions are cheap
  to make, so one address counts at most VIEW_COUNT_SESSIONS_PER_ADDRESS anonymous visitors
  per listing per day;
- else the client's address.

The User-Agent never identifies a visitor; it only keeps crawlers (always) and scripts (when
they have no session) out of the count. Keys are keyed hashes of the visitor and the day, so
the cache holds no address and yesterday's key cannot be linked to today's.
"""

import re
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from studymarket.catalog.models import Listing
from studymarket.core import clock

_SECONDS_IN_DAY = 86400

# Crawlers say so in their User-Agent (Googlebot, bingbot, GPTBot, AhrefsBot, Bytespider,
# facebookexternalhit...). "cubot" is a phone brand, not a robot.
_CRAWLER = re.compile(
    r"(?<!cu)bot(?:\b|[/_-])|crawl|spider|slurp|archiver|facebookexternalhit|mediapartners|"
    r"feedfetcher|lighthouse|pingdom",
    re.IGNORECASE,
)
# HTTP libraries and headless browsers: automated unless they carry a session or a login.
_SCRIPT = re.compile(
    r"^(?:curl|wget|python|java|go-http-client|okhttp|libwww-perl|httpie|axios|node-fetch|undici|"
    r"aiohttp|httpx|scrapy|php|ruby|perl|powershell)|headlesschrome|phantomjs",
    re.IGNORECASE,
)


def visitor_automated(*, user_agent: str, known: bool) -> bool:
    """A crawler (always), or a script or an empty User-Agent without a session or login."""
    if _CRAWLER.search(user_agent):
        return True
    return not known and (not user_agent.strip() or bool(_SCRIPT.search(user_agent)))


def _hash(*parts: object) -> str:
    # Keyed with the secret key: the cache never holds an address or a session key.
    value = "|".join(str(part) for part in parts)
    return salted_hmac("studymarket.catalog.views", value, algorithm="sha256").hexdigest()[:24]


def visitor_key(*, user_id: int | None, session_key: str | None, ip: str, day: str) -> str:
    """Who the visitor is today: the user, else the session, else the address."""
    if user_id:
        return _hash("u", user_id, day)
    if session_key:
        return _hash("s", session_key, day)
    return _hash("a", ip, day)


def listing_view_record(
    *, listing_id: int, user_id: int | None, session_key: str | None, ip: str, user_agent: str
) -> bool:
    """Count the view if this visitor has not seen the listing today and is no robot; True if
    counted. ``session_key`` only of a session that exists (not any cookie a client sends)."""
    if visitor_automated(user_agent=user_agent, known=bool(user_id or session_key)):
        return False
    day = timezone.localdate(clock.now()).isoformat()
    visitor = visitor_key(user_id=user_id, session_key=session_key, ip=ip, day=day)
    if not cache.add(f"view:{listing_id}:{visitor}", 1, timeout=_SECONDS_IN_DAY):
        return False
    if not user_id and not _address_has_room(listing_id=listing_id, ip=ip, day=day):
        return False
    Listing.objects.filter(pk=listing_id).update(view_count=F("view_count") + 1)
    return True


def _address_has_room(*, listing_id: int, ip: str, day: str) -> bool:
    """One more anonymous visitor from this address today, if it has not had its share."""
    key = f"view-address:{listing_id}:{_hash('a', ip, day)}"
    cache.add(key, 0, timeout=_SECONDS_IN_DAY)
    try:
        seen = cache.incr(key)
    except ValueError:  # expired between the add and the incr: a new day's first
        cache.add(key, 1, timeout=_SECONDS_IN_DAY)
        seen = 1
    return bool(seen <= settings.VIEW_COUNT_SESSIONS_PER_ADDRESS)


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
