"""Background tasks of the payments app (django_tasks). They take ids and are idempotent."""

from dataclasses import asdict

from django_tasks import task

from studymarket.core.task_queues import TASK_PRIORITY_SOON, TASK_PRIORITY_SWEEP
from studymarket.payments.refunds.mail import refund_notify, refund_request_rejected_notify
from studymarket.payments.services import payments_reconcile, refunds_and_reversals_reconcile


@task(priority=TASK_PRIORITY_SWEEP)
def payments_reconcile_task() -> dict[str, int]:
    """The periodic sweep (enqueued every PAYMENT_RECONCILE_INTERVAL_SECONDS by `serve`)."""
    return asdict(payments_reconcile())


@task(priority=TASK_PRIORITY_SWEEP)
def refunds_reconcile_task() -> dict[str, int]:
    """The refund sweep (enqueued by `serve` as often as payments_reconcile_task): refunds of
    ours left pending, and paid payments' refunds and chargebacks made elsewhere."""
    return asdict(refunds_and_reversals_reconcile())


@task(priority=TASK_PRIORITY_SOON)
def refund_notify_task(refund_id: int) -> None:
    """Queued after a refund is booked: the buyer's and the seller's e-mail, each once."""
    refund_notify(refund_id=refund_id)


@task(priority=TASK_PRIORITY_SOON)
def refund_request_rejected_notify_task(request_id: int) -> None:
    """Queued after staff reject a request: the buyer's e-mail with staff's note, once."""
    refund_request_rejected_notify(request_id=request_id)
