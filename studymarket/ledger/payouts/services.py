"""Payouts: a seller's available balance leaves the ledger for their bank (docs/adr/0008-payouts.md).

The state machine (docs/state-machines.md, "Payout"): created → sent → paid | failed. Every
transition locks the row, checks the state, writes, posts its journal and records an audit
event in one transaction; "already there" returns quietly.

Making a payout takes the whole available balance under a row lock of the seller's available
account (and of ``payouts_in_transit``, both in id order as ``journal_post`` takes them, so that
a payout and a failure of another payout never deadlock). A refund's reversal takes the same
lock on the available account, so whichever comes second sees the other's balance: two
requests at once make one payout, and a refund racing a payout never takes "available" below
zero (the reversal books the rest as the seller's debt).

The SEPA file is local work (no outside call); Mollie routes are outside calls, so they run
between transactions: the payout and its journal are committed first, the route is asked for
with the payout's stored idempotency key, and the answer is booked in a second transaction.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from studymarket.accounts.models import PayoutSchedule, SellerProfile, User
from studymarket.core import clock
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.core.formatting import money_display
from studymarket.core.money import Money
from studymarket.ledger.journals import account_for, accounts_lock, seller_key
from studymarket.ledger.models import (
    AccountKind,
    Payout,
    PayoutBatch,
    PayoutStatus,
    PayoutTrigger,
)
from studymarket.ledger.payouts.providers import MOLLIE_ROUTE, SEPA, payout_provider_get
from studymarket.ledger.payouts.providers.base import PayoutInstruction, PayoutProviderError
from studymarket.ledger.payouts.selectors import route_payment_id_get, routes_due
from studymarket.ledger.postings import payout_failure_post, payout_paid_post, payout_post

logger = logging.getLogger(__name__)

OPEN_STATUSES = (PayoutStatus.CREATED, PayoutStatus.SENT)
# Used when settings.PAYOUT_MINIMUM_CENTS is not set (it is, in config/settings.py).
DEFAULT_MINIMUM_CENTS = 1000


class PayoutRefused(ApplicationError):
    """A payout that cannot be made now; the message says what the seller (or staff) can do."""


def payout_minimum() -> Money:
    return Money(int(getattr(settings, "PAYOUT_MINIMUM_CENTS", DEFAULT_MINIMUM_CENTS)), settings.CURRENCY)


def payout_reference(payout: Payout) -> str:
    """The SEPA end-to-end id (at most 35 characters of the SEPA set): what the bank's statement
    quotes back, so staff can find the payout."""
    return f"SM-PAYOUT-{payout.pk}"


def _description(payout: Payout) -> str:
    # On the seller's bank statement; SEPA's remittance field takes 140 characters.
    return f"studymarket uitbetaling {payout.pk}"


def _payout_details_missing(seller: SellerProfile) -> bool:
    return not (seller.payout_iban and seller.payout_account_holder)


def _lock_seller_available(seller_id: int) -> int:
    """Lock the seller's available account and payouts in transit (id order); the available
    balance in cents as the seller reads it (positive)."""
    available = account_for(kind=AccountKind.SELLER_AVAILABLE, key=seller_key(seller_id))
    in_transit = account_for(kind=AccountKind.PAYOUTS_IN_TRANSIT)
    locked = accounts_lock([available, in_transit])
    return -locked[available.pk].balance_cents


def _open_payout_exists(seller_id: int) -> bool:
    return Payout.objects.filter(seller_id=seller_id, status__in=OPEN_STATUSES, provider=SEPA).exists()


@transaction.atomic
def payout_request(
    *,
    seller: SellerProfile,
    trigger: str = PayoutTrigger.REQUEST,
    actor: User | None = None,
    request_key: str = "",
) -> Payout:
    """A SEPA payout of the seller's whole available balance (trigger REQUEST: the seller asked;
    WEEKLY: ``payouts_weekly_create``).

    ``request_key`` makes a request idempotent: the form carries one key per page view, so a
    second click (or a resent form) returns the payout the first made instead of an error.
    Raises PayoutRefused without payout details, with a payout still open, or below the minimum.
    """
    idempotency_key = f"{trigger}:{seller.pk}:{request_key}" if request_key else ""
    if idempotency_key:
        existing = Payout.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    profile = SellerProfile.objects.get(pk=seller.pk)
    if _payout_details_missing(profile):
        raise PayoutRefused(
            _("Vul eerst je rekeninggegevens in (naam rekeninghouder en IBAN); daarna kun je uitbetalen.")
        )
    available_cents = _lock_seller_available(profile.pk)
    if idempotency_key:
        # Looked at again under the lock: a second click that waited for the first finds its payout.
        existing = Payout.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if _open_payout_exists(profile.pk):
        raise PayoutRefused(
            _(
                "Er is al een uitbetaling onderweg naar je bank. Zodra die is verwerkt, kun je een "
                "nieuwe aanvragen."
            )
        )
    available = Money(available_cents, settings.CURRENCY)
    minimum = payout_minimum()
    if available < minimum:
        raise PayoutRefused(
            _(
                "Je beschikbare saldo is %(available)s. Uitbetalen kan vanaf %(minimum)s; verdiensten "
                "komen vrij zodra de garantietermijn van een verkoop voorbij is."
            )
            % {"available": money_display(available), "minimum": money_display(minimum)}
        )
    now = clock.now()
    payout = Payout.objects.create(
        seller=profile,
        amount_cents=available.cents,
        currency=available.currency,
        provider=SEPA,
        trigger=trigger,
        account_holder=profile.payout_account_holder,
        iban=profile.payout_iban,
        bic=profile.payout_bic,
        idempotency_key=idempotency_key or f"{trigger}:{profile.pk}:{uuid.uuid4().hex}",
        requested_by=actor if actor is not None and actor.is_authenticated else None,
    )
    payout_post(payout_id=payout.pk, seller_id=profile.pk, amount=available, booked_at=now)
    audit_record(
        action="payout.created",
        obj=payout,
        actor=actor,
        amount_cents=payout.amount_cents,
        trigger=str(trigger),
        provider=SEPA,
        iban_end=payout.iban[-4:],
    )
    return payout


def weekly_payout_day(now: datetime) -> date:
    """The day of ``now``'s week (local time, Monday first) on which weekly payouts are made."""
    today = timezone.localtime(now).date()
    return today - timedelta(days=today.weekday()) + timedelta(days=settings.PAYOUT_WEEKDAY % 7)


def payouts_weekly_create(now: datetime | None = None) -> int:
    """One payout per seller on the weekly schedule, once per week: from the week's payout day
    (settings.PAYOUT_WEEKDAY, 0 = Monday) on, so a worker that was down that day catches up.
    Sellers without payout details, below the minimum or with a payout still open are left
    for next week. Each seller in its own transaction; returns how many payouts were made."""
    now = now or clock.now()
    if timezone.localtime(now).date() < weekly_payout_day(now):
        return 0
    year, week, _weekday = weekly_payout_day(now).isocalendar()
    sellers = (
        SellerProfile.objects.filter(payout_schedule=PayoutSchedule.WEEKLY)
        .exclude(payout_iban="")
        .order_by("pk")
    )
    made = 0
    for seller in sellers.iterator():
        key = f"{year}-W{week:02d}"
        if Payout.objects.filter(idempotency_key=f"{PayoutTrigger.WEEKLY}:{seller.pk}:{key}").exists():
            continue
        try:
            payout_request(seller=seller, trigger=PayoutTrigger.WEEKLY, request_key=key)
        except PayoutRefused:
            continue
        made += 1
    return made


def _payout_locked(payout_id: int) -> Payout:
    return Payout.objects.select_for_update(of=("self",)).select_related("seller").get(pk=payout_id)


def _payouts_to_send_locked() -> list[Payout]:
    """The created SEPA payouts, their rows locked. A transaction that waited for the lock gets
    the rows as the other one left them (PostgreSQL re-reads them), so sent ones drop out."""
    payouts = (
        Payout.objects.select_for_update(of=("self",))
        .filter(status=PayoutStatus.CREATED, provider=SEPA, batch__isnull=True)
        .order_by("pk")
    )
    return [payout for payout in payouts if payout.status == PayoutStatus.CREATED]


@transaction.atomic
def payout_batch_create(*, actor: User) -> PayoutBatch | None:
    """All created SEPA payouts in one pain.001.001.03 file (checked against sepaxml's schema),
    kept byte for byte in a PayoutBatch; the payouts become sent. None when none are waiting.

    The payouts' rows are locked first: a second click waits, then finds them sent and makes
    no second file."""
    payouts = _payouts_to_send_locked()
    if not payouts:
        return None
    instructions = [
        PayoutInstruction(
            reference=payout_reference(payout),
            amount_cents=payout.amount_cents,
            currency=payout.currency,
            description=_description(payout),
            idempotency_key=payout.idempotency_key,
            account_holder=payout.account_holder,
            iban=payout.iban,
            bic=payout.bic,
        )
        for payout in payouts
    ]
    try:
        dispatch = payout_provider_get(SEPA).send(instructions)
    except PayoutProviderError as error:
        logger.error("SEPA file refused: %s", error)
        raise PayoutRefused(
            _(
                "Het SEPA-bestand kon niet worden gemaakt: %(error)s. Controleer de rekeninggegevens "
                "van de uitbetalingen in de wachtrij en probeer het opnieuw."
            )
            % {"error": error}
        ) from error
    batch = PayoutBatch.objects.create(
        message_id=dispatch.message_id,
        created_by=actor,
        document=dispatch.document,
        total_cents=sum(p.amount_cents for p in payouts),
    )
    now = clock.now()
    by_reference = {outcome.reference: outcome for outcome in dispatch.outcomes}
    for payout in payouts:
        payout.status = PayoutStatus.SENT
        payout.batch = batch
        payout.sent_at = now
        payout.provider_reference = by_reference[payout_reference(payout)].provider_reference
        payout.save(update_fields=["status", "batch", "sent_at", "provider_reference"])
        audit_record(action="payout.sent", obj=payout, actor=actor, batch=batch.message_id)
    audit_record(
        action="payout_batch.created",
        obj=batch,
        actor=actor,
        payouts=[p.pk for p in payouts],
        total_cents=batch.total_cents,
    )
    return batch


def payout_batch_downloaded(*, batch_id: int, actor: User) -> PayoutBatch:
    """Record who fetched the file and when: every download is in the audit trail (the file
    holds account numbers), the first one also on the batch. Raises PayoutBatch.DoesNotExist."""
    with transaction.atomic():
        batch = PayoutBatch.objects.select_for_update().get(pk=batch_id)
        first = batch.downloaded_at is None
        if first:
            batch.downloaded_at = clock.now()
            batch.save(update_fields=["downloaded_at"])
        audit_record(action="payout_batch.downloaded", obj=batch, actor=actor, first=first)
    return batch


@transaction.atomic
def payout_mark_paid(*, payout_id: int, actor: User) -> Payout:
    """sent → paid, when the bank's statement shows the transfer. Already paid: quietly."""
    payout = _payout_locked(payout_id)
    if payout.status == PayoutStatus.PAID:
        return payout
    if payout.status != PayoutStatus.SENT:
        raise PayoutRefused(_status_refusal(payout))
    now = clock.now()
    payout.status = PayoutStatus.PAID
    payout.paid_at = now
    payout.save(update_fields=["status", "paid_at"])
    payout_paid_post(payout_id=payout.pk, booked_at=now)
    audit_record(action="payout.paid", obj=payout, actor=actor, amount_cents=payout.amount_cents)
    return payout


@transaction.atomic
def payout_mark_failed(*, payout_id: int, actor: User, reason: str) -> Payout:
    """sent → failed, with the bank's reason: compensating entries put the money back on the
    seller's available balance, and the seller is e-mailed to check their details. Already
    failed: quietly."""
    reason = " ".join(reason.split())
    if not reason:
        raise PayoutRefused(_("Geef de reden op die de bank noemt, zodat de verkoper weet wat te doen."))
    payout = _payout_locked(payout_id)
    if payout.status == PayoutStatus.FAILED:
        return payout
    if payout.status != PayoutStatus.SENT:
        raise PayoutRefused(_status_refusal(payout))
    _fail(payout, reason=reason, actor=actor)
    return payout


def _status_refusal(payout: Payout) -> str:
    if payout.status == PayoutStatus.CREATED:
        return _(
            "Uitbetaling %(id)s staat nog in de wachtrij: maak eerst het SEPA-bestand en lever het "
            "aan bij de bank."
        ) % {"id": payout.pk}
    return _("Uitbetaling %(id)s is al %(status)s; dat kan niet meer veranderen.") % {
        "id": payout.pk,
        "status": payout.get_status_display().lower(),
    }


def _fail(payout: Payout, *, reason: str, actor: User | None) -> None:
    now = clock.now()
    payout.status = PayoutStatus.FAILED
    payout.failed_at = now
    payout.failure_reason = reason[:300]
    payout.save(update_fields=["status", "failed_at", "failure_reason"])
    payout_failure_post(payout_id=payout.pk, booked_at=now)
    audit_record(action="payout.failed", obj=payout, actor=actor, reason=reason[:300])
    transaction.on_commit(lambda: _failure_mail_enqueue(payout.pk))


def _failure_mail_enqueue(payout_id: int) -> None:
    # Imported here: the task module imports this one.
    from studymarket.ledger.payouts.tasks import payout_failed_mail_task

    payout_failed_mail_task.enqueue(payout_id)


# --- Mollie's delayed routing -------------------------------------------------------------------


@dataclass(frozen=True)
class RouteResult:
    created: int  # payouts made this run
    paid: int  # routes Mollie accepted (this run's and earlier unanswered ones)
    failed: int  # routes Mollie refused: the money is back on the seller's balance
    waiting: int  # no answer (Mollie unreachable): asked again next run, same idempotency key


@transaction.atomic
def route_payout_create(*, order_line_id: int, seller_id: int, share: Money) -> Payout | None:
    """A route payout for one released sale: the share released to "available", as far as the
    balance still goes (a refund after the release may have taken part of it). None when there
    is nothing left to route or the line has its payout already."""
    seller = SellerProfile.objects.get(pk=seller_id)
    if not seller.mollie_organization_id:
        return None
    available_cents = _lock_seller_available(seller_id)
    if Payout.objects.filter(order_line_id=order_line_id).exists():
        return None
    amount = Money(min(available_cents, share.cents), share.currency)
    if amount.cents <= 0:
        return None
    now = clock.now()
    payout = Payout.objects.create(
        seller=seller,
        amount_cents=amount.cents,
        currency=amount.currency,
        provider=MOLLIE_ROUTE,
        trigger=PayoutTrigger.RELEASE,
        destination=seller.mollie_organization_id,
        order_line_id=order_line_id,
        # One route per sale, ever: a route Mollie refused is not asked for again (the money is
        # back on the seller's balance, which a SEPA payout can take).
        idempotency_key=f"route:{order_line_id}",
    )
    payout_post(payout_id=payout.pk, seller_id=seller_id, amount=amount, booked_at=now)
    audit_record(
        action="payout.created",
        obj=payout,
        amount_cents=payout.amount_cents,
        trigger=str(PayoutTrigger.RELEASE),
        provider=MOLLIE_ROUTE,
        order_line=order_line_id,
    )
    return payout


def route_payout_send(*, payout_id: int) -> str:
    """Ask Mollie for the route of a created route payout (outside any transaction), then book
    the answer: paid (created → sent → paid), refused (→ failed, money back), or no answer
    (left created; the next run asks again with the same idempotency key). Returns the status."""
    payout = Payout.objects.get(pk=payout_id)
    if payout.status != PayoutStatus.CREATED or payout.provider != MOLLIE_ROUTE:
        return str(payout.status)
    assert payout.order_line_id is not None
    instruction = PayoutInstruction(
        reference=payout_reference(payout),
        amount_cents=payout.amount_cents,
        currency=payout.currency,
        description=_description(payout),
        idempotency_key=payout.idempotency_key,
        payment_id=route_payment_id_get(order_line_id=payout.order_line_id),
        destination=payout.destination,
    )
    outcome = payout_provider_get(MOLLIE_ROUTE).send([instruction]).outcomes[0]
    with transaction.atomic():
        payout = _payout_locked(payout_id)
        if payout.status != PayoutStatus.CREATED:
            return str(payout.status)  # answered by a run that overlapped this one
        if outcome.status == "paid":
            now = clock.now()
            payout.status = PayoutStatus.PAID
            payout.sent_at = payout.paid_at = now
            payout.provider_reference = outcome.provider_reference[:100]
            payout.save(update_fields=["status", "sent_at", "paid_at", "provider_reference"])
            audit_record(action="payout.sent", obj=payout, route=payout.provider_reference)
            payout_paid_post(payout_id=payout.pk, booked_at=now)
            audit_record(action="payout.paid", obj=payout, amount_cents=payout.amount_cents)
        elif outcome.status == "refused":
            _fail(payout, reason=outcome.reason or "refused by Mollie", actor=None)
        else:
            logger.warning("Mollie route for payout %s not answered: %s", payout.pk, outcome.reason)
        return str(payout.status)


def payout_routes_run(*, limit: int = 500) -> RouteResult:
    """With PAYOUT_PROVIDER=mollie_route: route every released sale of a seller with a Mollie
    organisation, and ask again for routes left unanswered. Idempotent: a sale is routed once
    (one payout per line that did not fail), and a retry sends the stored idempotency key."""
    if settings.PAYOUT_PROVIDER != MOLLIE_ROUTE:
        return RouteResult(0, 0, 0, 0)
    created = 0
    for due in routes_due(limit=limit):
        if route_payout_create(order_line_id=due.order_line_id, seller_id=due.seller_id, share=due.share):
            created += 1
    statuses = [
        route_payout_send(payout_id=payout_id)
        for payout_id in Payout.objects.filter(provider=MOLLIE_ROUTE, status=PayoutStatus.CREATED)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    ]
    return RouteResult(
        created=created,
        paid=statuses.count(PayoutStatus.PAID),
        failed=statuses.count(PayoutStatus.FAILED),
        waiting=statuses.count(PayoutStatus.CREATED),
    )


def payout_failed_mail_send(*, payout_id: int) -> bool:
    """E-mail the seller that a payout failed and the money is back on their balance, with the
    bank's reason and what to do (check the IBAN). False when the payout is not failed."""
    payout = Payout.objects.select_related("seller__user").get(pk=payout_id)
    if payout.status != PayoutStatus.FAILED:
        return False
    seller = payout.seller
    context = {
        "seller": seller,
        "payout": payout,
        "amount": Money(payout.amount_cents, payout.currency),
        "iban_end": payout.iban[-4:],
        "earnings_url": settings.SITE_URL.rstrip("/") + reverse("ledger:earnings"),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("ledger/emails/payout_failed_subject.txt", context).split())
        body = render_to_string("ledger/emails/payout_failed.txt", context)
    send_mail(subject, body, None, [seller.user.email])
    return True
