"""An API 429 is a security event (core.security_log), as the site's own 429 is: one line per
limited token or address and window, never one per refused request (a client hammering the API
must not fill the log), naming the token by its id and never its secret."""

import logging
import time

import pytest
from django.core.cache import cache
from django.test import Client
from pytest_django import Settings

from studymarket.accounts.tokens import PersonalAccessToken
from studymarket.core.ratelimits import rate_limit_refusal_log
from tests.api.tokens import bearer, call
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.INFO, logger="studymarket.security")

    def security_lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "studymarket.security"]

    return security_lines


def test_a_token_over_its_limit_is_logged_once_per_window(client: Client, settings: Settings, lines):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_token": "2/m"}
    user = UserFactory()
    secret = bearer(user, "read")
    token = PersonalAccessToken.objects.get(user=user)
    statuses = [call(client, "GET", "/api/v1/me", secret).status_code for _ in range(6)]
    assert statuses == [200, 200, 429, 429, 429, 429]
    (line,) = lines()
    retry_after = int(line.rsplit("retry_after=", 1)[1].split()[0])
    assert 1 <= retry_after <= 60
    assert line == (
        f"event=rate_limited user={user.pk} ip=127.0.0.1 method=GET path=/api/v1/me "
        f"limit=api_token retry_after={retry_after} token={token.pk}"
    )
    assert secret not in line
    assert secret[6:14] not in line
    # Another token is another key: its own line.
    other = bearer(UserFactory(), "read")
    for _ in range(3):
        call(client, "GET", "/api/v1/me", other)
    assert len(lines()) == 2
    assert lines()[1].startswith("event=rate_limited user=")


def test_an_address_over_its_limit_is_logged_once_per_window(client: Client, settings: Settings, lines):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_ip": "1/m"}
    statuses = [client.get("/api/v1/courses", REMOTE_ADDR="203.0.113.9").status_code for _ in range(5)]
    assert statuses == [200, 429, 429, 429, 429]
    (line,) = lines()
    assert line.startswith("event=rate_limited user=- ip=203.0.113.9 method=GET path=/api/v1/courses ")
    assert " limit=api_ip retry_after=" in line
    client.get("/api/v1/courses", REMOTE_ADDR="203.0.113.10")
    client.get("/api/v1/courses", REMOTE_ADDR="203.0.113.10")
    assert [line.split()[2] for line in lines()] == ["ip=203.0.113.9", "ip=203.0.113.10"]


def test_the_next_window_is_logged_again(lines):
    """The marker lives as long as the window: once it has closed, a refusal writes again."""
    assert rate_limit_refusal_log(name="api_ip", key="ip:203.0.113.9", retry_after=1) is True
    assert rate_limit_refusal_log(name="api_ip", key="ip:203.0.113.9", retry_after=1) is False
    assert rate_limit_refusal_log(name="api_token", key="ip:203.0.113.9", retry_after=60) is True
    time.sleep(1.1)  # the window (1 s left in it) has closed
    assert rate_limit_refusal_log(name="api_ip", key="ip:203.0.113.9", retry_after=60) is True
    assert len(lines()) == 3
    assert "203.0.113.9" not in str(list(cache._cache.keys()))  # type: ignore[attr-defined]
