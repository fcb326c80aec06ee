"""SEPA batches: the created payouts become one pain.001 file staff hand to the bank, and the
bank's answer comes back by hand (paid, or failed with the bank's reason).

The SEPA file is local work (no outside call), so making it and marking its payouts sent is one
transaction. Every status change goes through states.payout_transition.
"""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from studymarket.accounts.models import User
from studymarket.core import clock
from studymarket.core.audit import audit_record
from studymarket.ledger.approvals import payout_release_allowed
from studymarket.ledger.models import Payout, PayoutBatch, PayoutStatus
from studymarket.ledger.payouts.errors import PayoutRefused
from studymarket.ledger.payouts.providers import SEPA, payout_provider_get
from studymarket.ledger.payouts.providers.base import PayoutInstruction, PayoutProviderError
from studymarket.ledger.payouts.services.common import payout_description, payout_locked, payout_reference
from studymarket.ledger.payouts.states import payout_transition, transition_refusal

logger = logging.getLogger(__name__)


def _payouts_to_send_locked() -> list[Payout]:
    """The created SEPA payouts, their rows locked. A transaction that waited for the lock gets
    the rows as the other one left them (PostgreSQL re-reads them), so sent ones drop out.
    A payout above the threshold waits for its second staff approval (ledger.approvals)."""
    payouts = (
        Payout.objects.select_for_update(of=("self",))
        .filter(status=PayoutStatus.CREATED, provider=SEPA, batch__isnull=True)
        .order_by("pk")
    )
    return [
        payout
        for payout in payouts
        if payout.status == PayoutStatus.CREATED and payout_release_allowed(payout)
    ]


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
            description=payout_description(payout),
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
        payout_transition(
            payout,
            to=PayoutStatus.SENT,
            actor=actor,
            now=now,
            changes={
                "batch": batch,
                "provider_reference": by_reference[payout_reference(payout)].provider_reference,
            },
            details={"batch": batch.message_id},
        )
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
    payout = payout_locked(payout_id)
    payout_transition(payout, to=PayoutStatus.PAID, actor=actor)
    return payout


@transaction.atomic
def payout_mark_failed(*, payout_id: int, actor: User, reason: str) -> Payout:
    """sent → failed, with the bank's reason: compensating entries put the money back on the
    seller's available balance, and the seller is e-mailed to check their details. Already
    failed: quietly."""
    reason = " ".join(reason.split())
    if not reason:
        raise PayoutRefused(_("Geef de reden op die de bank noemt, zodat de verkoper weet wat te doen."))
    payout = payout_locked(payout_id)
    if payout.status == PayoutStatus.CREATED:
        # Not at the bank yet (a route that waits for Mollie's answer may still go through).
        raise PayoutRefused(transition_refusal(payout))
    payout_transition(payout, to=PayoutStatus.FAILED, actor=actor, changes={"failure_reason": reason[:300]})
    return payout
