"""Signing a new user up and in, for every page that offers sign-up (the sign-up page and
the checkout's inline form)."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from studymarket.accounts.forms import SignupForm
from studymarket.accounts.models import User
from studymarket.accounts.services import user_create
from studymarket.core.ratelimits import key_ip, rate_limit_check


def signup_form_submit(request: HttpRequest, form: SignupForm) -> User | None:
    """Create the account from a valid form and log it in; None with the errors on the form.
    Each submission counts against the client IP's sign-up limit (RateLimited: a 429 page)."""
    ip_key = key_ip(request)
    if ip_key is not None:
        rate_limit_check(name="signup_ip", key=ip_key)
    try:
        user = user_create(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    # Several backends are configured (axes first); the new user is signed in by the model backend.
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Welkom bij studymarket! Je account is aangemaakt."))
    return user
