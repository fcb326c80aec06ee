"""The application's clock: what "now" means for business rules that run on time (the
guarantee window, the release of held earnings, weekly payouts).

Outside production it can be moved forward with `manage.py clock_advance`, so a browser test or
a demo can let "14 days pass" across processes (web, worker) without touching the system
clock. Timestamps of records (created_at and the like) keep using the real time; only
decisions ask this clock.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from studymarket.core.models import ClockOffset


def offset() -> timedelta:
    if not settings.CLOCK_ADJUSTABLE:
        return timedelta(0)
    seconds = ClockOffset.objects.values_list("seconds", flat=True).first()
    return timedelta(seconds=seconds or 0)


def now() -> datetime:
    return timezone.now() + offset()


def advance(delta: timedelta) -> timedelta:
    """Move the clock forward by ``delta``; returns the new total offset."""
    if not settings.CLOCK_ADJUSTABLE:
        raise RuntimeError("The clock cannot be moved here (CLOCK_ADJUSTABLE is off).")
    if delta < timedelta(0):
        raise ValueError("The clock only moves forward.")
    row, _ = ClockOffset.objects.get_or_create(pk=1)
    row.seconds += int(delta.total_seconds())
    row.save(update_fields=["seconds", "updated_at"])
    return timedelta(seconds=row.seconds)


def reset() -> None:
    ClockOffset.objects.filter(pk=1).delete()
