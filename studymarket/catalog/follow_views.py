"""Follow and unfollow a seller or a course; opt out from the e-mail without logging in."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from studymarket.accounts.models import SellerProfile, User
from studymarket.catalog.follows import (
    follow_create,
    follow_delete,
    follow_optout_apply,
    follow_optout_get,
)
from studymarket.catalog.models import Course
from studymarket.catalog.templatetags.follows import follow_button_context
from studymarket.core.errors import ApplicationError


def _next_url(request: HttpRequest, fallback: str) -> str:
    """Where to go back to: the page the button was on, if it is one of ours."""
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def _follow_toggle(
    request: HttpRequest, *, seller: SellerProfile | None = None, course: Course | None = None
) -> HttpResponse:
    target = seller if seller is not None else course
    assert target is not None
    next_url = _next_url(request, target.get_absolute_url())
    if not isinstance(request.user, User):
        response: HttpResponse = redirect_to_login(next_url)
        if request.htmx:  # type: ignore[attr-defined]
            response["HX-Redirect"] = response["Location"]  # htmx follows it in the whole window
        return response
    refusal = None
    try:
        if request.POST.get("action") == "unfollow":
            follow_delete(user=request.user, seller=seller, course=course)
        else:
            follow_create(user=request.user, seller=seller, course=course, language=request.LANGUAGE_CODE)
    except ApplicationError as exc:
        refusal = exc.message
    if request.htmx:  # type: ignore[attr-defined]
        context = follow_button_context(
            request=request, user=request.user, next_url=next_url, seller=seller, course=course
        )
        return render(request, "catalog/includes/follow_button.html", {**context, "refusal": refusal})
    if refusal:
        messages.error(request, refusal)
    return HttpResponseRedirect(next_url)


@require_POST
def follow_seller_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _follow_toggle(request, seller=get_object_or_404(SellerProfile, slug=slug))


@require_POST
def follow_course_view(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_object_or_404(Course.objects.select_related("programme__institution"), pk=course_id)
    return _follow_toggle(request, course=course)


# No CSRF check: the signed token is what authorises, and a mail program's one-click
# unsubscribe (RFC 8058) POSTs here from outside the site.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def follow_optout_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the confirm page (a link checker that opens the link changes nothing). POST: unfollow
    what the e-mail was about, or everything with action=all."""
    try:
        optout = follow_optout_get(token=token)
    except ApplicationError as exc:
        return render(request, "catalog/follow_optout.html", {"error": exc.message}, status=404)
    if request.method == "GET":
        return render(request, "catalog/follow_optout.html", {"optout": optout, "token": token})
    everything = request.POST.get("action") == "all"
    follow_optout_apply(optout=optout, everything=everything)
    return render(
        request, "catalog/follow_optout.html", {"optout": optout, "done": True, "everything": everything}
    )
