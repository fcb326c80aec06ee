"""Rate limits and quotas: one small layer over django-ratelimit, for every limit the site has.

Each limit has a name in ``settings.RATE_LIMITS`` ("5/h", "20/d": django-ratelimit's rates) and
is counted per key (a client IP, a user id, an e-mail address, a seller id) in fixed windows in
the default cache. Keys reach the cache hashed (django-ratelimit hashes them), so no address
is stored in the clear.

- ``rate_limit_hit`` counts one use and says whether it went over the limit;
  ``rate_limit_peek`` only looks (for quotas counted after the thing was made).
- ``rate_limited`` (a view decorator) and ``RateLimited`` (an exception a view or service may
  raise) end in ``RateLimitMiddleware``, which answers HTTP 429 with a page in Dutch, or a
  small fragment for an htmx request, and a Retry-After header.
- ``rate_limit_refusal_log`` writes a refusal to the security log once per key and window (the
  JSON API's 429s), however often the client is refused in it.

The client IP is REMOTE_ADDR unless ``RATE_LIMIT_PROXY_COUNT`` says how many proxies we trust in
front of us (see ``client_ip``). Nothing is exempt except the IPs in ``RATE_LIMIT_EXEMPT_IPS``,
and those only from the limits keyed by IP.
"""

import hashlib
import ipaddress
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage
from django_ratelimit.exceptions import Ratelimited

from studymarket.core.security_log import security_event

P = ParamSpec("P")

# django-ratelimit's own defaults: an IPv6 client usually holds a whole /64.
IPV4_PREFIX = 32
IPV6_PREFIX = 64


class RateLimited(Ratelimited):
    """Over a limit: answered with 429 by RateLimitMiddleware (without it, Django's 403, since
    django-ratelimit's exception is a PermissionDenied). ``retry_after`` is in seconds."""

    def __init__(self, *, name: str, retry_after: int, message: str | None = None, key: str = "") -> None:
        super().__init__(name)
        self.name = name
        self.key = key  # what was counted ("token:12", "ip:…"): for rate_limit_refusal_log only
        self.retry_after = max(int(retry_after), 1)
        self.message = message  # translated; None for the general "te vaak achter elkaar"


@dataclass(frozen=True)
class Usage:
    count: int
    limit: int
    limited: bool
    retry_after: int  # seconds until this window closes


def client_ip(request: HttpRequest) -> str:
    """The address to count a request against.

    REMOTE_ADDR, unless RATE_LIMIT_PROXY_COUNT trusted proxies stand in front of the app: then
    the address the outermost of them saw, which is that many entries from the right of
    X-Forwarded-For (entries further left are written by the client and prove nothing). A
    missing or malformed header falls back to REMOTE_ADDR. IPv6 addresses count per /64.
    """
    address = request.META.get("REMOTE_ADDR", "") or ""
    proxies = int(settings.RATE_LIMIT_PROXY_COUNT)
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies and _counted(forwarded[-proxies]):
            address = forwarded[-proxies]
    return _counted(address) or address or "unknown"


def _counted(address: str) -> str | None:
    """The address as it is counted (an IPv6 address as its /64), or None if it is none."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    prefix = IPV6_PREFIX if ip.version == 6 else IPV4_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def ip_exempt(request: HttpRequest) -> bool:
    exempt = settings.RATE_LIMIT_EXEMPT_IPS
    return bool(exempt) and client_ip(request) in {_counted(address) or address for address in exempt}


def _usage(name: str, key: str, *, increment: bool) -> Usage | None:
    rate = settings.RATE_LIMITS.get(name)
    if not rate:  # an empty rate turns that limit off
        return None
    usage = get_usage(None, group=name, key=lambda _group, _request: key, rate=rate, increment=increment)
    if usage is None:  # RATELIMIT_ENABLE = False
        return None
    return Usage(
        count=int(usage["count"]),
        limit=int(usage["limit"]),
        limited=bool(usage["should_limit"]),
        retry_after=max(int(usage["time_left"]), 1),
    )


def rate_limit_hit(*, name: str, key: str) -> Usage | None:
    """Count one use of limit ``name`` by ``key``; None when that limit is off."""
    return _usage(name, key, increment=True)


def rate_limit_peek(*, name: str, key: str) -> Usage | None:
    """How far ``key`` is in limit ``name``, without counting. A quota peeks before the work
    and counts (rate_limit_hit) after it succeeded, so refused attempts cost nothing."""
    usage = _usage(name, key, increment=False)
    if usage is None:
        return None
    # Peeking does not count this attempt: the next use is over the limit once the count
    # has reached it.
    return Usage(
        count=usage.count,
        limit=usage.limit,
        limited=usage.count >= usage.limit,
        retry_after=usage.retry_after,
    )


def rate_limit_check(*, name: str, key: str) -> None:
    """Count one use; raise RateLimited when it is over the limit."""
    usage = rate_limit_hit(name=name, key=key)
    if usage is not None and usage.limited:
        raise RateLimited(name=name, retry_after=usage.retry_after, key=key)


def rate_limit_refusal_log(
    *,
    name: str,
    key: str,
    retry_after: int,
    request: HttpRequest | None = None,
    user_id: int | None = None,
    **fields: Any,
) -> bool:
    """Write "event=rate_limited limit=<name>" to the security log for the first refusal of
    ``key`` in the current window of limit ``name`` only: a client that keeps hammering the limit
    (300 refused requests a minute) must not fill the log. A marker in the rate limits' cache
    lives until the window closes; ``cache.add`` lets exactly one refusal write. The key reaches
    the cache hashed, like the counts. ``fields`` name who was limited (a token's id, never its
    secret); the request's IP and path come with it. Returns whether it wrote."""
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    marker = f"ratelimit-logged:{name}:{hashlib.sha256(key.encode()).hexdigest()}"
    if not cache.add(marker, 1, timeout=max(int(retry_after), 1)):
        return False
    security_event(
        "rate_limited", request=request, user_id=user_id, limit=name, retry_after=retry_after, **fields
    )
    return True


QuotaMessage = Callable[[Usage], str]


def quota_check(*, name: str, key: str, message: QuotaMessage | None = None) -> None:
    """Raise RateLimited when ``key`` has used up quota ``name`` (counted by quota_use after
    each success). ``message(usage)`` words the refusal (usage.limit, usage.retry_after;
    retry_after_text says when in words)."""
    usage = rate_limit_peek(name=name, key=key)
    if usage is not None and usage.limited:
        raise RateLimited(
            name=name, retry_after=usage.retry_after, message=message(usage) if message else None, key=key
        )


def quota_use(*, name: str, key: str) -> None:
    rate_limit_hit(name=name, key=key)


KeyFunction = Callable[[HttpRequest], str | None]


def key_ip(request: HttpRequest) -> str | None:
    return None if ip_exempt(request) else f"ip:{client_ip(request)}"


def rate_limited(
    name: str, *, key: KeyFunction = key_ip, methods: tuple[str, ...] | None = None
) -> Callable[[Callable[Concatenate[HttpRequest, P], HttpResponse]], Callable[..., HttpResponse]]:
    """Limit a view: each request (of ``methods``, or all) counts against limit ``name`` for
    ``key(request)`` (None: not counted, e.g. an exempt IP); over it, RateLimited → 429."""

    def decorator(
        view: Callable[Concatenate[HttpRequest, P], HttpResponse],
    ) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            if methods is None or request.method in methods:
                value = key(request)
                if value is not None:
                    rate_limit_check(name=name, key=value)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def retry_after_text(seconds: int) -> str:
    """When to try again, in words: minutes below two hours, hours below two days, else days."""
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return ngettext("over %(n)d minuut", "over %(n)d minuten", minutes) % {"n": minutes}
    hours = math.ceil(seconds / 3600)
    if hours < 48:
        return ngettext("over %(n)d uur", "over %(n)d uur", hours) % {"n": hours}
    days = math.ceil(seconds / 86400)
    return ngettext("over %(n)d dag", "over %(n)d dagen", days) % {"n": days}


def rate_limited_response(
    request: HttpRequest, *, retry_after: int, message: str | None = None, logged: bool = False
) -> HttpResponse:
    """429 with what happened and when to try again: a page, or for htmx a fragment that fits
    where the answer was going (the search results, the header's suggestions). A security-log
    line unless the caller ``logged`` the refusal already (rate_limit_refusal_log)."""
    if not logged:
        security_event("rate_limited", request=request, retry_after=retry_after)
    context = {
        "message": message
        or _("Je doet dit te vaak achter elkaar. Probeer het %(when)s opnieuw.")
        % {"when": retry_after_text(retry_after)},
    }
    htmx = getattr(request, "htmx", False)
    template = "core/_rate_limited.html" if htmx else "core/rate_limited.html"
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(retry_after)
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


class RateLimitMiddleware:
    """Turns RateLimited, from any view or service below it, into the 429 answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RateLimited):
            # One line per limit, key and window, as for the JSON API: someone hammering the
            # search must not fill the log with a line per refused request.
            if exception.key:
                rate_limit_refusal_log(
                    name=exception.name, key=exception.key, retry_after=exception.retry_after, request=request
                )
            return rate_limited_response(
                request,
                retry_after=exception.retry_after,
                message=exception.message,
                logged=bool(exception.key),
            )
        return None
