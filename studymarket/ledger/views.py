""" "Mijn verdiensten": the seller's earnings (pending with release dates, available, in transit,
paid out, debt), a chart per week, the payout history, the payout details and the payout button.
Thin: each view parses, calls one service or the selectors, maps errors, renders."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from studymarket.accounts.decorators import HtmxHttpRequest, seller_required
from studymarket.accounts.models import PayoutSchedule, SellerProfile
from studymarket.accounts.services import seller_payout_details_update
from studymarket.core import clock
from studymarket.core.errors import ApplicationError
from studymarket.core.formatting import money_display
from studymarket.core.money import Money
from studymarket.ledger.forms import PayoutDetailsForm, PayoutRequestForm
from studymarket.ledger.payouts.chart import earnings_chart
from studymarket.ledger.payouts.selectors import seller_payout_list, seller_payout_open
from studymarket.ledger.payouts.services import payout_minimum, payout_request, weekly_payout_day
from studymarket.ledger.selectors import seller_balance, seller_earnings_by_week, seller_pending_lines


def _page(
    request: HtmxHttpRequest, seller: SellerProfile, *, details_form: PayoutDetailsForm, status: int = 200
) -> HttpResponse:
    balance = seller_balance(seller_id=seller.pk)
    minimum = payout_minimum()
    context = {
        "seller": seller,
        "balance": balance,
        "pending_lines": seller_pending_lines(seller_id=seller.pk),
        "chart": earnings_chart(seller_earnings_by_week(seller_id=seller.pk)),
        "payouts": list(seller_payout_list(seller_id=seller.pk)),
        "open_payout": seller_payout_open(seller_id=seller.pk),
        "details_form": details_form,
        "has_details": bool(seller.payout_iban and seller.payout_account_holder),
        "request_form": PayoutRequestForm(initial={"request_key": uuid.uuid4().hex}),
        "minimum": minimum,
        "can_request": minimum <= balance.available,
        "guarantee_days": settings.GUARANTEE_WINDOW_DAYS,
        "weekly": seller.payout_schedule == PayoutSchedule.WEEKLY,
        "payout_day": weekly_payout_day(clock.now()),
    }
    return render(request, "ledger/earnings.html", context, status=status)


@require_GET
@seller_required
def earnings(request: HtmxHttpRequest, seller: SellerProfile) -> HttpResponse:
    return _page(request, seller, details_form=PayoutDetailsForm.for_seller(seller))


@require_POST
@seller_required
def payout_request_view(request: HtmxHttpRequest, seller: SellerProfile) -> HttpResponse:
    form = PayoutRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Dit formulier is verlopen. Probeer het nog een keer."))
        return redirect("ledger:earnings")
    try:
        payout = payout_request(
            seller=seller, actor=seller.user, request_key=form.cleaned_data["request_key"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("ledger:earnings")
    messages.success(
        request,
        _(
            "Je uitbetaling van %(amount)s is aangevraagd. Het geld staat meestal binnen een paar "
            "werkdagen op je rekening eindigend op %(iban_end)s."
        )
        % {
            "amount": money_display(Money(payout.amount_cents, payout.currency)),
            "iban_end": payout.iban[-4:],
        },
    )
    return redirect("ledger:earnings")


@require_POST
@seller_required
def payout_details(request: HtmxHttpRequest, seller: SellerProfile) -> HttpResponse:
    form = PayoutDetailsForm(request.POST)
    if form.is_valid():
        try:
            seller_payout_details_update(
                seller=seller,
                account_holder=form.cleaned_data["account_holder"],
                iban=form.cleaned_data["iban"],
                schedule=form.cleaned_data["schedule"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Je rekeninggegevens zijn opgeslagen."))
            return redirect("ledger:earnings")
    return _page(request, seller, details_form=form, status=400)
