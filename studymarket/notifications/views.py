"""The page "Meldingen": a person's notifications, newest first; opening one marks it read."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from studymarket.accounts.models import User
from studymarket.core.translated_urls import translated_url
from studymarket.notifications.selectors import notification_get, notification_list
from studymarket.notifications.services import notifications_mark_read


@login_required
@require_safe
def notification_index(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    listed = notification_list(request.user, request.GET.get("pagina"))
    return render(request, "notifications/index.html", {"page_obj": listed.page, "items": listed.items})


@login_required
@require_safe
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go where it leads, in the reader's language. Only the
    recipient's own: any other id is 404 (no hint whether it exists)."""
    assert isinstance(request.user, User)
    notification = notification_get(request.user, pk)
    if notification is None:
        raise Http404
    notifications_mark_read(user=request.user, ids=[notification.pk])
    target = notification.url or reverse("notifications:index")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        target = reverse("notifications:index")
    language = translation.get_language() or settings.LANGUAGE_CODE
    # The stored path is in the default language: resolved there, reversed in the reader's.
    with translation.override(settings.LANGUAGE_CODE):
        return redirect(translated_url(target, language))


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    notifications_mark_read(user=request.user)
    return redirect("notifications:index")
