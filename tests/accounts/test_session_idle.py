"""The idle timeout (ASVS 7.3.1, ADR 0031): a signed-in session unused for longer than
SESSION_IDLE_TIMEOUT (staff: SESSION_IDLE_TIMEOUT_STAFF) is signed out at its next request and
sent to log in again, back to where it was; its last activity is written at most once a minute."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client

from studymarket.accounts.session_idle import LAST_ACTIVITY_SESSION_KEY, SIGNED_IN_AT_SESSION_KEY
from tests.factories import UserFactory
from tests.logins import login

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SIGNED_IN_PAGE = "/account/verkopen/start/"
MESSAGE = "Je was te lang niet actief; log opnieuw in."
HOUR = 60 * 60


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def short_timeouts(settings):
    # Shorter than the cookie's 2 weeks, so the session still exists when its idle time runs out.
    settings.SESSION_IDLE_TIMEOUT = 2 * HOUR
    settings.SESSION_IDLE_TIMEOUT_STAFF = 30 * 60


def last_activity(client: Client) -> int | None:
    return client.session.get(LAST_ACTIVITY_SESSION_KEY)


def forget(client: Client, key: str) -> None:
    """A session from before a limit came in: without that limit's time."""
    session = client.session
    del session[key]
    session.save()


def test_the_defaults_are_14_days_and_30_minutes_for_staff():
    assert django_settings.SESSION_IDLE_TIMEOUT == 14 * 24 * HOUR
    assert django_settings.SESSION_IDLE_TIMEOUT_STAFF == 30 * 60


def test_login_counts_as_activity(client, clock, anna):
    login(client, anna)

    assert last_activity(client) == int(START.timestamp())


def test_a_buyer_idle_for_too_long_is_signed_out_and_sent_to_log_in(client, clock, short_timeouts, anna):
    login(client, anna)
    session_key = client.session.session_key
    clock.shift(timedelta(hours=2, seconds=1))

    response = client.get(f"{SIGNED_IN_PAGE}?stap=2")

    assert response.status_code == 302
    assert response["Location"] == "/account/inloggen/?next=/account/verkopen/start/%3Fstap%3D2"
    assert not Session.objects.filter(session_key=session_key).exists()
    html = client.get(response["Location"]).content.decode()
    assert f'<p class="notice notice-info" role="status">{MESSAGE}</p>' in html
    # Signed out for good: the page asks to log in, now without the message.
    assert client.get(SIGNED_IN_PAGE)["Location"] == "/account/inloggen/?next=/account/verkopen/start/"


def test_just_within_the_timeout_the_buyer_stays_signed_in(client, clock, short_timeouts, anna):
    login(client, anna)
    clock.shift(timedelta(hours=2))

    assert client.get(SIGNED_IN_PAGE).status_code == 200


def test_an_active_buyer_stays_signed_in_past_the_timeout(client, clock, short_timeouts, anna):
    login(client, anna)
    for _ in range(3):
        clock.shift(timedelta(hours=1, minutes=30))
        assert client.get(SIGNED_IN_PAGE).status_code == 200

    assert last_activity(client) == int((START + timedelta(hours=4, minutes=30)).timestamp())


def test_staff_are_signed_out_after_30_idle_minutes(client, clock):
    staff = UserFactory(is_staff=True)
    login(client, staff)
    assert client.get("/beheer/").status_code == 200
    clock.shift(timedelta(minutes=29))
    assert client.get("/beheer/").status_code == 200

    clock.shift(timedelta(minutes=30, seconds=1))
    response = client.get("/beheer/")

    assert response["Location"] == "/account/inloggen/?next=/beheer/"
    assert "_auth_user_id" not in client.session


def test_a_buyer_is_not_held_to_the_staff_timeout(client, clock, anna):
    login(client, anna)
    clock.shift(timedelta(hours=3))

    assert client.get(SIGNED_IN_PAGE).status_code == 200


def test_the_last_activity_is_written_at_most_once_a_minute(client, clock, anna):
    login(client, anna)
    clock.shift(timedelta(seconds=59))
    client.get(SIGNED_IN_PAGE)
    assert last_activity(client) == int(START.timestamp())

    clock.shift(timedelta(seconds=1))
    client.get(SIGNED_IN_PAGE)
    assert last_activity(client) == int(START.timestamp()) + 60


def test_the_first_request_after_login_does_not_save_the_session(client, clock, anna):
    login(client, anna)
    session_key = client.session.session_key
    expire_date = Session.objects.get(session_key=session_key).expire_date
    clock.shift(timedelta(seconds=30))

    client.get(SIGNED_IN_PAGE)

    assert Session.objects.get(session_key=session_key).expire_date == expire_date


def test_a_session_from_before_the_timeout_starts_counting_from_its_next_request(
    client, clock, short_timeouts, anna
):
    login(client, anna)
    forget(client, LAST_ACTIVITY_SESSION_KEY)
    clock.shift(timedelta(hours=5))

    assert client.get(SIGNED_IN_PAGE).status_code == 200
    assert last_activity(client) == int((START + timedelta(hours=5)).timestamp())


def test_an_htmx_request_sends_the_whole_window_back_to_the_page_it_came_from(
    client, clock, short_timeouts, anna
):
    login(client, anna)
    clock.shift(timedelta(hours=3))

    response = client.get(
        "/meldingen/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/mijn-documenten/?p=2"},
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/account/inloggen/?next=/mijn-documenten/%3Fp%3D2"
    assert "_auth_user_id" not in client.session


def test_a_json_api_request_neither_ends_nor_renews_the_session(client, clock, short_timeouts, anna):
    login(client, anna)
    clock.shift(timedelta(hours=3))

    assert client.get("/api/openapi.json").status_code == 200

    assert client.session["_auth_user_id"] == str(anna.pk)
    assert last_activity(client) == int(START.timestamp())


def test_a_visitors_session_gets_no_activity_time(client, clock):
    session = client.session
    session["iets"] = "in de winkelwagen"
    session.save()

    client.get("/")

    assert last_activity(client) is None


LIFETIME_MESSAGE = "Je bent al lang ingelogd; log voor je veiligheid opnieuw in."


def test_the_lifetime_defaults_are_30_days_and_12_hours_for_staff():
    assert django_settings.SESSION_MAX_LIFETIME == 30 * 24 * HOUR
    assert django_settings.SESSION_MAX_LIFETIME_STAFF == 12 * HOUR


def test_staff_in_constant_use_are_signed_out_12_hours_after_login(client, clock, caplog):
    staff = UserFactory(is_staff=True)
    login(client, staff)
    for _ in range(36):  # a request every 20 minutes: never idle
        clock.shift(timedelta(minutes=20))
        assert client.get("/beheer/").status_code == 200

    clock.shift(timedelta(minutes=1))
    response = client.get("/beheer/")

    assert response["Location"] == "/account/inloggen/?next=/beheer/"
    assert "_auth_user_id" not in client.session
    assert LIFETIME_MESSAGE in client.get(response["Location"]).content.decode()
    assert any("event=session_lifetime_ended" in record.getMessage() for record in caplog.records)


def test_a_buyer_in_regular_use_is_signed_out_30_days_after_login(client, clock, anna):
    login(client, anna)
    for _ in range(3):  # every 10 days: within the idle timeout each time
        clock.shift(timedelta(days=10))
        assert client.get(SIGNED_IN_PAGE).status_code == 200

    clock.shift(timedelta(seconds=1))
    response = client.get(SIGNED_IN_PAGE)

    assert response["Location"] == "/account/inloggen/?next=/account/verkopen/start/"
    assert "_auth_user_id" not in client.session


def test_a_session_from_before_the_lifetime_counts_it_from_its_next_request(client, clock, anna):
    login(client, anna)
    forget(client, SIGNED_IN_AT_SESSION_KEY)
    clock.shift(timedelta(days=10))

    assert client.get(SIGNED_IN_PAGE).status_code == 200
    assert client.session[SIGNED_IN_AT_SESSION_KEY] == int((START + timedelta(days=10)).timestamp())
