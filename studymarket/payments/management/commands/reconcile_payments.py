"""`python manage.py reconcile_payments`: sync open payments with their provider now (what the
periodic task does), for operators and for machines that receive no webhooks."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from studymarket.payments.services import RECONCILE_BATCH, payments_reconcile


class Command(BaseCommand):
    help = "Ask the payment provider about every open or pending payment and apply the answers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=RECONCILE_BATCH, help="At most this many payments.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = payments_reconcile(limit=options["limit"])
        self.stdout.write(
            f"checked {report.checked}, changed {report.changed}, registered {report.registered}, "
            f"provider unavailable {report.unavailable}, open past expiry {report.overdue}"
        )
