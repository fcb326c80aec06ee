"""The daily backup (django_tasks; periodic in config/periodic.py when BACKUP_DIR is set).

Queued every hour (LEDGER_INTERVAL_SECONDS) and at every start of `serve`, it writes a snapshot
only when BACKUP_DIR has none of today's date (UTC) yet: a site stopped at the usual time still
gets its backup when it comes back, and restarts do not multiply them. Then the retention
(BACKUP_KEEP_DAILY, BACKUP_KEEP_WEEKLY) deletes the snapshots it does not keep.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django_tasks import task

from studymarket.core.task_queues import TASK_PRIORITY_BULK
from studymarket.operations.backup import snapshot_create
from studymarket.operations.retention import snapshot_name, snapshots_listed, snapshots_prune


@task(priority=TASK_PRIORITY_BULK)
def backup_daily_task() -> str:
    """Returns the new snapshot's folder, or "" when today's exists or backups are off."""
    if not settings.BACKUP_DIR:
        return ""
    return backup_daily(folder=Path(settings.BACKUP_DIR))


def backup_daily(*, folder: Path, moment: datetime | None = None) -> str:
    # Real time, not core.clock's: `clock_advance` must not age the backups.
    moment = moment or datetime.now(UTC)
    made = ""
    if not any(taken.date() == moment.date() for taken in snapshots_listed(folder).values()):
        target = folder / snapshot_name(moment)
        snapshot_create(target=target)
        made = str(target)
    snapshots_prune(
        folder=folder, daily=settings.BACKUP_KEEP_DAILY, weekly=settings.BACKUP_KEEP_WEEKLY, now=moment
    )
    return made
