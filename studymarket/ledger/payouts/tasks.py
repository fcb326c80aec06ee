"""Background tasks of payouts (django_tasks): ids (or nothing) in, idempotent.

Periodic (config/periodic.py): ``studymarket.ledger.payouts.tasks.payouts_weekly_task``, weekly
payouts (from PAYOUT_WEEKDAY on). The Mollie routing task needs the payments' Mollie ids, which
sit above the ledger, so it lives in payments (``studymarket.payments.ledger_tasks``).
"""

from django_tasks import task

from studymarket.core.task_queues import TASK_PRIORITY_SOON, TASK_PRIORITY_SWEEP
from studymarket.ledger.payouts.notifications import payout_failed_mail_send
from studymarket.ledger.payouts.services import payouts_weekly_create


@task(priority=TASK_PRIORITY_SWEEP)
def payouts_weekly_task() -> int:
    """A payout for every seller on the weekly schedule that has none this week yet; returns
    how many were made. Safe to run as often as you like (one payout per seller per week)."""
    return payouts_weekly_create()


@task(priority=TASK_PRIORITY_SOON)
def payout_failed_mail_task(payout_id: int) -> bool:
    """Queued after a payout failed (on commit): tells the seller the money is back."""
    return payout_failed_mail_send(payout_id=payout_id)
