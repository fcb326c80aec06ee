"""Authentication events on the security log (core.security_log): login, failed login, logout and
axes' lock-out. Django's and axes' views announce these only through their signals, so we listen
there; this is logging, not domain flow (ADR 0011 is about the latter).

A failed login logs the account's id when the e-mail address belongs to one, never the typed
address itself: people type passwords into the e-mail field."""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from studymarket.accounts.models import User
from studymarket.core.security_log import security_event


def _user_id_for(email: object) -> int | None:
    if not isinstance(email, str) or not email:
        return None
    return User.objects.filter(email=email.strip().lower()).values_list("pk", flat=True).first()


def _logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    security_event("login_ok", request=request, user_id=user.pk, staff=user.is_staff)


def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    security_event("login_failed", request=request, user_id=_user_id_for(credentials.get("username")))


def _logged_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    security_event("logout", request=request, user_id=user.pk if user is not None else None)


def _locked_out(sender: Any, request: HttpRequest | None, username: str | None = None, **kwargs: Any) -> None:
    security_event("lockout", request=request, user_id=_user_id_for(username))


def security_log_connect() -> None:
    """Called once from AccountsConfig.ready()."""
    user_logged_in.connect(_logged_in, dispatch_uid="security_log_login_ok")
    user_login_failed.connect(_login_failed, dispatch_uid="security_log_login_failed")
    user_logged_out.connect(_logged_out, dispatch_uid="security_log_logout")
    user_locked_out.connect(_locked_out, dispatch_uid="security_log_lockout")
