"""`python manage.py reconcile_refunds`: send refunds of ours still pending again, and pick up
refunds and chargebacks made outside the platform on recently paid payments (what the periodic
task does), for operators and for machines that receive no webhooks."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from studymarket.payments.services import REVERSAL_SWEEP_BATCH, refunds_and_reversals_reconcile


class Command(BaseCommand):
    help = "Finish pending refunds and book refunds and chargebacks made at the payment provider."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit",
            type=int,
            default=REVERSAL_SWEEP_BATCH,
            help="Ask about at most this many paid payments.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = refunds_and_reversals_reconcile(limit=options["limit"])
        self.stdout.write(
            f"refunds settled {report.refunds_settled}, paid payments checked {report.paid_checked}, "
            f"provider unavailable {report.unavailable}"
        )
