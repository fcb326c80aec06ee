"""Errors to an error tracker (sentry-sdk), only when SENTRY_DSN is set; started in
OperationsConfig.ready(), so the web processes, the workers and the commands all report.

No personal data leaves: ``data_collection`` (sentry-sdk 3's successor of
``send_default_pii=False``) keeps the user, cookies, request bodies and SQL parameters out, and
``scrub_event`` goes over everything that is still sent (the request's
headers and query string, frame variables, breadcrumbs, messages) and blanks values whose name
says they are secret or personal (passwords, tokens, cookies, Authorization, e-mail, IBAN,
client addresses) and, in any text, e-mail addresses, IBANs, IPv4 addresses and bearer tokens.
"""

from __future__ import annotations

import re
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode

from django.conf import settings

FILTERED: Final = "[Filtered]"
# A key containing one of these names a value that is never sent.
_SECRET_KEYS: Final = (
    "password",
    "passwd",
    "secret",
    "token",
    "authorization",
    "auth",
    "cookie",
    "csrf",
    "session",
    "api_key",
    "apikey",
    "signature",
    "iban",
    "email",
    "e_mail",
    "otp",
    "dsn",
    "key",
    # A person's address is personal data too.
    "forwarded",
    "remote_addr",
    "ip_address",
    "real_ip",
    "client_ip",
)
# Names that contain one of the above but say nothing secret (the key of a dict, a primary key).
_PLAIN_KEYS: Final = frozenset({"pk", "keys", "monkey", "sort_key", "cache_key_prefix"})
_EMAIL: Final = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IBAN: Final = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_IPV4: Final = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
_BEARER: Final = re.compile(r"(?i)\b(bearer|token|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_SECRET_PARAM: Final = re.compile(
    r"(?i)\b([\w-]*(?:token|key|secret|password|signature|email)[\w-]*)=([^&\s#]+)"
)


def _secret_key(key: object) -> bool:
    name = str(key).lower().replace("-", "_")
    return name not in _PLAIN_KEYS and any(part in name for part in _SECRET_KEYS)


def scrub_text(text: str) -> str:
    text = _EMAIL.sub("[e-mail]", text)
    text = _IBAN.sub("[IBAN]", text)
    text = _IPV4.sub("[IP]", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {FILTERED}", text)
    return _SECRET_PARAM.sub(lambda m: f"{m.group(1)}={FILTERED}", text)


def _scrub_query(query: Any) -> Any:
    pairs = parse_qsl(query, keep_blank_values=True) if isinstance(query, str) else query
    if not isinstance(pairs, list | tuple):
        return _scrub(query)
    cleaned = [
        (name, FILTERED if _secret_key(name) else scrub_text(str(value)))
        for name, value in (pair for pair in pairs if isinstance(pair, list | tuple) and len(pair) == 2)
    ]
    return urlencode(cleaned, safe="[]") if isinstance(query, str) else cleaned


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {
            key: FILTERED if _secret_key(key) and item not in (None, "", [], {}) else _scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """sentry-sdk's ``before_send``: the event without
    personal data. Never drops the event itself."""
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
        request.pop("data", None)  # form fields: anything a person typed
        if "query_string" in request:
            request["query_string"] = _scrub_query(request["query_string"])
    user = event.get("user")
    if isinstance(user, dict):  # the id only: it leads staff to the account, and to nothing else
        event["user"] = {"id": user["id"]} if "id" in user else {}
    scrubbed: dict[str, Any] = _scrub({key: value for key, value in event.items() if key != "user"})
    if "user" in event:
        scrubbed["user"] = event["user"]
    return scrubbed


def sentry_init() -> bool:
    """Start the error tracker when SENTRY_DSN is set; whether it was started."""
    dsn: str = settings.SENTRY_DSN
    if not dsn:
        return False
    # Imported only here: most sites run without a tracker.
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    # sentry-sdk 3's replacement of send_default_pii=False: no user, cookies, bodies or SQL
    # parameters; its own denylist (auth, token, secret, password, key, session, ...) plus ours.
    personal = ["email", "iban", "otp", "forwarded", "real_ip", "real-ip"]
    sentry_sdk.init(
        dsn=dsn,
        environment=settings.SENTRY_ENVIRONMENT,
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "denylist", "terms": personal}},
            "http_bodies": [],
            "url_query_params": {"mode": "denylist", "terms": personal},
            "database_query_data": False,
            "stack_frame_variables": {"mode": "denylist", "terms": personal},
        },
        before_send=scrub_event,  # type: ignore[arg-type]  # an Event is a dict
        traces_sample_rate=settings.SENTRY_TRACES_SAMPLE_RATE,
        integrations=[DjangoIntegration()],
    )
    return True
