from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from studymarket.core import clock


class Command(BaseCommand):
    help = (
        "Move the application's clock forward (tests and demos of the guarantee window; refused "
        "in production). Example: clock_advance --days 15"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=float, default=0)
        parser.add_argument("--hours", type=float, default=0)
        parser.add_argument("--reset", action="store_true", help="back to the real time")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["reset"]:
                clock.reset()
                self.stdout.write("clock reset to the real time")
                return
            total = clock.advance(timedelta(days=options["days"], hours=options["hours"]))
        except (RuntimeError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"clock now {clock.now():%Y-%m-%d %H:%M} (offset {total})")
