"""manage.py search_rebuild [--backend tantivy|postgres] [--clear]: fill the search index from
the database, the source of truth (after a restore, a schema change, or to reconcile)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from studymarket.search.backends import SearchUnavailable, backend_get
from studymarket.search.index_sync import search_rebuild


class Command(BaseCommand):
    help = "Rebuild the search index from the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--backend", choices=["tantivy", "postgres"], help="Default: settings.SEARCH_BACKEND."
        )
        parser.add_argument("--clear", action="store_true", help="Empty the index first.")

    def handle(self, *args: Any, backend: str | None = None, clear: bool = False, **options: Any) -> None:
        try:
            engine = backend_get(backend)
        except SearchUnavailable as error:
            raise CommandError(str(error)) from error
        upgrade = getattr(engine, "indexes_upgrade", None)
        if upgrade is not None:
            for done in upgrade():
                self.stdout.write(f"Created {done}.")
        count = search_rebuild(backend=engine, clear=clear, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} published listings ({engine.name})."))
