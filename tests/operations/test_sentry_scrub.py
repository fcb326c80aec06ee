"""Errors go to the tracker only when SENTRY_DSN is set, and without personal data
(operations.sentry): e-mail addresses, IBANs, tokens, cookies, Authorization headers and
secret query parameters are gone from what would be sent; the rest of the event stays."""

import json

import pytest

from studymarket.operations import sentry
from studymarket.operations.sentry import FILTERED, scrub_event, scrub_text

SECRETS = (
    "anna@example.nl",
    "NL91ABNA0417164300",
    "NL91 ABNA 0417 1643 00",
    "tok_live_abcdef123456",
    "sessionvalue123",
    "csrfvalue456",
    "Bearer-secret-987654321",
    "hunter2hunter2",
    "reset-key-xyz",
    "203.0.113.9",
)


def _event() -> dict:
    return {
        "level": "error",
        "message": "Betaling van anna@example.nl naar NL91 ABNA 0417 1643 00 mislukt",
        "request": {
            "url": "https://studymarket.example/account/wachtwoord/?key=reset-key-xyz&page=2",
            "method": "POST",
            "query_string": "token=tok_live_abcdef123456&page=2&email=anna%40example.nl",
            "headers": {
                "Authorization": "Bearer Bearer-secret-987654321",
                "Cookie": "sessionid=sessionvalue123; csrftoken=csrfvalue456",
                "X-Forwarded-For": "203.0.113.9",
                "User-Agent": "Firefox",
            },
            "cookies": {"sessionid": "sessionvalue123", "csrftoken": "csrfvalue456"},
            "data": {"password": "hunter2hunter2", "iban": "NL91ABNA0417164300"},
            "env": {"REMOTE_ADDR": "203.0.113.9"},
        },
        "user": {"id": 42, "email": "anna@example.nl", "ip_address": "203.0.113.9"},
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": "IBAN NL91ABNA0417164300 van anna@example.nl klopt niet",
                    "stacktrace": {
                        "frames": [
                            {
                                "function": "payout_request",
                                "lineno": 12,
                                "vars": {
                                    "password": "hunter2hunter2",
                                    "payout_iban": "NL91ABNA0417164300",
                                    "user": "<User: anna@example.nl>",
                                    "amount_cents": 1234,
                                    "headers": "{'Authorization': 'Token tok_live_abcdef123456'}",
                                },
                            }
                        ]
                    },
                }
            ]
        },
        "breadcrumbs": {
            "values": [
                {
                    "category": "httplib",
                    "data": {"url": "https://api.mollie.com/v2/x?token=tok_live_abcdef123456"},
                },
                {"category": "query", "message": "SELECT 1 WHERE email = 'anna@example.nl'"},
            ]
        },
    }


def test_no_personal_data_or_secret_is_left():
    scrubbed = json.dumps(scrub_event(_event(), {}))
    assert [secret for secret in SECRETS if secret in scrubbed] == []
    assert "anna%40example.nl" not in scrubbed


def test_what_helps_find_the_bug_stays():
    scrubbed = scrub_event(_event(), {})
    assert scrubbed["user"] == {"id": 42}
    assert "cookies" not in scrubbed["request"]
    assert "data" not in scrubbed["request"]
    assert scrubbed["request"]["headers"]["User-Agent"] == "Firefox"
    assert scrubbed["request"]["headers"]["Authorization"] == FILTERED
    assert scrubbed["request"]["query_string"] == "token=[Filtered]&page=2&email=[Filtered]"
    frame = scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]
    assert (frame["function"], frame["lineno"], frame["vars"]["amount_cents"]) == ("payout_request", 12, 1234)
    assert frame["vars"]["password"] == frame["vars"]["payout_iban"] == FILTERED
    assert frame["vars"]["user"] == "<User: [e-mail]>"
    assert scrubbed["exception"]["values"][0]["value"] == "IBAN [IBAN] van [e-mail] klopt niet"
    assert scrubbed["message"] == "Betaling van [e-mail] naar [IBAN] mislukt"


def test_text_scrubbing_leaves_ordinary_text_alone():
    plain = "Order SM-2026-0042 failed with status_code=500 after 3 tries"
    assert scrub_text(plain) == plain


def test_not_started_without_a_dsn(settings, monkeypatch: pytest.MonkeyPatch):
    import sentry_sdk

    called = []
    monkeypatch.setattr(sentry_sdk, "init", lambda *args, **kwargs: called.append(kwargs))
    settings.SENTRY_DSN = ""
    assert sentry.sentry_init() is False
    assert called == []
    assert not sentry_sdk.get_client().is_active()


def test_started_with_a_dsn_and_never_with_personal_data(settings, monkeypatch: pytest.MonkeyPatch):
    import sentry_sdk

    called = []
    monkeypatch.setattr(sentry_sdk, "init", lambda *args, **kwargs: called.append(kwargs))
    settings.SENTRY_DSN = "https://public@sentry.example/1"
    assert sentry.sentry_init() is True
    [options] = called
    assert options["dsn"] == "https://public@sentry.example/1"
    assert options["before_send"] is scrub_event
    collection = options["data_collection"]
    assert (collection["user_info"], collection["cookies"], collection["http_bodies"]) == (
        False,
        {"mode": "off"},
        [],
    )
    assert collection["database_query_data"] is False
