"""`python manage.py backup --to DIR`: a consistent snapshot of the running site (embedded
profile: SQLite and local files) in DIR, which must be new or empty (operations.backup).
Restore it with `manage.py restore DIR`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from studymarket.operations.backup import BackupRefused, snapshot_create
from studymarket.operations.sqlite_snapshot import DatabaseCopyFailed


class Command(BaseCommand):
    help = "Snapshot the database and the stored files (with a manifest of checksums) while the site runs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", required=True, type=Path, help="A new or empty folder for the snapshot.")

    def handle(self, *args: Any, **options: Any) -> None:
        target: Path = options["to"].resolve()
        try:
            manifest = snapshot_create(target=target, log=self.stdout.write)
        except (BackupRefused, DatabaseCopyFailed) as error:
            raise CommandError(str(error)) from None
        size = sum(entry.size for entry in manifest.files)
        self.stdout.write(
            f"Snapshot written to {target}: {len(manifest.files)} files, {size / 1e6:.1f} MB, "
            f"version {manifest.app_version}. Restore with `manage.py restore {target}`."
        )
