"""`python manage.py ledger_check`: is the ledger balanced, and does it match the business?

Prints "ledger balanced" and exits 0, or prints each violation on its own line and exits 1
(support.ledger_health has the checks). Each run is recorded for the back office's status.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from studymarket.support.ledger_health import ledger_health_check


class Command(BaseCommand):
    help = "Check the double-entry ledger and its match with orders, refunds and payouts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-record", action="store_true", help="Do not record this run for the back office."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        violations = ledger_health_check(record=not options["no_record"])
        if not violations:
            self.stdout.write("ledger balanced")
            return
        for violation in violations:
            self.stdout.write(violation)
        raise CommandError(f"ledger not balanced: {len(violations)} violation(s)", returncode=1)
