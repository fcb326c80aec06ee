"""Background tasks of payouts (django_tasks): ids (or nothing) in, idempotent.

Periodic, for serve.PERIODIC_TASKS:
- ``studymarket.ledger.payouts.tasks.payouts_weekly_task``: weekly payouts (from PAYOUT_WEEKDAY on).
- ``studymarket.ledger.payouts.tasks.payout_routes_task``: Mollie routes of released sales
  (does nothing unless PAYOUT_PROVIDER=mollie_route).
"""

import dataclasses

from django_tasks import task

from studymarket.ledger.payouts.services import (
    payout_failed_mail_send,
    payout_routes_run,
    payouts_weekly_create,
)


@task()
def payouts_weekly_task() -> int:
    """A payout for every seller on the weekly schedule that has none this week yet; returns
    how many were made. Safe to run as often as you like (one payout per seller per week)."""
    return payouts_weekly_create()


@task()
def payout_routes_task() -> dict[str, int]:
    """Route released sales to the sellers' Mollie organisations, and ask again for routes left
    unanswered (same idempotency key)."""
    result = payout_routes_run()
    return dataclasses.asdict(result)


@task()
def payout_failed_mail_task(payout_id: int) -> bool:
    """Queued after a payout failed (on commit): tells the seller the money is back."""
    return payout_failed_mail_send(payout_id=payout_id)
