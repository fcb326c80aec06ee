"""The security log (ASVS 16.3): one structured line per authentication event, access denial and
staff action, on the "studymarket.security" logger.

A line reads ``event=login_failed user=12 ip=203.0.113.9 method=POST path=/account/inloggen/``
plus the event's own fields; the same fields travel on the record as ``record.security`` for a
JSON formatter. Only what identifies who, where and what goes in: never a password, token, OTP
code, session key or reset link. Callers pass named fields; nothing takes a request's POST data.

The middleware remembers the current request (a context variable), so a line written deep in a
service (a staff action in core.audit) still carries the IP and path, and it writes the line for a
PermissionDenied that any view raises.
"""

import json
import logging
import re
from collections.abc import Callable
from contextvars import ContextVar
from functools import partial
from typing import Any

from axes.helpers import get_client_ip_address
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("studymarket.security")

_current_request: ContextVar[HttpRequest | None] = ContextVar("security_log_request", default=None)
# A value is written bare when it is made of these; anything else (spaces, quotes, CR/LF) is
# JSON-quoted, so a hostile path or user agent cannot forge a second line or a field.
_BARE = re.compile(r"^[\w.:/@+\-]*$")
# The reset link's path carries the token (/account/wachtwoord-herstellen/<uid>/<token>/).
_RESET_TOKEN = re.compile(r"(/wachtwoord-herstellen/[^/]+/)[^/]+/")


def _value(value: object) -> str:
    text = "-" if value is None or value == "" else str(value)
    return text if _BARE.match(text) else json.dumps(text, ensure_ascii=True)


def _path(request: HttpRequest) -> str:
    return _RESET_TOKEN.sub(r"\1redacted/", request.path)


def security_event(
    event: str,
    *,
    request: HttpRequest | None = None,
    user_id: int | None = None,
    on_commit: bool = False,
    **fields: Any,
) -> None:
    """Write one line. ``request`` defaults to the request being answered (if any); ``user_id``
    to its signed-in user. With ``on_commit`` the line is made now (while the request is known)
    and written once the current transaction commits: never for a change that was rolled back."""
    request = request if request is not None else _current_request.get()
    record: dict[str, Any] = {"event": event, "user": user_id}
    if request is not None:
        if user_id is None:
            user = getattr(request, "user", None)
            record["user"] = user.pk if user is not None and user.is_authenticated else None
        record.update(ip=get_client_ip_address(request), method=request.method, path=_path(request))
    record.update(fields)
    message = " ".join(f"{key}={_value(value)}" for key, value in record.items())
    if on_commit:
        transaction.on_commit(partial(logger.info, message, extra={"security": record}))
    else:
        logger.info(message, extra={"security": record})


class SecurityLogMiddleware:
    """Keeps the current request for security_event, and logs every PermissionDenied (403)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied):
            security_event("access_denied", request=request, status=403)
