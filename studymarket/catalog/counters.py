"""A listing's counters, changed here and nowhere else: sales (orders), reviews and ratings
(reviews), views (the listing page). Each change is one UPDATE with F() in the database, never
read-modify-write, so two requests at once cannot lose one. The search index reads these
counters for its sorts: the callers, above search, queue the re-index.

View counting is once per visitor per listing per day (the application's clock decides the
day): the hot path does one or two cache ``add``s (atomic "set if absent") and never writes to
the database: a visitor's first view of the day adds one to the listing's count waiting in the
cache, and ``listing_views_flush`` (a periodic task, every VIEW_COUNT_FLUSH_INTERVAL_SECONDS)
moves the waiting counts into ``Listing.view_count`` with one UPDATE per listing (issue 14: a
write per visitor held the page up behind SQLite's one writer). The listing page shows the
stored count plus the waiting one (``listing_views_pending``).

A visitor is something a client cannot change for free on every request (issue 12, finding 7:
a new User-Agent per request counted again):

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
    _pending_add(listing_id)
    return True


# Waiting views outlive a worker that is down for a while, not forever.
_PENDING_SECONDS = 7 * _SECONDS_IN_DAY
# Keys read per cache round trip when the flush reads the log or sweeps every listing.
_FLUSH_CHUNK = 500
# Which listings have views waiting: an append-only log in the cache, numbered by an atomic
# counter (the cache offers no sets; a list kept by read-modify-write would lose entries when
# two processes add at once). A listing is logged when its waiting count goes from 0 to 1, so
# the log grows with listings viewed, not with views. Each flush reads the log from where the
# last one stopped, minus _LOG_OVERLAP entries (a number taken but not yet written when the
# last flush read); once a day it also sweeps every listing, for an entry lost all the same.
_LOG_SEQUENCE = "views-log:sequence"
_LOG_FLUSHED = "views-log:flushed"
_LOG_OVERLAP = 1000
_SWEPT_TODAY = "views-log:swept"


def _pending_key(listing_id: int) -> str:
    return f"views-pending:{listing_id}"


def _pending_add(listing_id: int) -> None:
    key = _pending_key(listing_id)
    cache.add(key, 0, timeout=_PENDING_SECONDS)
    try:
        waiting = cache.incr(key)
    except ValueError:  # flushed and gone between the add and the incr
        cache.add(key, 1, timeout=_PENDING_SECONDS)
        waiting = 1
    if waiting == 1:
        _log_append(listing_id)


def _log_append(listing_id: int) -> None:
    cache.add(_LOG_SEQUENCE, 0, timeout=None)
    try:
        number = cache.incr(_LOG_SEQUENCE)
    except ValueError:  # evicted between the add and the incr: the daily sweep finds it
        return
    cache.set(f"views-log:{number}", listing_id, timeout=_PENDING_SECONDS)


def listing_views_pending(*, listing_id: int) -> int:
    """Views counted but not yet in ``Listing.view_count`` (the next flush moves them)."""
    return int(cache.get(_pending_key(listing_id)) or 0)


def listing_views_flush() -> int:
    """Move the views waiting in the cache into the listings' counters; the number moved.

    The listings come from the log (see above), and once a day from every listing. Each count
    is taken out (``decr`` by what was read, so views counted meanwhile stay for the next
    flush) before it is written: a crash in between loses those views rather than counting
    them twice."""
    if cache.add(_SWEPT_TODAY, 1, timeout=_SECONDS_IN_DAY):
        ids = list(Listing.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = _logged_listings()
    moved = 0
    for start in range(0, len(ids), _FLUSH_CHUNK):
        chunk = ids[start : start + _FLUSH_CHUNK]
        waiting = cache.get_many([_pending_key(listing_id) for listing_id in chunk])
        for listing_id in chunk:
            count = int(waiting.get(_pending_key(listing_id)) or 0)
            if count <= 0:
                continue
            try:
                cache.decr(_pending_key(listing_id), count)
            except ValueError:  # expired just now: nothing left to move
                continue
            Listing.objects.filter(pk=listing_id).update(view_count=F("view_count") + count)
            moved += count
    return moved


def _logged_listings() -> list[int]:
    """The listings logged since the last flush (and the overlap before it)."""
    last = int(cache.get(_LOG_SEQUENCE) or 0)
    flushed = int(cache.get(_LOG_FLUSHED) or 0)
    if flushed > last:
        flushed = 0  # the sequence was evicted and started again
    first = max(1, flushed - _LOG_OVERLAP + 1)
    ids: set[int] = set()
    for start in range(first, last + 1, _FLUSH_CHUNK):
        numbers = range(start, min(start + _FLUSH_CHUNK, last + 1))
        ids.update(int(value) for value in cache.get_many([f"views-log:{n}" for n in numbers]).values())
    cache.set(_LOG_FLUSHED, last, timeout=None)
    return sorted(ids)


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
