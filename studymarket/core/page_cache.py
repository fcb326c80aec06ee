"""The whole-page cache of the public pages, for anonymous visitors (issue 14, ADR "page cache").

A public page (home, listing, course, institution, search...) looks the same to every visitor
without a session: it is rendered once per language, path and query, kept in the default cache
(shared by all processes) for ``PUBLIC_PAGE_CACHE_SECONDS`` (≤ 60 s: views, sales and reviews may
lag that long), and served from there. What must show at once (a price, a title, a listing taken
down, a new version) calls ``public_pages_changed()``, which starts a new *generation*: every
key names the generation, so all pages cached before it are never read again.

Nothing private is ever stored or served from it:
- only GET/HEAD requests without a session cookie and without a messages cookie take part: a
  visitor who is logged in, has a cart or a message waiting takes the normal path, and so does a
  request with a query parameter the page does not know;
- only a plain 200 is stored, and only when the view made no session, set no cookie, queued no
  message and did not mark the response private;
- the CSRF token in the page (forms such as "In winkelwagen", the language switch, htmx's header)
  is stored as a placeholder and filled in with the visitor's own token on every hit, so a cached
  page posts like a fresh one. Every middleware runs on a hit as on a miss, so the CSP, Vary,
  Content-Language and the CSRF cookie are the same.

Why our own and not Django's cache_page: that one stores the first visitor's CSRF token (and
cookie) for everyone, and has no way to drop every page at once when a listing changes.
"""

import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection
from hashlib import sha256

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware import csrf
from django.middleware.csrf import get_token
from django.utils import translation

GENERATION_KEY = "public-pages:generation"
# Stands for the visitor's CSRF token in a stored page: no page contains it otherwise.
CSRF_PLACEHOLDER = b"@@studymarket-csrf-token@@"
# A masked CSRF token (django.middleware.csrf: 64 characters of CSRF_ALLOWED_CHARS).
_TOKEN_LIKE = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
# The request headers a cached page may depend on besides its address (htmx asks the search
# page for a fragment of itself with these).
_KEYED_HEADERS = ("HTTP_HX_REQUEST", "HTTP_HX_TARGET", "HTTP_HX_HISTORY_RESTORE_REQUEST", "HTTP_HX_BOOSTED")


def public_pages_changed() -> None:
    """Something a public page shows changed and must show at once: drop every cached page.

    Called by the services that change a listing (price, title, description, publishing,
    take-down, restore, a new version), inside their transaction or not. The generation is
    changed now and again after the commit: a page rendered in between, from the data before
    the commit, is stored under the generation of that moment, which the second change ends."""
    _generation_new()
    transaction.on_commit(_generation_new)


def _generation_new() -> None:
    # A random value, not a counter: a generation lost from the cache (evicted, flushed) must
    # never come back as one that pages were stored under.
    cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)


def _generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return str(generation)


def _request_cacheable(request: HttpRequest, params: Collection[str]) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.PUBLIC_PAGE_CACHE_SECONDS > 0
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        and all(name in params for name in request.GET)
    )


def _key(request: HttpRequest, generation: str) -> str:
    headers = "|".join(request.META.get(name, "") for name in _KEYED_HEADERS)
    address = sha256(f"{request.get_full_path()}|{headers}".encode()).hexdigest()
    return f"public-page:v2:{generation}:{translation.get_language()}:{address}"


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    session = getattr(request, "session", None)
    messages = getattr(request, "_messages", None)
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
        and not (session is not None and (session.modified or session.session_key))
        and not (messages is not None and getattr(messages, "added_new", False))
    )


def _with_placeholder(request: HttpRequest, content: bytes) -> bytes:
    """The page with every CSRF token made for this request replaced by the placeholder."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return content
    tokens = {
        token
        for token in set(_TOKEN_LIKE.findall(content))
        # Django's own unmasking (private, but tests/storefront/test_page_cache.py would see it
        # change): a token of this secret.
        if csrf._unmask_cipher_token(token.decode()) == secret  # type: ignore[attr-defined]
    }
    for token in tokens:
        content = content.replace(token, CSRF_PLACEHOLDER)
    return content


# (expires at, status, headers, content with the placeholder)
Stored = tuple[float, int, list[tuple[str, str]], bytes]


def _stored(request: HttpRequest, response: HttpResponse) -> Stored:
    expires_at = time.time() + settings.PUBLIC_PAGE_CACHE_SECONDS
    content = _with_placeholder(request, response.content)
    return (expires_at, response.status_code, list(response.items()), content)


class _LocalPages:
    """The pages this process served lately, in front of the shared cache: a hit then costs no
    file read and no unpickling. Keys name the generation, so a copy here is exactly as valid
    as the shared one until its own expiry; at most LOCAL_BYTES of pages, the oldest go first."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.pages: OrderedDict[str, Stored] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: str) -> Stored | None:
        with self.lock:
            stored = self.pages.get(key)
            if stored is None:
                return None
            if stored[0] <= time.time():
                self._drop(key)
                return None
            self.pages.move_to_end(key)
            return stored

    def put(self, key: str, stored: Stored) -> None:
        with self.lock:
            if key in self.pages:
                self._drop(key)
            self.pages[key] = stored
            self.size += len(stored[3])
            while self.size > self.max_bytes and self.pages:
                self._drop(next(iter(self.pages)))

    def _drop(self, key: str) -> None:
        self.size -= len(self.pages.pop(key)[3])


LOCAL_BYTES = 8 * 1024 * 1024
_local = _LocalPages(LOCAL_BYTES)


def _from_stored(request: HttpRequest, stored: Stored) -> HttpResponse:
    _expires_at, status, headers, content = stored
    if CSRF_PLACEHOLDER in content:
        # The visitor's own token (and CsrfViewMiddleware sets its cookie, as for a fresh page).
        content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    return response


def public_page(
    request: HttpRequest, render: Callable[[], HttpResponse], *, params: Collection[str] = ()
) -> HttpResponse:
    """``render()``'s response, from the cache when the visitor may share it with others.

    ``params``: the query parameters the page reads; a request with any other takes the normal
    path (an unknown parameter must not fill the cache with copies of one page)."""
    if not _request_cacheable(request, params):
        return render()
    # Read before rendering: a page is stored under the generation its data is at least as new as.
    key = _key(request, _generation())
    stored = _local.get(key)
    if stored is None:
        stored = cache.get(key)
        if stored is not None and stored[0] > time.time():
            _local.put(key, stored)
        else:
            stored = None
    if stored is not None:
        return _from_stored(request, stored)
    response = render()
    if _storable(request, response):
        stored = _stored(request, response)
        cache.set(key, stored, timeout=settings.PUBLIC_PAGE_CACHE_SECONDS)
        _local.put(key, stored)
    return response
