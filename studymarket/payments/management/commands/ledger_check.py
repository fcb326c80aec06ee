"""`python manage.py ledger_check`: is the ledger balanced, and does it match the business?

Prints "ledger balanced" and exits 0, or prints each violation on its own line and exits 1.
Each run is recorded for the back office's status.

It lives in payments, not in the ledger: the check (ledger.health) compares the ledger with paid
order lines and completed refunds, which sit above the ledger, so the facts are gathered here
(payments.ledger_facts), in the lowest app that may read both, and handed to the check.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from studymarket.payments.ledger_facts import ledger_check


class Command(BaseCommand):
    help = "Check the double-entry ledger and its match with orders, refunds and payouts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-record", action="store_true", help="Do not record this run for the back office."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        violations = ledger_check(record=not options["no_record"])
        if not violations:
            self.stdout.write("ledger balanced")
            return
        for violation in violations:
            self.stdout.write(violation)
        raise CommandError(f"ledger not balanced: {len(violations)} violation(s)", returncode=1)
