"""Issue 12, finding 7: a listing's view counter counts a visitor once a day, whatever
User-Agent they send, and leaves crawlers and scripts out. A visitor is the logged-in user, else
the session, else the client's address (kept only as a keyed hash)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from studymarket.catalog.counters import listing_views_flush, visitor_key
from studymarket.catalog.models import Listing
from tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
NOON = datetime(2025, 3, 10, 12, tzinfo=ZoneInfo("Europe/Amsterdam"))


def _browser(n: int) -> str:
    return f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/{100 + n}.0 Safari/537.36"


def _view(client: Client, listing: Listing, *, ip: str = "203.0.113.7", agent: str = FIREFOX) -> None:
    response = client.get(listing.get_absolute_url(), REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    assert response.status_code == 200


def _views(listing: Listing) -> int:
    # Counted views wait in the cache until the periodic flush writes them (issue 14).
    listing_views_flush()
    listing.refresh_from_db()
    return listing.view_count


@pytest.fixture
def listing() -> Listing:
    return ListingFactory(view_count=0)


@time_machine.travel(NOON, tick=False)
def test_changing_the_user_agent_does_not_count_again(listing):
    client = Client()
    for n in range(100):
        _view(client, listing, agent=_browser(n % 50))
    assert _views(listing) == 1


@time_machine.travel(NOON, tick=False)
def test_two_visitors_count_twice(listing):
    _view(Client(), listing, ip="203.0.113.7")
    _view(Client(), listing, ip="198.51.100.4")
    assert _views(listing) == 2


@time_machine.travel(NOON, tick=False)
def test_logged_in_users_behind_one_address_are_two_visitors(listing):
    for email in ("a@example.test", "b@example.test"):
        client = Client()
        client.force_login(UserFactory(email=email))
        _view(client, listing)
        _view(client, listing, agent=_browser(1))
    assert _views(listing) == 2


@time_machine.travel(NOON, tick=False)
def test_a_session_is_one_visitor_whatever_its_address(listing):
    client = Client()
    client.force_login(UserFactory())
    _view(client, listing, ip="203.0.113.7")
    _view(client, listing, ip="198.51.100.4")
    assert _views(listing) == 1


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    ],
)
@time_machine.travel(NOON, tick=False)
def test_a_crawler_is_not_counted(listing, agent):
    _view(Client(), listing, agent=agent)
    assert _views(listing) == 0


@pytest.mark.parametrize(
    "agent", ["", "curl/8.5.0", "python-requests/2.32.3", "Wget/1.21.4", "Go-http-client/1.1"]
)
@time_machine.travel(NOON, tick=False)
def test_a_script_without_a_session_is_not_counted(listing, agent):
    _view(Client(), listing, agent=agent)
    assert _views(listing) == 0


@time_machine.travel(NOON, tick=False)
def test_a_logged_in_user_is_counted_whatever_tool_they_use(listing):
    client = Client()
    client.force_login(UserFactory())
    _view(client, listing, agent="curl/8.5.0")
    assert _views(listing) == 1


def test_the_next_day_counts_again(listing):
    # Counted (flushed) within each moment: the cache's clock is the one travelled.
    with time_machine.travel(NOON, tick=False):
        _view(Client(), listing)
        _view(Client(), listing, agent=_browser(3))
        assert _views(listing) == 1
    with time_machine.travel(NOON + timedelta(hours=11, minutes=30), tick=False):  # 23:30 that day
        _view(Client(), listing)
        assert _views(listing) == 1
    with time_machine.travel(NOON + timedelta(days=1), tick=False):
        _view(Client(), listing)
        assert _views(listing) == 2


@time_machine.travel(NOON, tick=False)
def test_fresh_anonymous_sessions_from_one_address_do_not_inflate_the_count(listing, settings):
    # Each new anonymous session (a cart, say) is cheap to make; one address gets only a few.
    for n in range(20):
        client = Client()
        session = client.session
        session["cart"] = [n]
        session.save()
        client.cookies[settings.SESSION_COOKIE_NAME] = str(session.session_key)
        _view(client, listing)
    assert _views(listing) == settings.VIEW_COUNT_SESSIONS_PER_ADDRESS


@time_machine.travel(NOON, tick=False)
def test_the_visitor_key_holds_no_address_and_changes_daily(listing):
    _view(Client(), listing, ip="203.0.113.7")
    today = visitor_key(user_id=None, session_key=None, ip="203.0.113.7", day="2025-03-10")
    tomorrow = visitor_key(user_id=None, session_key=None, ip="203.0.113.7", day="2025-03-11")
    assert "203.0.113.7" not in today
    assert today != tomorrow
    assert all("203.0.113.7" not in str(key) for key in cache._cache)  # type: ignore[attr-defined]


@time_machine.travel(NOON, tick=False)
def test_the_flush_finds_viewed_listings_through_its_log_between_daily_sweeps():
    listings = ListingFactory.create_batch(3, view_count=0)
    listing_views_flush()  # the day's sweep of every listing
    _view(Client(), listings[0], ip="203.0.113.7")
    _view(Client(), listings[2], ip="203.0.113.7")
    _view(Client(), listings[2], ip="198.51.100.4")
    assert listing_views_flush() == 3  # from the log: only the two listings viewed
    assert [Listing.objects.get(pk=x.pk).view_count for x in listings] == [1, 0, 2]
    assert listing_views_flush() == 0
    _view(Client(), listings[0], ip="198.51.100.4")  # waiting again after a flush: logged again
    assert listing_views_flush() == 1


@time_machine.travel(NOON, tick=False)
def test_views_whose_log_entry_was_lost_are_moved_by_the_next_days_sweep(listing):
    listing_views_flush()
    _view(Client(), listing)
    cache.delete_many([f"views-log:{n}" for n in range(1, 10)])  # evicted before the flush
    assert listing_views_flush() == 0
    cache.delete("views-log:swept")  # a day later
    assert listing_views_flush() == 1
    assert Listing.objects.get(pk=listing.pk).view_count == 1
