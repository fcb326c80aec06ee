"""The ``ago`` filter (core.formatting.time_ago): "zojuist" under a minute, then the largest unit
with its singular or plural, in Dutch and in English (issue 16, defect 8)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from studymarket.core.formatting import time_ago

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("before", "dutch", "english"),
    [
        (timedelta(0), "zojuist", "just now"),
        (timedelta(seconds=59), "zojuist", "just now"),
        (timedelta(seconds=-30), "zojuist", "just now"),  # a clock a little ahead
        (timedelta(minutes=1), "1 minuut geleden", "1 minute ago"),
        (timedelta(minutes=2, seconds=30), "2 minuten geleden", "2 minutes ago"),
        (timedelta(hours=1), "1 uur geleden", "1 hour ago"),
        (timedelta(hours=5), "5 uur geleden", "5 hours ago"),
        (timedelta(days=1), "1 dag geleden", "1 day ago"),
        (timedelta(days=3), "3 dagen geleden", "3 days ago"),
        (timedelta(days=2 * 365 + 61), "2 jaar geleden", "2 years ago"),
    ],
)
def test_time_ago(before, dutch, english):
    with translation.override("nl"):
        assert time_ago(NOW - before, now=NOW) == dutch
    with translation.override("en"):
        assert time_ago(NOW - before, now=NOW) == english


def test_ago_filter_says_zojuist_for_a_moment_ago():
    with translation.override("nl"):
        html = Template("{% load formatting %}{{ moment|ago }}").render(Context({"moment": timezone.now()}))
    assert html == "zojuist"
