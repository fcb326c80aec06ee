"""core.ratelimits: whose address counts, how the windows count, and how "when" is said."""

import pytest
from django.test import RequestFactory

from studymarket.core.ratelimits import (
    RateLimited,
    client_ip,
    key_ip,
    rate_limit_check,
    rate_limit_hit,
    rate_limit_peek,
    retry_after_text,
)


def request(remote: str = "198.51.100.7", forwarded: str | None = None):
    made = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        made.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return made


def test_the_client_ip_is_remote_addr_and_a_forwarded_header_is_ignored(settings):
    settings.RATE_LIMIT_PROXY_COUNT = 0

    assert client_ip(request("198.51.100.7", forwarded="1.2.3.4")) == "198.51.100.7"


def test_behind_trusted_proxies_the_entry_they_wrote_counts(settings):
    settings.RATE_LIMIT_PROXY_COUNT = 1
    assert client_ip(request("10.0.0.1", forwarded="6.6.6.6, 203.0.113.5")) == "203.0.113.5"

    settings.RATE_LIMIT_PROXY_COUNT = 2
    assert client_ip(request("10.0.0.1", forwarded="6.6.6.6, 203.0.113.5, 10.0.0.2")) == "203.0.113.5"


@pytest.mark.parametrize("forwarded", [None, "", "not-an-ip"])
def test_a_missing_or_malformed_forwarded_header_falls_back_to_remote_addr(settings, forwarded):
    settings.RATE_LIMIT_PROXY_COUNT = 1

    assert client_ip(request("198.51.100.7", forwarded=forwarded)) == "198.51.100.7"


def test_ipv6_clients_count_per_64():
    assert client_ip(request("2001:db8:1:2:aaaa::1")) == client_ip(request("2001:db8:1:2:bbbb::9"))
    assert client_ip(request("2001:db8:1:2::1")) != client_ip(request("2001:db8:1:3::1"))


def test_only_ips_in_the_setting_are_exempt(settings):
    settings.RATE_LIMIT_EXEMPT_IPS = []
    assert key_ip(request("127.0.0.1")) == "ip:127.0.0.1"

    settings.RATE_LIMIT_EXEMPT_IPS = ["192.0.2.10"]
    assert key_ip(request("192.0.2.10")) is None
    assert key_ip(request("192.0.2.11")) == "ip:192.0.2.11"


def test_a_limit_counts_per_key_and_refuses_over_it(settings):
    settings.RATE_LIMITS = {"test": "2/h"}

    rate_limit_check(name="test", key="a")
    rate_limit_check(name="test", key="a")
    with pytest.raises(RateLimited) as refused:
        rate_limit_check(name="test", key="a")
    rate_limit_check(name="test", key="b")

    assert 0 < refused.value.retry_after <= 3600


def test_peeking_does_not_count(settings):
    settings.RATE_LIMITS = {"test": "1/h"}

    for _ in range(3):
        usage = rate_limit_peek(name="test", key="a")
        assert usage is not None
        assert not usage.limited
    rate_limit_hit(name="test", key="a")
    usage = rate_limit_peek(name="test", key="a")
    assert usage is not None
    assert usage.limited


def test_an_empty_rate_or_ratelimit_enable_off_turns_limits_off(settings):
    settings.RATE_LIMITS = {"test": ""}
    assert rate_limit_hit(name="test", key="a") is None

    settings.RATE_LIMITS = {"test": "1/h"}
    settings.RATELIMIT_ENABLE = False
    for _ in range(3):
        rate_limit_check(name="test", key="a")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (1, "over 1 minuut"),
        (61, "over 2 minuten"),
        (3600, "over 60 minuten"),
        (7200, "over 2 uur"),
        (86400, "over 24 uur"),
        (3 * 86400, "over 3 dagen"),
    ],
)
def test_when_to_try_again_in_words(seconds, text):
    assert retry_after_text(seconds) == text
