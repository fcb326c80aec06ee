"""The two pages of staff two-factor authentication: set up an app, and type its code. Both come
after the password (a signed-in staff member); everyone else is sent on to where they were going."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from studymarket.accounts.models import User
from studymarket.accounts.twofactor import (
    TokenCheck,
    totp_device_confirm,
    totp_device_get,
    totp_device_pending,
    totp_qr_code,
    totp_secret_text,
    totp_session_verify,
    twofactor_url,
)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code uit je app"),
        max_length=12,
        help_text=_("De zes cijfers die je authenticator-app nu toont."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _token_error(form: TokenForm, check: TokenCheck) -> None:
    if check.wait_until is not None:
        form.add_error(
            "token",
            gettext("Te veel foute codes na elkaar. Wacht %(seconds)d seconden en probeer het dan opnieuw.")
            % {"seconds": check.wait_seconds},
        )
    else:
        form.add_error(
            "token",
            gettext(
                "Deze code klopt niet of is al gebruikt. Typ de code die je app nu toont; "
                "staat de klok van je telefoon goed?"
            ),
        )


@never_cache
@sensitive_post_parameters("token")
@login_required
def twofactor_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    next_url = _next_url(request)
    if not user.is_staff or user.is_verified():  # type: ignore[attr-defined]  # OTPMiddleware
        return redirect(next_url)
    device = totp_device_get(user=user)
    if device is None:
        return redirect(twofactor_url(user=user, next_url=next_url))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = totp_session_verify(
            request=request, user=user, device=device, token=form.cleaned_data["token"]
        )
        if check.ok:
            return redirect(next_url)
        _token_error(form, check)
    return render(request, "accounts/twofactor_verify.html", {"form": form, "next": next_url})


@never_cache
@sensitive_post_parameters("token")
@login_required
def twofactor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    next_url = _next_url(request)
    if not user.is_staff or user.is_verified():  # type: ignore[attr-defined]  # OTPMiddleware
        return redirect(next_url)
    if totp_device_get(user=user) is not None:
        # A confirmed device is never shown again: changing it takes an operator (README).
        return redirect(twofactor_url(user=user, next_url=next_url))
    device = totp_device_pending(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = totp_device_confirm(
            request=request, user=user, device=device, token=form.cleaned_data["token"]
        )
        if check.ok:
            return redirect(next_url)
        _token_error(form, check)
    context = {
        "form": form,
        "next": next_url,
        "qr": totp_qr_code(device),
        "secret": totp_secret_text(device),
    }
    return render(request, "accounts/twofactor_setup.html", context)
