"""Access decorators for views: who may see a page, and what the view is handed."""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from studymarket.accounts.models import SellerProfile, User
from studymarket.accounts.twofactor import twofactor_url
from studymarket.core.security_log import security_event

P = ParamSpec("P")
View = Callable[..., HttpResponse]


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def htmx_redirect(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """A redirect that also works for an htmx request, which would follow a plain redirect
    and swap the page into a fragment."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def seller_required(
    view: Callable[Concatenate[HtmxHttpRequest, SellerProfile, P], HttpResponse],
) -> Callable[Concatenate[HtmxHttpRequest, P], HttpResponse]:
    """Signed-in sellers only; the view gets the seller. Others are sent to sign in, or
    to "Start met verkopen"."""

    @wraps(view)
    def wrapped(request: HtmxHttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            back = (request.htmx.current_url_abs_path if request.htmx else None) or request.get_full_path()
            return htmx_redirect(request, redirect_to_login(back).url)
        try:
            seller: SellerProfile = request.user.seller_profile
        except ObjectDoesNotExist:
            messages.info(request, _("Kies eerst hoe kopers je zien: dan kun je documenten uploaden."))
            return htmx_redirect(request, reverse("accounts:become_seller"))
        return view(request, seller, *args, **kwargs)

    return wrapped


def _staff_gate(request: HttpRequest, *, deny: Callable[[], None]) -> HttpResponse | None:
    """None when the request may pass: a staff member whose session is verified with a TOTP code
    (twofactor.py). Anonymous visitors go to the login page; staff without a verified session to
    the code page (or its set-up) and back; for anyone else ``deny`` raises."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not user.is_staff:
        deny()
    assert isinstance(user, User)
    # is_verified() is installed by django-otp's OTPMiddleware.
    if not getattr(user, "is_verified", lambda: False)():
        return redirect(twofactor_url(user=user, next_url=request.get_full_path()))
    return None


def staff_required(view: View) -> View:
    """Staff only, answering 403 to a signed-in user who is not staff (Django's
    staff_member_required would send them to a login form they cannot use). The
    middleware (core.security_log) logs the 403."""

    def deny() -> None:
        raise PermissionDenied

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        return _staff_gate(request, deny=deny) or view(request, *args, **kwargs)

    return wrapped


def staff_only(view: View) -> View:
    """Staff only, answering 404 to a signed-in user who is not staff, as if the back office did
    not exist (its URLs tell nothing to a buyer). The denial goes to the security log."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        def deny() -> None:
            security_event("access_denied", request=request, status=404)
            raise Http404

        return _staff_gate(request, deny=deny) or view(request, *args, **kwargs)

    return wrapped
