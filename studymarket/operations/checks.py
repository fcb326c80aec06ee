"""A system check: a shop on the embedded profile (SQLite, files on this machine) that makes no
backups is one disk failure away from losing every buyer's purchases and every seller's money."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register
from django.db import connections


@register("operations")
def backups_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not settings.PRODUCTION or settings.BACKUP_DIR or connections["default"].vendor != "sqlite":
        return []
    return [
        Warning(
            "No daily backups: BACKUP_DIR is not set.",
            hint="Set BACKUP_DIR to a folder on another disk and copy it off the machine "
            "(README, Backups). At scale, back up PostgreSQL and the bucket instead.",
            id="operations.W001",
        )
    ]
