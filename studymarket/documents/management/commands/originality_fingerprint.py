"""`python manage.py originality_fingerprint [--all]`: fingerprint the accepted and held versions
that have no originality fingerprint yet (the demo data's; the demo load runs it), so that a
copy of them is refused or held like a copy of any other upload. `--all` makes them again for
every version (after NEAR_DUPLICATE_THRESHOLD changed: the bands depend on it). Safe to repeat."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from studymarket.documents.originality import originality_fingerprints_ensure


class Command(BaseCommand):
    help = "Fingerprint accepted and held versions that have no originality fingerprint (--all: every one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            dest="every",
            help="Fingerprint every accepted and held version again.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        done = originality_fingerprints_ensure(every=options["every"])
        for version, result in done:
            self.stdout.write(
                f"Version {version.pk} (document {version.document_id}): fingerprinted ({result.verdict})."
            )
        if done:
            self.stdout.write(f"Fingerprinted {len(done)} version(s).")
        else:
            self.stdout.write("No accepted or held versions without a fingerprint.")
