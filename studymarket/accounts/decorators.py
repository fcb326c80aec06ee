"""Access decorators for views: who may see a page, and what the view is handed."""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from studymarket.accounts.models import SellerProfile

P = ParamSpec("P")


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
