"""`python manage.py reconcile_stamped_copies`: queue again the buyers' PDF copies whose build
task was lost (run it now and then, e.g. every few minutes, and when the worker starts)."""

from typing import Any

from django.core.management.base import BaseCommand

from studymarket.library.services import stamped_copies_reconcile


class Command(BaseCommand):
    help = "Queue again the stamped copies left pending (their build task was lost)."

    def handle(self, *args: Any, **options: Any) -> None:
        queued = stamped_copies_reconcile()
        self.stdout.write(f"Queued {len(queued)} copy build(s) again" + (f": {queued}" if queued else "."))
