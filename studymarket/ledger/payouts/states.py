"""The payout state machine (docs/state-machines.md, "Payout"): one table, one apply function.

    created → sent → paid | failed, and created → failed for a Mollie route Mollie refused.

Making a payout (— → created) is an insert, done by the services with its ``payout`` journal
(services.requests, services.routes). Every later status change goes through
``payout_transition``, which does what CONVENTIONS.md §4 asks of a transition: the caller has
locked the row; this checks the current state against the table, writes the new state with its
timestamp, posts the journal the new state books, records the audit event, all in the caller's
transaction. "Already there" returns quietly, so a retry is harmless.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from studymarket.accounts.models import User
from studymarket.core import clock
from studymarket.core.audit import audit_record
from studymarket.ledger.models import Journal, Payout, PayoutStatus
from studymarket.ledger.payouts.errors import PayoutRefused
from studymarket.ledger.payouts.providers import MOLLIE_ROUTE, SEPA
from studymarket.ledger.postings import payout_failure_post, payout_paid_post
from studymarket.notifications.models import NotificationKind
from studymarket.notifications.services import notification_create


@dataclass(frozen=True)
class Transition:
    providers: frozenset[str]  # the payout providers whose payouts may take this step
    stamp: str  # the Payout timestamp field set to the moment of the change
    # The journal the new state books (payout id, moment), if any.
    post: Callable[..., Journal] | None = None


_BOTH = frozenset({SEPA, MOLLIE_ROUTE})

TRANSITIONS: dict[tuple[str, str], Transition] = {
    # SEPA: in a pain.001 file staff hand to the bank; a route: Mollie accepted it.
    (PayoutStatus.CREATED, PayoutStatus.SENT): Transition(_BOTH, "sent_at"),
    # The bank's statement shows it (staff), or Mollie's route was accepted: the money left.
    (PayoutStatus.SENT, PayoutStatus.PAID): Transition(_BOTH, "paid_at", payout_paid_post),
    # The bank returned it: compensating entries put the money back on the seller's balance.
    (PayoutStatus.SENT, PayoutStatus.FAILED): Transition(_BOTH, "failed_at", payout_failure_post),
    # Mollie refused the route (a definite no, nothing moved): the money goes back the same way.
    (PayoutStatus.CREATED, PayoutStatus.FAILED): Transition(
        frozenset({MOLLIE_ROUTE}), "failed_at", payout_failure_post
    ),
}


def transition_allowed(*, provider: str, current: str, new: str) -> bool:
    step = TRANSITIONS.get((current, new))
    return step is not None and provider in step.providers


def transition_refusal(payout: Payout) -> str:
    """Why ``payout`` cannot change (any more), in words staff can act on."""
    if payout.status == PayoutStatus.CREATED:
        return _(
            "Uitbetaling %(id)s staat nog in de wachtrij: maak eerst het SEPA-bestand en lever het "
            "aan bij de bank."
        ) % {"id": payout.pk}
    return _("Uitbetaling %(id)s is al %(status)s; dat kan niet meer veranderen.") % {
        "id": payout.pk,
        "status": payout.get_status_display().lower(),
    }


def payout_transition(
    payout: Payout,
    *,
    to: PayoutStatus,
    actor: User | None = None,
    now: datetime | None = None,
    changes: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
) -> bool:
    """Move ``payout`` (its row locked by the caller, select_for_update, in the caller's
    transaction) to ``to``: True when it moved, False when it was there already (nothing is
    written). Raises PayoutRefused when the table has no such step for this payout's provider.

    Sets the status, the step's timestamp and ``changes`` (other fields of the row, e.g. the
    batch or the failure reason) in one save; posts the new state's journal; records the audit
    event ``payout.<to>`` with ``details`` (and the amount when paid, the reason when failed);
    after a failure, queues the seller's e-mail once the transaction commits.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("payout_transition runs inside the transaction that locked the payout")
    if payout.status == to:
        return False
    step = TRANSITIONS.get((payout.status, to))
    if step is None or payout.provider not in step.providers:
        raise PayoutRefused(transition_refusal(payout))
    now = now or clock.now()
    changes = dict(changes or {})
    payout.status = to
    setattr(payout, step.stamp, now)
    for field, value in changes.items():
        setattr(payout, field, value)
    payout.save(update_fields=["status", step.stamp, *changes])
    if step.post is not None:
        step.post(payout_id=payout.pk, booked_at=now)
    audit = dict(details or {})
    if to == PayoutStatus.PAID:
        audit["amount_cents"] = payout.amount_cents
    elif to == PayoutStatus.FAILED:
        audit["reason"] = payout.failure_reason
        payout_id = payout.pk
        transaction.on_commit(lambda: _failure_mail_enqueue(payout_id))
    audit_record(action=f"payout.{to}", obj=payout, actor=actor, **audit)
    if to in _TOLD:
        notification_create(
            recipient_id=payout.seller.user_id,
            kind=_TOLD[to],
            params={"amount": payout.amount_cents, "currency": payout.currency},
            url=reverse("ledger:earnings"),
            key=f"payout:{payout.pk}",
        )
    return True


# The steps the seller hears of in the site's bell (a failure by e-mail too).
_TOLD = {PayoutStatus.PAID: NotificationKind.PAYOUT_PAID, PayoutStatus.FAILED: NotificationKind.PAYOUT_FAILED}


def _failure_mail_enqueue(payout_id: int) -> None:
    # Imported here: the task module imports the services, which import this one.
    from studymarket.ledger.payouts.tasks import payout_failed_mail_task

    payout_failed_mail_task.enqueue(payout_id)
