"""The page "Meldingen": a person's notifications, newest first; opening one (a POST from the
page) marks it read."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from studymarket.accounts.models import User
from studymarket.core.translated_urls import translated_url
from studymarket.notifications.models import Notification
from studymarket.notifications.selectors import notification_get, notification_list
from studymarket.notifications.services import notifications_mark_read


@login_required
@require_safe
def notification_index(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    listed = notification_list(request.user, request.GET.get("pagina"))
    return render(request, "notifications/index.html", {"page_obj": listed.page, "items": listed.items})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Go where the notification leads, in the reader's language; only a POST (the page's
    button, with its CSRF token) marks it read. A GET changes nothing: a link prefetcher, a mail
    scanner or another site must not mark read what the person never saw. It still leads on,
    for the address a login sends back to when the session had run out. Only the recipient's
    own: any other id is 404 (no hint whether it exists)."""
    assert isinstance(request.user, User)
    notification = notification_get(request.user, pk)
    if notification is None:
        raise Http404
    if request.method == "POST":
        notifications_mark_read(user=request.user, ids=[notification.pk])
    return redirect(_target(notification))


def _target(notification: Notification) -> str:
    """The stored path in the reader's language; the list instead when there is none, or when
    what is stored is not a path on this site (never a redirect to another site)."""
    target = notification.url
    if not (target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None)):
        return reverse("notifications:index")
    language = translation.get_language() or settings.LANGUAGE_CODE
    # The stored path is in the default language: resolved there, reversed in the reader's.
    with translation.override(settings.LANGUAGE_CODE):
        return translated_url(target, language)


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    notifications_mark_read(user=request.user)
    return redirect("notifications:index")
