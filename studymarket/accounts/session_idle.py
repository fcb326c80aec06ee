"""Signing out a session that was not used for a while (ASVS 7.3.1), or that has lasted too
long however much it was used (ASVS 7.3.2; ADR 0031).

A session cookie lives SESSION_COOKIE_AGE from the session's last save, however long nobody
used it. This middleware keeps the time of the last request in the signed-in session and ends
the session on the first request after SESSION_IDLE_TIMEOUT seconds without one (staff:
SESSION_IDLE_TIMEOUT_STAFF, for they refund and pay out). The person lands on the login page
with a message, and ``next`` brings them back. Used or not, a session ends SESSION_MAX_LIFETIME
seconds after its login (staff: SESSION_MAX_LIFETIME_STAFF, a working day): the activity time
keeps a used session's cookie alive, so without this limit one could last for ever.

Saving the session costs a write to the database and the cache, so the time is written at most
once every ACTIVITY_WRITE_SECONDS: a session is then ended up to that much later than its
timeout, never earlier. Login writes it first (a receiver of user_logged_in: logging in is
activity), so the requests right after a login write nothing.

Time is the real time (django.utils.timezone.now, which time-machine moves in tests), not
core.clock: moving that clock forward to let a guarantee window pass must not sign anyone out,
and reading its offset would cost a query on every signed-in request outside production.

The JSON API (/api/) authenticates by token, not by session: its requests are left alone.
"""

from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from studymarket.accounts.decorators import HtmxHttpRequest, htmx_redirect
from studymarket.core.security_log import security_event

LAST_ACTIVITY_SESSION_KEY = "_last_activity"
SIGNED_IN_AT_SESSION_KEY = "_signed_in_at"
ACTIVITY_WRITE_SECONDS = 60
TOKEN_API_PREFIX = "/api/"


def idle_timeout_seconds(*, is_staff: bool) -> int:
    return int(settings.SESSION_IDLE_TIMEOUT_STAFF if is_staff else settings.SESSION_IDLE_TIMEOUT)


def max_lifetime_seconds(*, is_staff: bool) -> int:
    return int(settings.SESSION_MAX_LIFETIME_STAFF if is_staff else settings.SESSION_MAX_LIFETIME)


def _now() -> int:
    return int(timezone.now().timestamp())


class SessionIdleTimeoutMiddleware:
    """After AuthenticationMiddleware (it reads request.user), MessageMiddleware (it leaves a
    message for the login page) and HtmxMiddleware (an htmx request is redirected by htmx)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # No session cookie, no signed-in user: nothing to read (a visitor's page stays cacheable).
        if request.session.session_key is None or request.path_info.startswith(TOKEN_API_PREFIX):
            return self.get_response(request)
        user = request.user
        if user.is_authenticated:
            now = _now()
            last = request.session.get(LAST_ACTIVITY_SESSION_KEY)
            if isinstance(last, int) and now - last > idle_timeout_seconds(is_staff=user.is_staff):
                security_event("session_idle_timeout", request=request, idle_seconds=now - last)
                return _signed_out(request, _("Je was te lang niet actief; log opnieuw in."))
            signed_in_at = request.session.get(SIGNED_IN_AT_SESSION_KEY)
            lifetime = max_lifetime_seconds(is_staff=user.is_staff)
            if isinstance(signed_in_at, int) and now - signed_in_at > lifetime:
                security_event("session_lifetime_ended", request=request, age_seconds=now - signed_in_at)
                return _signed_out(request, _("Je bent al lang ingelogd; log voor je veiligheid opnieuw in."))
            if not isinstance(signed_in_at, int):
                # A session from before this limit: its lifetime counts from now.
                request.session[SIGNED_IN_AT_SESSION_KEY] = now
            # Missing on sessions from before this middleware: they count as active from now.
            if not isinstance(last, int) or now - last >= ACTIVITY_WRITE_SECONDS:
                request.session[LAST_ACTIVITY_SESSION_KEY] = now
        return self.get_response(request)


def _signed_out(request: HttpRequest, message: str) -> HttpResponse:
    # Through the session engine: flushed from the database and the cache (CONVENTIONS §13).
    logout(request)
    messages.info(request, message)
    htmx_request = cast(HtmxHttpRequest, request)  # HtmxMiddleware runs before this one
    # An htmx request came from a page: back to that page, not to the fragment's address.
    htmx = htmx_request.htmx
    back = (htmx.current_url_abs_path if htmx else None) or request.get_full_path()
    return htmx_redirect(htmx_request, redirect_to_login(back).url)


def _activity_at_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        now = _now()
        session[LAST_ACTIVITY_SESSION_KEY] = now
        session[SIGNED_IN_AT_SESSION_KEY] = now


def session_idle_connect() -> None:
    """Called once from AccountsConfig.ready()."""
    user_logged_in.connect(_activity_at_login, dispatch_uid="session_idle_activity_at_login")
