"""The buyer's guarantee requests and staff's decisions on them, and the Refund an approval
starts.

Approval ends the buyer's access in the same transaction (orders.order_line_access_end), so
nothing can be downloaded between "approved" and "refunded", and creates the Refund row with
its idempotency key BEFORE the provider hears of it; after the commit, refund_execute sends it.
"""

from functools import partial

from django.db import transaction
from django.utils.translation import gettext

from studymarket.accounts.models import User
from studymarket.core import clock
from studymarket.core.audit import audit_record
from studymarket.library.models import Entitlement
from studymarket.orders.models import OrderLine
from studymarket.orders.services import order_line_access_end
from studymarket.payments.models import (
    REFUND_ORIGINS_OURS,
    Payment,
    PaymentStatus,
    Refund,
    RefundOrigin,
    RefundRequest,
    RefundRequestStatus,
    RefundStatus,
)
from studymarket.payments.refunds.mail import rejection_notice_enqueue
from studymarket.payments.refunds.policy import (
    RefundRefused,
    bundle_line_ids,
    guarantee_check,
    line_settled,
    request_allowed,
    staff_required,
)
from studymarket.payments.refunds.provider import refund_execute, refund_idempotency_key
from studymarket.payments.refunds.state import payment_lock, refund_request_transition


def _line_locked(order_line_id: int) -> OrderLine:
    return OrderLine.objects.select_for_update(of=("self",)).select_related("order").get(pk=order_line_id)


def refund_request_create(
    *, buyer: User, order_line: OrderLine, reason: str, explanation: str
) -> RefundRequest:
    """The buyer's request under the guarantee; approved at once when the rule allows (the
    access is gone when this returns, the money is on its way), else queued for staff.

    One request per line: a second one, or one for a refunded line, is refused with a message
    that says where things stand. A line bought as part of a bundle asks for the whole bundle:
    one request per line of it, made, approved and refunded together (the buyer gets back what
    they paid for the bundle). Returns the request of ``order_line``. Raises RefundRefused.
    """
    request = _refund_request_open(
        buyer=buyer, order_line_id=order_line.pk, reason=reason, explanation=explanation
    )
    for refund in Refund.objects.filter(request__in=_requests_together(request)).order_by("pk"):
        refund_execute(refund_id=refund.pk)
    return request


def _lines_locked(order_line_id: int) -> tuple[OrderLine, list[OrderLine]]:
    """The line and every line one request for it covers (payments.refunds.policy
    bundle_line_ids), locked in id order: two requests for lines of one bundle, or a request
    and its approval, take them one at a time and never deadlock."""
    line = OrderLine.objects.select_related("order").get(pk=order_line_id)
    locked = [_line_locked(pk) for pk in bundle_line_ids(line)]
    return next(other for other in locked if other.pk == order_line_id), locked


def _requests_together(request: RefundRequest) -> list[RefundRequest]:
    """``request`` and those made with it for the rest of its bundle: the requests of the
    lines of the same bundle in the same order (they are only ever made together)."""
    line = request.order_line
    if line.bundle_id is None:
        return [request]
    return list(
        RefundRequest.objects.filter(
            order_line__order_id=line.order_id, order_line__bundle_id=line.bundle_id
        ).order_by("order_line_id")
    )


@transaction.atomic(durable=True)
def _refund_request_open(*, buyer: User, order_line_id: int, reason: str, explanation: str) -> RefundRequest:
    line, lines = _lines_locked(order_line_id)
    explanation = request_allowed(buyer=buyer, line=line, reason=reason, explanation=explanation)
    # The entitlements' row locks make a download that is being recorded right now (library
    # download_record takes the same lock) either count, or find the access revoked.
    entitlements = [
        Entitlement.objects.select_for_update(of=("self",)).get(order_line=other) for other in lines
    ]
    check = guarantee_check(order_line=line)
    requests = [
        RefundRequest.objects.create(
            order_line=other,
            buyer=buyer,
            reason=reason,
            explanation=explanation,
            within_window=check.within_window,
            downloaded=check.downloaded,
        )
        for other in lines
    ]
    for request in requests:
        audit_record(
            action="refund_request.created",
            obj=request,
            actor=buyer,
            reason=reason,
            within_window=check.within_window,
            downloaded=check.downloaded,
            **({"bundle": line.bundle_id, "lines": [other.pk for other in lines]} if line.bundle_id else {}),
        )
    if check.automatic and all(entitlement.revoked_at is None for entitlement in entitlements):
        for other, request in zip(lines, requests, strict=True):
            approved, _ = refund_request_transition(
                request_id=request.pk,
                status=RefundRequestStatus.APPROVED,
                changes={"automatic": True, "decided_at": clock.now()},
                automatic=True,
            )
            _refund_start(line=other, request=approved)
    return RefundRequest.objects.get(order_line=line)


def _refund_start(
    *, line: OrderLine, request: RefundRequest | None, origin: str = RefundOrigin.REQUEST
) -> Refund:
    """The Refund row of an approved request, key and all, before the provider hears of it;
    the buyer's access ends now (through orders). Runs in the approving transaction, the line
    locked."""
    payment = (
        Payment.objects.filter(order_id=line.order_id, status=PaymentStatus.PAID)
        .order_by("paid_at", "pk")
        .first()
    )
    if payment is None or not payment.provider_id:
        raise RefundRefused(
            gettext(
                "Bij deze bestelling hoort geen ontvangen betaling. Neem contact op met de klantenservice."
            )
        )
    order_line_access_end(order_line_id=line.pk, reason="refund")
    attempt = Refund.objects.filter(order_line=line, idempotency_key__isnull=False).count() + 1
    refund = Refund.objects.create(
        payment=payment,
        order_line=line,
        request=request,
        origin=origin,
        amount_cents=line.price_cents,
        currency=line.order.currency,
        idempotency_key=refund_idempotency_key(order_line=line, attempt=attempt),
    )
    audit_record(action="refund.created", obj=refund, amount_cents=refund.amount_cents, attempt=attempt)
    return refund


def refund_request_approve(*, request_id: int, actor: User, note: str = "") -> RefundRequest:
    """Staff approve a queued request (for a bundle: the requests of all its lines): access
    ends at once, the refunds go to the provider. A second click returns quietly. Raises
    RefundRefused (not staff, already rejected)."""
    request = _refund_request_approve(request_id=request_id, actor=actor, note=note)
    together = _requests_together(request)
    for refund in Refund.objects.filter(request__in=together, status=RefundStatus.PENDING).order_by("pk"):
        refund_execute(refund_id=refund.pk)
    return request


def _decided_together(request_id: int) -> tuple[list[OrderLine], list[RefundRequest]]:
    """The lines, locked (in id order), and the requests a decision on ``request_id`` covers:
    the line's own, or those of its whole bundle."""
    clicked = RefundRequest.objects.select_related("order_line").get(pk=request_id)
    together = _requests_together(clicked)
    lines = [_line_locked(pk) for pk in sorted(r.order_line_id for r in together)]
    by_line = {r.order_line_id: r for r in together}
    return lines, [by_line[line.pk] for line in lines]


@transaction.atomic(durable=True)
def _refund_request_approve(*, request_id: int, actor: User, note: str) -> RefundRequest:
    staff_required(actor, gettext("Alleen medewerkers kunnen verzoeken beoordelen."))
    # The lines first, then the requests: the order every request's transaction locks them in.
    lines, together = _decided_together(request_id)
    decided: RefundRequest | None = None
    for line, sibling in zip(lines, together, strict=True):
        settled = line_settled(line)
        request, approved = refund_request_transition(
            request_id=sibling.pk,
            status=RefundRequestStatus.APPROVED,
            changes={"decided_at": clock.now(), "decided_by": actor, "decision_note": note.strip()},
            actor=actor,
            note=note.strip(),
            already_refunded=settled,
        )
        if request.pk == request_id:
            decided = request
        if not approved:
            if request.status == RefundRequestStatus.REJECTED:
                raise RefundRefused(
                    gettext("Dit verzoek is al afgewezen; een afwijzing wordt niet teruggedraaid.")
                )
            continue  # approved before: a second click
        if not settled:  # a chargeback or dashboard refund may have come first: nothing to pay twice
            _refund_start(line=line, request=request)
    assert decided is not None
    return decided


@transaction.atomic(durable=True)
def refund_request_reject(*, request_id: int, actor: User, note: str) -> RefundRequest:
    """Staff reject a queued request (for a bundle: the requests of all its lines); the buyer
    gets ``note`` by e-mail, once. The buyer keeps their access. A second click returns
    quietly. Raises RefundRefused."""
    staff_required(actor, gettext("Alleen medewerkers kunnen verzoeken beoordelen."))
    note = note.strip()
    if not note:
        raise RefundRefused(gettext("Schrijf op waarom je dit verzoek afwijst; de koper leest het."))
    _lines, together = _decided_together(request_id)
    decided: RefundRequest | None = None
    told = False
    for sibling in together:
        request, rejected = refund_request_transition(
            request_id=sibling.pk,
            status=RefundRequestStatus.REJECTED,
            changes={"decided_at": clock.now(), "decided_by": actor, "decision_note": note},
            actor=actor,
            note=note,
        )
        if request.pk == request_id:
            decided = request
        if not rejected:
            if request.status == RefundRequestStatus.APPROVED:
                raise RefundRefused(gettext("Dit verzoek is al goedgekeurd; de terugbetaling is gestart."))
            continue  # rejected before: a second click
        if not told:  # one e-mail for the bundle: its first line's request tells it
            transaction.on_commit(partial(rejection_notice_enqueue, request.pk))
            told = True
    assert decided is not None
    return decided


def refund_retry(*, refund_id: int, actor: User) -> Refund:
    """Staff send a failed refund of ours again, as a new attempt with a new key. Raises
    RefundRefused when the line was settled meanwhile or the refund did not fail."""
    retry = _refund_retry(refund_id=refund_id, actor=actor)
    return refund_execute(refund_id=retry.pk)


@transaction.atomic(durable=True)
def _refund_retry(*, refund_id: int, actor: User) -> Refund:
    staff_required(actor, gettext("Alleen medewerkers kunnen een terugbetaling opnieuw versturen."))
    payment_lock(Refund.objects.values_list("payment_id", flat=True).get(pk=refund_id))
    failed = Refund.objects.get(pk=refund_id)
    line = _line_locked(failed.order_line_id)
    if failed.status != RefundStatus.FAILED or failed.origin not in REFUND_ORIGINS_OURS:
        raise RefundRefused(gettext("Alleen een mislukte terugbetaling kan opnieuw worden verstuurd."))
    if line_settled(line):
        raise RefundRefused(gettext("Deze aankoop is inmiddels terugbetaald of wordt dat al."))
    request = failed.request
    if request is not None:  # the new attempt carries the request (one-to-one)
        failed.request = None
        failed.save(update_fields=["request", "updated_at"])
    retry = _refund_start(line=line, request=request, origin=failed.origin)
    audit_record(action="refund.retried", obj=retry, actor=actor, previous=failed.pk)
    return retry
