"""A seller's SEPA payout of their whole available balance: on request, or for the weekly run
(services.weekly)."""

import uuid

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from studymarket.accounts.models import SellerProfile, User
from studymarket.core import clock
from studymarket.core.audit import audit_record
from studymarket.core.formatting import money_display
from studymarket.core.money import Money
from studymarket.ledger.models import Payout, PayoutStatus, PayoutTrigger
from studymarket.ledger.payouts.errors import PayoutRefused
from studymarket.ledger.payouts.providers import SEPA
from studymarket.ledger.payouts.services.common import payout_minimum, seller_available_lock
from studymarket.ledger.postings import payout_post

OPEN_STATUSES = (PayoutStatus.CREATED, PayoutStatus.SENT)


def _payout_details_missing(seller: SellerProfile) -> bool:
    return not (seller.payout_iban and seller.payout_account_holder)


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
    available_cents = seller_available_lock(profile.pk)
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
