"""`python manage.py restore DIR`: put a snapshot of `manage.py backup` back into an empty data
folder, then run the ledger check and the file check and rebuild the search index
(operations.restore). Refuses a damaged snapshot or one newer than the code, writing nothing."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from studymarket.operations.backup import BackupRefused
from studymarket.operations.manifest import SnapshotInvalid
from studymarket.operations.restore import snapshot_restore


class Command(BaseCommand):
    help = "Restore a snapshot made by `manage.py backup` into an empty data folder, then check it."
    # The system checks may open the database, which would create it before the restore does.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("snapshot", type=Path, help="The folder `manage.py backup --to` wrote.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = snapshot_restore(source=options["snapshot"].resolve(), log=self.stdout.write)
        except (SnapshotInvalid, BackupRefused) as error:
            raise CommandError(str(error)) from None
        for problem in summary.file_problems:
            self.stdout.write(problem)
        if not summary.healthy:
            raise CommandError(
                "Restored, but the checks above found problems: the snapshot is not a sound copy. "
                "Try an older snapshot, or keep this one and look into the lines above."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the snapshot of {summary.manifest.created_at}: ledger balanced, every stored "
                "file present and whole, search index rebuilt. Start the site again."
            )
        )
