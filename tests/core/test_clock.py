"""The application's clock (core.clock) and `manage.py clock_advance`: business time that tests
and demos can move forward, never back, and never in production."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from studymarket.core import clock
from studymarket.core.models import ClockOffset

pytestmark = pytest.mark.django_db


def test_without_an_offset_the_clock_is_the_real_time():
    before = timezone.now()
    now = clock.now()
    assert before <= now <= timezone.now()
    assert clock.offset() == timedelta(0)


def test_advancing_adds_up_and_moves_now():
    assert clock.advance(timedelta(days=14)) == timedelta(days=14)
    assert clock.advance(timedelta(hours=2)) == timedelta(days=14, hours=2)

    assert clock.offset() == timedelta(days=14, hours=2)
    real = timezone.now()
    assert real + timedelta(days=14, hours=2) <= clock.now() <= timezone.now() + timedelta(days=14, hours=2)
    assert ClockOffset.objects.count() == 1


def test_the_clock_never_moves_back():
    clock.advance(timedelta(days=1))
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(timedelta(seconds=-1))
    assert clock.offset() == timedelta(days=1)


def test_reset_goes_back_to_the_real_time():
    clock.advance(timedelta(days=3))
    clock.reset()
    assert clock.offset() == timedelta(0)


def test_in_production_the_clock_cannot_be_moved_and_an_old_offset_is_ignored(settings):
    clock.advance(timedelta(days=5))
    settings.CLOCK_ADJUSTABLE = False

    assert clock.offset() == timedelta(0)
    with pytest.raises(RuntimeError, match="CLOCK_ADJUSTABLE"):
        clock.advance(timedelta(days=1))


def test_the_command_moves_the_clock_and_resets_it():
    out = StringIO()
    call_command("clock_advance", "--days", "15", "--hours", "1", stdout=out)
    assert clock.offset() == timedelta(days=15, hours=1)
    assert out.getvalue().endswith("(offset 15 days, 1:00:00)\n")

    call_command("clock_advance", "--reset", stdout=out)
    assert clock.offset() == timedelta(0)
    assert out.getvalue().endswith("clock reset to the real time\n")


def test_the_command_refuses_to_go_back_or_to_run_in_production(settings):
    with pytest.raises(CommandError, match="only moves forward"):
        call_command("clock_advance", "--days", "-1", stdout=StringIO())
    settings.CLOCK_ADJUSTABLE = False
    with pytest.raises(CommandError, match="CLOCK_ADJUSTABLE"):
        call_command("clock_advance", "--days", "1", stdout=StringIO())
