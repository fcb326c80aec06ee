"""The public and seller pages of notice and action: "Meld dit document" (DSA art. 16, no
account needed) and the seller's answer to a notice."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from studymarket.accounts.models import User
from studymarket.catalog.models import Listing, ListingStatus
from studymarket.core.ratelimits import key_ip, rate_limited
from studymarket.trust.decisions import NoticeDecisionRefused, notice_seller_respond
from studymarket.trust.forms import NoticeForm, SellerResponseForm
from studymarket.trust.models import Notice, NoticeStatus
from studymarket.trust.notices import NoticeRefused, reporter_suspended
from studymarket.trust.notices import notice_create as notice_take

# The numbers of the notices this browser sent, so only the reporter sees their thank-you page.
_SESSION_KEY = "trust_notices_sent"


def _reportable_listing(listing_id: int) -> Listing:
    listing = Listing.objects.filter(
        pk=listing_id, status__in=[ListingStatus.PUBLISHED, ListingStatus.TAKEN_DOWN]
    ).first()
    if listing is None:
        raise Http404
    return listing


def _initial(request: HttpRequest, listing: Listing) -> dict[str, str]:
    initial = {"location": settings.SITE_URL.rstrip("/") + listing.get_absolute_url()}
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        initial.update(reporter_name=user.get_full_name(), reporter_email=user.email)
    return initial


@require_http_methods(["GET", "POST"])
@rate_limited("notice_ip", key=key_ip, methods=("POST",))
def notice_create(request: HttpRequest, listing_id: int) -> HttpResponse:
    listing = _reportable_listing(listing_id)
    user = request.user if isinstance(request.user, User) and request.user.is_authenticated else None
    form = NoticeForm(request.POST or None, initial=_initial(request, listing))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = notice_take(
                listing=listing,
                kind=data["kind"],
                explanation=data["explanation"],
                location=data["location"],
                reporter_name=data["reporter_name"],
                reporter_email=data["reporter_email"],
                good_faith=data["good_faith"],
                reporter=user,
                language=get_language(),
            )
        except NoticeRefused as refused:
            form.add_error(None, refused.message)
        else:
            sent = [*request.session.get(_SESSION_KEY, [])[-19:], notice.number]
            request.session[_SESSION_KEY] = sent
            return redirect("trust:notice_received", number=notice.number)
    context = {
        "listing": listing,
        "form": form,
        "suspended": user is not None and reporter_suspended(user=user, email=user.email),
    }
    return render(request, "trust/notice_form.html", context, status=400 if form.errors else 200)


def notice_received(request: HttpRequest, number: str) -> HttpResponse:
    """The thank-you page. Its details (number, address) only for the browser that sent the
    notice; anyone else with the link sees the general thanks, which tells nothing."""
    notice = None
    if number in request.session.get(_SESSION_KEY, []):
        notice = Notice.objects.select_related("listing").filter(number=number).first()
    return render(request, "trust/notice_received.html", {"notice": notice})


@login_required
@require_http_methods(["GET", "POST"])
def notice_respond(request: HttpRequest, number: str) -> HttpResponse:
    """The seller's page for a notice about their document: what was reported (without the
    reporter's name or address), where it stands, and the form to answer when we asked."""
    assert isinstance(request.user, User)
    notice = Notice.objects.select_related("listing__seller").filter(number=number).first()
    if notice is None or notice.listing.seller.user_id != request.user.pk:
        raise Http404
    form = SellerResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice_seller_respond(notice_id=notice.pk, seller=request.user, text=form.cleaned_data["text"])
        except NoticeDecisionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request, _("Bedankt, je reactie is verstuurd. Je hoort per e-mail wat we besluiten.")
            )
            return redirect("trust:notice_respond", number=notice.number)
    context = {
        "notice": notice,
        "form": form,
        "can_respond": notice.status == NoticeStatus.AWAITING_SELLER,
    }
    return render(request, "trust/notice_respond.html", context, status=400 if form.errors else 200)
