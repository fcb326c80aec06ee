"""The money back office (staff only): dashboard, order history, refund and payout queues,
the ledger check, manual corrections. Thin: each view parses, calls one service of the app that
owns the data (which audits), maps its errors to a message and renders or redirects.

Changes are POSTs only (CSRF-checked by the middleware). A second click does no harm: the
services return quietly when the change is already made (a payout already paid, a request
already decided, no payouts left for a second file), and a correction, the one change that
would happen twice, carries a one-time token (AdjustmentForm.token) that the ledger keeps as the
journal's source reference, so it books each token once."""

import uuid

from django.conf import settings
from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

# staff_only: 404 for a signed-in user who is not staff; staff need a TOTP-verified session.
from studymarket.accounts.decorators import staff_only
from studymarket.accounts.models import User
from studymarket.core.errors import ApplicationError
from studymarket.core.formatting import money_display
from studymarket.core.money import Money
from studymarket.ledger.approvals import adjustment_submit, payout_release_allowed
from studymarket.ledger.journals import Line
from studymarket.ledger.models import AccountKind, Payout, PayoutBatch, StaffApproval
from studymarket.ledger.payouts.services import (
    payout_batch_create,
    payout_batch_downloaded,
    payout_mark_failed,
    payout_mark_paid,
)
from studymarket.ledger.postings import AdjustmentAlreadyPosted
from studymarket.ledger.selectors import staff_approval_by_payout
from studymarket.orders.models import Order
from studymarket.payments.ledger_facts import ledger_check
from studymarket.payments.models import RefundRequest
from studymarket.payments.refunds import refund_request_approve, refund_request_reject
from studymarket.payments.selectors import RefundRequestGroup
from studymarket.support.money import selectors
from studymarket.support.money.forms import (
    CREDIT,
    AdjustmentForm,
    OrderSearchForm,
    PayoutFailForm,
    RefundDecisionForm,
)


def _staff(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # staff_only let only a logged-in user through
    return request.user


@staff_only
def dashboard(request: HttpRequest) -> HttpResponse:
    context = {
        "counts": selectors.dashboard_counts(),
        # Django's admin shows raw data read-only; its own index is this page (same URL).
        "admin_apps": admin.site.get_app_list(request),
    }
    return render(request, "support/money/dashboard.html", context)


# ---------------------------------------------------------------------------------------------
# Orders


@staff_only
def order_list(request: HttpRequest) -> HttpResponse:
    form = OrderSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    orders = list(selectors.order_search(query=query))
    if query and len(orders) == 1 and orders[0].number.lower() == query.lower():
        return redirect("support:order_detail", number=orders[0].number)
    return render(request, "support/money/order_list.html", {"form": form, "orders": orders, "query": query})


@staff_only
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        order = selectors.order_get(number=number)
    except Order.DoesNotExist:
        raise Http404 from None
    context = {
        "order": order,
        "lines": selectors.order_lines_view(order=order),
        "payments": order.payments.all(),
        "timeline": selectors.order_timeline(order=order),
    }
    return render(request, "support/money/order_detail.html", context)


# ---------------------------------------------------------------------------------------------
# Refund requests


@staff_only
def refund_queue(request: HttpRequest, forms: dict[int, RefundDecisionForm] | None = None) -> HttpResponse:
    """One entry per decision: a bundle's requests (one per document) are one entry with one
    form, and deciding it decides them all (payments.refunds.requests)."""
    groups = selectors.refund_queue()
    forms = forms or {}

    def form_of(group: RefundRequestGroup) -> RefundDecisionForm:
        # A form sent back with errors, whichever of the group's requests it named.
        sent = [form for request_id, form in forms.items() if request_id in group.request_ids]
        return sent[0] if sent else RefundDecisionForm()

    context = {
        "queue": [(group, form_of(group)) for group in groups],
        "document_count": sum(len(group.requests) for group in groups),
        "problems": selectors.refund_problem_list(),
        "decided": selectors.refund_request_decided_list(),
    }
    return render(request, "support/money/refund_queue.html", context, status=400 if forms else 200)


@require_POST
@staff_only
def refund_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
        refund_request = selectors.refund_request_get(request_id=request_id)
    except RefundRequest.DoesNotExist:
        raise Http404 from None
    form = RefundDecisionForm(request.POST)
    if not form.is_valid():
        return refund_queue(request, forms={request_id: form})
    actor = _staff(request)
    note = form.cleaned_data["note"].strip()
    try:
        if form.approve:
            refund_request_approve(request_id=refund_request.pk, actor=actor, note=note)
        else:
            refund_request_reject(request_id=refund_request.pk, actor=actor, note=note)
    except ApplicationError as error:
        # Decided by a colleague meanwhile, or the provider refused: the request may have left
        # the queue, so the message goes on top of the page, not beside the form.
        messages.error(request, error.message)
        return redirect("support:refund_queue")
    bundle = refund_request.order_line.bundle_id is not None
    if form.approve and bundle:
        done = _("Goedgekeurd: alle documenten van de bundel worden terugbetaald, de toegang is ingetrokken.")
    elif form.approve:
        done = _("Goedgekeurd: de terugbetaling is gestart en de toegang ingetrokken.")
    elif bundle:
        done = _("Afgewezen voor de hele bundel: de koper krijgt je uitleg per e-mail.")
    else:
        done = _("Afgewezen: de koper krijgt je uitleg per e-mail.")
    messages.success(request, done)
    return redirect("support:refund_queue")


# ---------------------------------------------------------------------------------------------
# Payouts


@staff_only
def payout_queue(request: HttpRequest) -> HttpResponse:
    queued = list(selectors.payout_send_queue())
    # Above STAFF_SECOND_APPROVAL_ABOVE_CENTS a payout waits for two staff (ledger.approvals).
    to_send = [payout for payout in queued if payout_release_allowed(payout)]
    sent = list(selectors.payout_sent_list())
    waiting = [payout for payout in queued if payout not in to_send]
    approvals = staff_approval_by_payout(payout_ids=[payout.pk for payout in waiting])
    context = {
        "to_send": to_send,
        "awaiting_approval": [(payout, approvals.get(payout.pk)) for payout in waiting],
        "to_send_total": Money(sum(p.amount_cents for p in to_send)),
        "sent": sent,
        "batches": selectors.payout_batch_list(),
        "fail_form": PayoutFailForm(),
    }
    return render(request, "support/money/payout_queue.html", context)


@staff_only
def payout_failed(request: HttpRequest) -> HttpResponse:
    return render(request, "support/money/payout_failed.html", {"payouts": selectors.payout_failed_list()})


@require_POST
@staff_only
def payout_batch_make(request: HttpRequest) -> HttpResponse:
    try:
        batch = payout_batch_create(actor=_staff(request))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("support:payout_queue")
    if batch is None:
        messages.info(request, _("Er staan geen uitbetalingen klaar; er is geen bestand gemaakt."))
    else:
        messages.success(
            request,
            _("SEPA-bestand %(name)s gemaakt: %(total)s. Download het en lever het aan bij de bank.")
            % {"name": batch.message_id, "total": money_display(Money(batch.total_cents))},
        )
    return redirect("support:payout_queue")


@staff_only
def payout_batch_download(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The pain.001 file exactly as it was made (PayoutBatch keeps it byte for byte)."""
    try:
        batch = payout_batch_downloaded(batch_id=batch_id, actor=_staff(request))
    except PayoutBatch.DoesNotExist:
        raise Http404 from None
    response = HttpResponse(batch.document.encode("utf-8"), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.message_id}.xml"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _payout(payout_id: int) -> Payout:
    try:
        return selectors.payout_get(payout_id=payout_id)
    except Payout.DoesNotExist:
        raise Http404 from None


@require_POST
@staff_only
def payout_paid(request: HttpRequest, payout_id: int) -> HttpResponse:
    payout = _payout(payout_id)
    try:
        payout = payout_mark_paid(payout_id=payout.pk, actor=_staff(request))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("support:payout_queue")
    messages.success(
        request,
        _("Uitbetaling %(id)s aan %(seller)s is gemarkeerd als betaald.")
        % {"id": payout.pk, "seller": payout.seller.display_name},
    )
    return redirect("support:payout_queue")


@require_POST
@staff_only
def payout_fail(request: HttpRequest, payout_id: int) -> HttpResponse:
    payout = _payout(payout_id)
    form = PayoutFailForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors["reason"]))
        return redirect("support:payout_queue")
    try:
        payout = payout_mark_failed(
            payout_id=payout.pk, actor=_staff(request), reason=form.cleaned_data["reason"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("support:payout_queue")
    messages.success(
        request,
        _("Uitbetaling %(id)s is mislukt geboekt; %(amount)s staat weer op het saldo van %(seller)s.")
        % {
            "id": payout.pk,
            "amount": money_display(Money(payout.amount_cents)),
            "seller": payout.seller.display_name,
        },
    )
    return redirect("support:payout_queue")


# ---------------------------------------------------------------------------------------------
# Ledger


@staff_only
def ledger_status(request: HttpRequest) -> HttpResponse:
    runs = selectors.ledger_check_run_list(limit=10)
    return render(
        request, "support/money/ledger_status.html", {"latest": runs[0] if runs else None, "runs": runs}
    )


@require_POST
@staff_only
def ledger_check_now(request: HttpRequest) -> HttpResponse:
    violations = ledger_check(record=True)
    if violations:
        messages.error(
            request,
            ngettext(
                "Het grootboek klopt niet: %(count)s afwijking. Zie hieronder wat er mis is.",
                "Het grootboek klopt niet: %(count)s afwijkingen. Zie hieronder wat er mis is.",
                len(violations),
            )
            % {"count": len(violations)},
        )
    else:
        messages.success(request, _("Het grootboek klopt."))
    return redirect("support:ledger_status")


@staff_only
def adjustment(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = AdjustmentForm(initial={"token": uuid.uuid4().hex})
        return render(request, "support/money/adjustment.html", {"form": form})
    form = AdjustmentForm(request.POST)
    if form.is_valid():
        amount: Money = form.cleaned_data["amount"]
        signed = -amount if form.cleaned_data["direction"] == CREDIT else amount
        kind = AccountKind(form.cleaned_data["kind"])
        counter = AccountKind(form.cleaned_data["counter_kind"])
        try:
            # Above STAFF_SECOND_APPROVAL_ABOVE_CENTS it is only proposed (ledger.approvals).
            journal = adjustment_submit(
                actor=_staff(request),
                reason=form.cleaned_data["reason"],
                lines=[
                    Line(kind, signed, key=form.key_for(kind)),
                    Line(counter, -signed, key=form.key_for(counter)),
                ],
                token=form.cleaned_data["token"],
            )
        except AdjustmentAlreadyPosted as already:
            messages.info(request, already.message)
            return redirect("support:ledger_status")
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            if isinstance(journal, StaffApproval):
                messages.success(
                    request,
                    _(
                        "Voorgesteld: een correctie van meer dan %(threshold)s boekt pas als een andere "
                        "medewerker haar goedkeurt."
                    )
                    % {"threshold": money_display(Money(settings.STAFF_SECOND_APPROVAL_ABOVE_CENTS))},
                )
                return redirect("support:approval_queue")
            messages.success(
                request,
                _("Correctie geboekt (journaal %(id)s): %(amount)s.")
                % {"id": journal.pk, "amount": money_display(amount)},
            )
            return redirect("support:ledger_status")
    return render(request, "support/money/adjustment.html", {"form": form}, status=400)
