"""The staff side of notice and action under /beheer/meldingen/: the queue (soonest deadline
first), a notice's page with its timeline, and the one-click decisions."""

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from studymarket.accounts.decorators import staff_required
from studymarket.accounts.models import User
from studymarket.trust import forms as decision
from studymarket.trust.decisions import (
    NoticeDecisionRefused,
    notice_ask_seller,
    notice_reject_unfounded,
    notice_restore,
    notice_take_down,
    notice_uphold,
)
from studymarket.trust.forms import NoticeDecisionForm
from studymarket.trust.models import Notice
from studymarket.trust.selectors import (
    notice_get,
    notice_list_for_listing,
    notice_statements,
    notice_timeline,
    notices_open,
)

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

Decide = Callable[..., Notice]

_DECISIONS: dict[str, tuple[Decide, "_StrPromise"]] = {
    decision.TAKE_DOWN: (
        notice_take_down,
        _("Het document is offline gehaald; de verkoper krijgt de motivering."),
    ),
    decision.ASK_SELLER: (notice_ask_seller, _("De verkoper is gevraagd te reageren.")),
    decision.RESTORE: (
        notice_restore,
        _("Niet gegrond: het document is hersteld; de melder krijgt het besluit."),
    ),
    decision.UPHOLD: (
        notice_uphold,
        _("Gegrond: het document is definitief offline; kopers krijgen hun geld terug."),
    ),
    decision.UNFOUNDED: (
        notice_reject_unfounded,
        _("Afgewezen als ongegrond; de melder krijgt het besluit."),
    ),
}


@staff_required
def notice_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request, "trust/staff/notice_queue.html", {"notices": list(notices_open()), "now": timezone.now()}
    )


@staff_required
def notice_detail(request: HttpRequest, number: str, form: NoticeDecisionForm | None = None) -> HttpResponse:
    notice = _notice(number)
    context = {
        "notice": notice,
        "listing": notice.listing,
        "seller": notice.listing.seller,
        "statements": notice_statements(notice=notice),
        "timeline": notice_timeline(notice=notice),
        "others": notice_list_for_listing(listing_id=notice.listing_id).exclude(pk=notice.pk),
        "form": form or NoticeDecisionForm(),
        "now": timezone.now(),
    }
    return render(request, "trust/staff/notice_detail.html", context, status=400 if form else 200)


@require_POST
@staff_required
def notice_decide(request: HttpRequest, number: str) -> HttpResponse:
    assert isinstance(request.user, User)  # staff_required let only a logged-in user through
    notice = _notice(number)
    form = NoticeDecisionForm(request.POST)
    if not form.is_valid():
        return notice_detail(request, number, form=form)
    service, done = _DECISIONS[form.cleaned_data["decision"]]
    try:
        service(notice_id=notice.pk, actor=request.user, note=form.cleaned_data["note"])
    except NoticeDecisionRefused as refused:
        form.add_error(None, refused.message)
        return notice_detail(request, number, form=form)
    messages.success(request, done)
    return redirect(notice.get_staff_url())


def _notice(number: str) -> Notice:
    try:
        return notice_get(number=number)
    except Notice.DoesNotExist:
        raise Http404 from None
