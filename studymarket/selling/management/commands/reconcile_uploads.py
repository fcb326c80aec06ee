"""`python manage.py reconcile_uploads`: queue again the uploads a dead worker or a lost task
left unfinished (run it now and then, e.g. every few minutes, and when the worker starts)."""

from typing import Any

from django.core.management.base import BaseCommand

from studymarket.selling.services import uploads_reconcile


class Command(BaseCommand):
    help = "Queue again the uploads left unfinished (stuck in processing, failed, or never queued)."

    def handle(self, *args: Any, **options: Any) -> None:
        queued = uploads_reconcile()
        self.stdout.write(f"Queued {len(queued)} upload(s) again" + (f": {queued}" if queued else "."))
