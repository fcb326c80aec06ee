"""`python manage.py periodic`: queues the periodic tasks (settings.PERIODIC_TASKS,
config/periodic.py) for the workers, each when it is due and all of them at start. It is the
scheduler `serve` runs in its loop, as a process of its own for the scale-out profile (a
systemd unit, Restart=always); SIGTERM or SIGINT stops it (exit code 0). `--once` queues each
task once and exits: for cron or a systemd timer instead of the long-running process.

Several at once do no harm, so a second one may run on another host for when the first is
down: every periodic task is idempotent (a sweep reads what is unfinished and takes it up under
the state machines' row locks; one payout per seller per week; the flush and the ledger check
are safe to repeat), and a task with a copy still waiting in the database queue is not queued
again (core.workers.Ticker), so the second scheduler adds at most a copy of each sweep.
"""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from studymarket.core.workers import Ticker, periodic_schedule

# How often the loop looks at the schedule: the shortest interval (PAYMENT_RECONCILE_INTERVAL_SECONDS)
# is a minute, and a stop signal is answered within this.
POLL_SECONDS = 1.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Command(BaseCommand):
    help = "Queue the periodic tasks for the workers, each when it is due (scale-out; systemd runs it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Queue every periodic task once, then exit (for cron)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failures: list[str] = []

        def err(line: str) -> None:
            failures.append(line)
            self.stderr.write(line)

        ticker = Ticker(periodic_schedule(), err)
        verbosity: int = options["verbosity"]
        if options["once"]:
            queued = ticker()
            if failures:  # cron mails a failing job's output
                raise CommandError(f"{len(failures)} periodic task(s) could not be queued (see above).")
            if verbosity:
                self.stdout.write(
                    f"Queued {len(queued)} of {len(ticker.schedule)} periodic tasks "
                    "(the others have a copy waiting in the queue)."
                )
            return
        self.stop_signal: int | None = None
        previous = {sig: signal.signal(sig, self._on_signal) for sig in STOP_SIGNALS}
        try:
            if verbosity:
                self.stdout.write(f"Queueing {len(ticker.schedule)} periodic tasks when due.")
            while self.stop_signal is None:
                for name in ticker():
                    if verbosity > 1:
                        self.stdout.write(f"Queued {name}.")
                time.sleep(POLL_SECONDS)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if verbosity:
            self.stdout.write(f"Received {signal.Signals(self.stop_signal).name}; stopped.")

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop_signal = signum
