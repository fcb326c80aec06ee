"""Background tasks of the payments app (django_tasks). They take ids and are idempotent."""

from dataclasses import asdict

from django_tasks import task

from studymarket.payments.services import payments_reconcile


@task()
def payments_reconcile_task() -> dict[str, int]:
    """The periodic sweep (enqueued every PAYMENT_RECONCILE_INTERVAL_SECONDS by `serve`)."""
    return asdict(payments_reconcile())
