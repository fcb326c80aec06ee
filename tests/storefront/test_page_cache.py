"""Issue 14: the public pages come from a whole-page cache for visitors without a session
(core.page_cache), and every fact stays true: a seller's price change shows at once on every
page that shows it, nothing private is stored or served from the cache, a cached page's forms
post with the visitor's own CSRF token, views are still counted, and each language has its own."""

import re
import socket
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from studymarket.catalog.counters import listing_views_flush
from studymarket.catalog.models import Listing, ListingStatus
from studymarket.catalog.states import listing_transition
from studymarket.search.index_sync import search_rebuild
from tests.factories import ListingFactory, UserFactory
from tests.logins import MODEL_BACKEND
from tests.selling.drafts import describe_data

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60  # tests/__init__.py turns it off for the other tests


@pytest.fixture
def listing(data_dir) -> Listing:
    listing = ListingFactory(title="Account Management Samenvatting", slug="account-management-samenvatting")
    search_rebuild()
    return listing


def _html(client: Client, url: str, **extra: Any) -> str:
    response = client.get(url, HTTP_USER_AGENT=BROWSER, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _pages(listing: Listing) -> dict[str, str]:
    return {
        "listing": listing.get_absolute_url(),
        "home": reverse("storefront:home"),
        "course": listing.course.get_absolute_url(),
        "institution": listing.course.programme.institution.get_absolute_url(),
        "search": reverse("search:search") + "?q=account",
    }


def test_a_price_change_by_the_seller_shows_at_once_on_every_page(listing, settings):
    """No page shows a stale price after a seller changes it."""
    visitor = Client()
    for name, url in _pages(listing).items():
        assert "€ 9,49" in _html(visitor, url), name
        assert "€ 9,49" in _html(Client(), url), name  # now from the cache

    seller = Client()
    seller.force_login(listing.seller.user, backend=MODEL_BACKEND)
    edit = reverse("selling:sell_document", kwargs={"pk": listing.document_id})
    data = describe_data(listing.course, title=listing.title, price="12,99", preview_page_count="2")
    response = seller.post(edit, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Listing.objects.get(pk=listing.pk).price_cents == 1299

    for name, url in _pages(listing).items():
        for client in (visitor, Client()):
            html = _html(client, url)
            assert "€ 12,99" in html, name
            assert "€ 9,49" not in html, name
    # And the seller, logged in, sees it on the public page too.
    assert "€ 12,99" in _html(seller, listing.get_absolute_url())


def test_a_listing_taken_offline_is_gone_at_once(listing):
    url = listing.get_absolute_url()
    _html(Client(), url)
    _html(Client(), reverse("storefront:home"))

    listing_transition(listing_id=listing.pk, to=ListingStatus.TAKEN_DOWN)

    assert Client().get(url, HTTP_USER_AGENT=BROWSER).status_code == 410
    assert listing.title not in _html(Client(), reverse("storefront:home"))


def test_the_pages_are_served_from_the_cache(listing):
    for url in _pages(listing).values():
        _html(Client(), url)
        with CaptureQueriesContext(connection) as queries:
            _html(Client(), url)
        # Only the listing page's view counting asks the (adjustable) business clock for the day.
        assert [q["sql"] for q in queries.captured_queries if "core_clockoffset" not in q["sql"]] == []


def test_a_logged_in_user_never_gets_the_cached_anonymous_page(listing):
    url = listing.get_absolute_url()
    anonymous = _html(Client(), url)
    assert "Inloggen" in anonymous

    member = Client()
    member.force_login(UserFactory(), backend=MODEL_BACKEND)
    html = _html(member, url)
    assert "Uitloggen" in html
    assert "Mijn documenten" in html
    assert 'href="/account/inloggen/"' not in html


def test_an_anonymous_visitor_never_gets_a_private_page(listing, settings):
    url = listing.get_absolute_url()
    member = Client()
    member.force_login(UserFactory(), backend=MODEL_BACKEND)
    response = member.get(url, HTTP_USER_AGENT=BROWSER)
    assert "Uitloggen" in response.content.decode()
    assert "no-store" in response["Cache-Control"]

    html = _html(Client(), url)
    assert "Uitloggen" not in html
    assert "Mijn documenten" not in html
    # A visitor with a session (a cart) takes the normal path too, and sees their own cart.
    shopper = Client()
    shopper.post(reverse("checkout:add", kwargs={"listing_id": listing.pk}), HTTP_USER_AGENT=BROWSER)
    assert settings.SESSION_COOKIE_NAME in shopper.cookies
    assert '<span id="cart-count">1</span>' in _html(shopper, url)
    assert '<span id="cart-count">0</span>' in _html(Client(), url)


def test_a_form_on_a_cached_page_posts_with_the_visitors_own_token(listing):
    url = listing.get_absolute_url()
    first = Client(enforce_csrf_checks=True)
    first_token = TOKEN.search(_html(first, url)).group(1)  # type: ignore[union-attr]

    second = Client(enforce_csrf_checks=True)
    response = second.get(url, HTTP_USER_AGENT=BROWSER)
    html = response.content.decode()
    tokens = set(TOKEN.findall(html))
    assert len(tokens) == 1  # every form of the page, and htmx's header, carry the same one
    token = tokens.pop()
    assert token != first_token
    assert f'"X-CSRFToken": "{token}"' in html
    assert "@@studymarket-csrf-token@@" not in html
    assert "csrftoken" in response.cookies  # the cookie that goes with it

    added = second.post(
        reverse("checkout:add", kwargs={"listing_id": listing.pk}),
        {"csrfmiddlewaretoken": token},
        HTTP_USER_AGENT=BROWSER,
    )
    assert added.status_code in (200, 302)
    assert second.session.get("cart") or '<span id="cart-count">1</span>' in _html(second, url)
    # The language switch posts too.
    switched = second.post(
        reverse("set_language"), {"csrfmiddlewaretoken": token, "language": "en", "next": "/en/"}
    )
    assert switched.status_code == 302


def test_views_on_cached_pages_are_counted_after_a_flush(listing):
    views = listing.view_count
    url = listing.get_absolute_url()
    _html(Client(), url, REMOTE_ADDR="203.0.113.7")  # rendered and stored
    _html(Client(), url, REMOTE_ADDR="198.51.100.4")  # from the cache: still a visitor
    _html(Client(), url, REMOTE_ADDR="198.51.100.4")  # the same visitor again
    listing.refresh_from_db()
    assert listing.view_count == views  # waiting in the cache

    assert listing_views_flush() == 2
    listing.refresh_from_db()
    assert listing.view_count == views + 2
    assert listing_views_flush() == 0  # moved once


def test_each_language_has_its_own_cached_page(listing):
    dutch_url = listing.get_absolute_url()
    english_url = "/en" + dutch_url
    for _ in range(2):  # rendered, then from the cache
        dutch = Client().get(dutch_url, HTTP_USER_AGENT=BROWSER)
        english = Client().get(english_url, HTTP_USER_AGENT=BROWSER)
        assert (dutch["Content-Language"], english["Content-Language"]) == ("nl", "en")
        assert '<html lang="nl">' in dutch.content.decode()
        assert '<html lang="en">' in english.content.decode()
        assert "In winkelwagen" in dutch.content.decode()
        assert "In winkelwagen" not in english.content.decode()


def test_a_cached_page_has_the_headers_of_a_fresh_one(listing):
    url = reverse("search:search") + "?q=account"
    fresh = Client().get(url, HTTP_USER_AGENT=BROWSER)
    cached = Client().get(url, HTTP_USER_AGENT=BROWSER)
    for header in ("Content-Type", "Content-Security-Policy", "Vary", "Content-Language", "X-Frame-Options"):
        assert cached.get(header) == fresh.get(header), header
    assert "HX-Request" in cached["Vary"]
    assert "Cookie" in cached["Vary"]
    assert cached.get("Cache-Control") == fresh.get("Cache-Control")


def test_the_results_fragment_and_the_page_are_kept_apart(listing):
    url = reverse("search:search") + "?q=account"
    page = _html(Client(), url)
    fragment = _html(Client(), url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results")
    assert "<html" in page
    assert "<html" not in fragment
    assert "<html" in _html(Client(), url)


def test_errors_and_unknown_parameters_are_not_cached(listing):
    missing = reverse("storefront:listing", kwargs={"pk": listing.pk + 1000, "slug": "x"})
    assert Client().get(missing).status_code == 404
    ListingFactory(pk=listing.pk + 1000, slug="x")
    assert Client().get(missing, HTTP_USER_AGENT=BROWSER).status_code == 200  # no 404 was kept

    url = listing.get_absolute_url()
    _html(Client(), url)
    _html(Client(), url + "?utm_source=mail")
    Listing.objects.filter(pk=listing.pk).update(price_cents=1500)  # no service: cached pages stay
    assert "€ 15,00" in _html(Client(), url + "?utm_source=mail")  # never cached
    assert "€ 9,49" in _html(Client(), url)  # ...while the plain address was kept (≤ 60 s)


def test_a_visitor_with_a_message_waiting_takes_the_normal_path(listing):
    url = listing.get_absolute_url()
    _html(Client(), url)
    Listing.objects.filter(pk=listing.pk).update(price_cents=1500)
    client = Client()
    client.cookies["messages"] = "anything"
    assert "€ 15,00" in _html(client, url)


def _redis_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture(params=["diskcache", "redis"])
def shared_cache(request, settings, tmp_path):
    """The two caches a deployment uses: the embedded one (diskcache, the settings' default
    without CACHE_URL) and Redis (CACHE_URL)."""
    if request.param == "diskcache":
        backend = {"BACKEND": "diskcache.DjangoCache", "LOCATION": str(tmp_path)}
    else:
        if not _redis_running():
            pytest.skip("no Redis on 127.0.0.1:6379")
        backend = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": f"test-page-cache-{uuid.uuid4().hex}",  # never another's keys
        }
    settings.CACHES = {"default": backend}
    return request.param


def test_both_caches_keep_pages_and_count_views(listing, shared_cache):
    url = listing.get_absolute_url()
    assert "€ 9,49" in _html(Client(), url, REMOTE_ADDR="203.0.113.7")
    Listing.objects.filter(pk=listing.pk).update(price_cents=1500)  # behind the cache's back
    assert "€ 9,49" in _html(Client(), url, REMOTE_ADDR="198.51.100.4")  # kept
    listing_transition(listing_id=listing.pk, to=ListingStatus.UNPUBLISHED)
    listing_transition(listing_id=listing.pk, to=ListingStatus.PUBLISHED)  # each drops the pages
    assert "€ 15,00" in _html(Client(), url, REMOTE_ADDR="198.51.100.9")

    views = Listing.objects.get(pk=listing.pk).view_count
    assert listing_views_flush() == 3
    assert Listing.objects.get(pk=listing.pk).view_count == views + 3
    assert listing_views_flush() == 0
