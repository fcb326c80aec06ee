"""The periodic tasks that `manage.py serve` (one machine) or `manage.py periodic` (at scale)
queues for the workers, first at start.

They live here, with the settings, because this is the one place that may name every app:
core (which holds `serve`) sits below all of them (the layering in pyproject.toml), so it reads
this list through settings.PERIODIC_TASKS, the way Django reads ROOT_URLCONF.
"""

from django.conf import settings
from django_tasks.base import Task


def periodic_tasks() -> list[tuple[Task, float]]:
    """(task, interval in seconds) pairs; imported when called, not when the settings load."""
    from studymarket.catalog.tasks import follow_notifications_reconcile_task, listing_views_flush_task
    from studymarket.core.task_queues import QUEUES
    from studymarket.core.tasks import task_results_abandon_task, task_results_prune_task
    from studymarket.ledger.payouts.tasks import payouts_weekly_task
    from studymarket.ledger.tasks import earnings_release_task
    from studymarket.library.tasks import stamped_copies_reconcile_task
    from studymarket.notifications.tasks import notifications_cleanup_task
    from studymarket.operations.heartbeat import worker_heartbeat_task
    from studymarket.operations.tasks import backup_daily_task
    from studymarket.payments.ledger_tasks import ledger_check_task, payout_routes_task
    from studymarket.payments.tasks import payments_reconcile_task, refunds_reconcile_task
    from studymarket.privacy.tasks import privacy_housekeeping_task
    from studymarket.selling.tasks import uploads_reconcile_task

    payments = float(settings.PAYMENT_RECONCILE_INTERVAL_SECONDS)
    reconcile = float(settings.RECONCILE_INTERVAL_SECONDS)
    uploads = float(settings.UPLOADS_RECONCILE_INTERVAL_SECONDS)
    ledger = float(settings.LEDGER_INTERVAL_SECONDS)
    # BACKUP_DIR set: the daily snapshot, asked for hourly (it makes one when today has none).
    backups = [(backup_daily_task, ledger)] if settings.BACKUP_DIR else []
    return backups + [
        # A laptop receives no webhooks: this sweep is how it learns of payments made elsewhere.
        (payments_reconcile_task, payments),
        # Refunds left pending; refunds and chargebacks made at the provider (no webhooks here either).
        (refunds_reconcile_task, payments),
        # Task rows a worker that `serve` does not watch left running (its own are marked at once).
        (task_results_abandon_task, reconcile),
        # Uploads a killed worker left in processing (also run at start, and when the worker
        # is started again).
        (uploads_reconcile_task, uploads),
        # Buyers' stamped copies whose build a killed worker left pending.
        (stamped_copies_reconcile_task, reconcile),
        # E-mails to followers about a new document that a lost task or a failed send left unsent.
        (follow_notifications_reconcile_task, reconcile),
        # Listing views counted in the cache, written to the listings in one batch (catalog.counters).
        (listing_views_flush_task, float(settings.VIEW_COUNT_FLUSH_INTERVAL_SECONDS)),
        # Sellers' earnings whose guarantee window is over become available.
        (earnings_release_task, ledger),
        # Weekly payouts on PAYOUT_WEEKDAY (catches up if the worker was down that day).
        (payouts_weekly_task, ledger),
        # PAYOUT_PROVIDER=mollie_route: route released sales' shares (does nothing for sepa).
        (payout_routes_task, ledger),
        # Is the ledger balanced? Recorded for the back office's status.
        (ledger_check_task, ledger),
        # Data exports past PRIVACY_EXPORT_DAYS deleted; erased traders' records past DSA art. 30(3)'s
        # six months purged.
        (privacy_housekeeping_task, reconcile),
        # Read notifications of the site's bell older than half a year deleted.
        (notifications_cleanup_task, ledger),
        # Finished task rows past their keeping time deleted (core.task_rows.task_results_prune).
        (task_results_prune_task, ledger),
        # A heartbeat on each queue: the worker that takes it records itself (operations.heartbeat;
        # /readyz and the staff status page read it).
        *[
            (worker_heartbeat_task.using(queue_name=queue), float(settings.WORKER_HEARTBEAT_INTERVAL_SECONDS))
            for queue in QUEUES
        ],
    ]
