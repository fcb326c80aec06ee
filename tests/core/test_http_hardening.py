"""Small hardening that docs/security.md counts on: no TRACE, nothing private in a cache,
__Host- cookies and no demo accounts in production."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from studymarket.accounts.models import User
from tests.core.test_settings import PRODUCTION_SECRETS, run_in_production
from tests.factories import UserFactory


@pytest.mark.parametrize("method", ["TRACE", "TRACK", "CONNECT"])
@pytest.mark.parametrize("path", ["/", "/healthz", "/zoeken/"])
def test_trace_and_connect_are_refused(client, db, method, path):
    response = client.generic(method, path)
    assert (response.status_code, response["Allow"]) == (405, "GET, HEAD, POST, OPTIONS")


def test_what_a_signed_in_user_sees_is_not_stored(client, db):
    user: User = UserFactory()
    client.force_login(user)
    response = client.get(reverse("accounts:password_change"))  # a page that sets no header itself
    assert response.status_code == 200
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-store"}


def test_a_view_that_chose_its_own_cache_header_keeps_it(client, db):
    client.force_login(UserFactory())
    response = client.get(reverse("library:index"))
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-cache"}


def test_anonymous_pages_are_left_to_their_views(client, db):
    assert not client.get("/").has_header("Cache-Control")


def test_the_demo_data_is_refused_in_production(settings, db):
    settings.PRODUCTION, settings.DEMO_MODE = True, False
    with pytest.raises(CommandError, match="refused in production"):
        call_command("demo_data")


def test_production_cookies_carry_the_host_prefix():
    result = run_in_production(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.LANGUAGE_COOKIE_NAME, "
            "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE, "
            "s.LANGUAGE_COOKIE_SAMESITE)",
        ],
        **PRODUCTION_SECRETS,
    )
    assert result.stdout.split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "__Host-django_language",
        "True",
        "True",
        "True",
        "Lax",
    ], result.stderr


def test_a_rate_limited_request_is_a_security_event(rf, caplog):
    from studymarket.core.ratelimits import rate_limited_response

    request = rf.get("/zoeken/", REMOTE_ADDR="203.0.113.9")
    with caplog.at_level("INFO", logger="studymarket.security"):
        response = rate_limited_response(request, retry_after=30)
    assert response.status_code == 429
    (line,) = [r.getMessage() for r in caplog.records if r.name == "studymarket.security"]
    assert "event=rate_limited" in line
    assert "retry_after=30" in line
    assert "path=/zoeken/" in line
