"""The weekly payout run: one SEPA payout per seller on the weekly schedule, once a week."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from studymarket.accounts.models import PayoutSchedule, SellerProfile
from studymarket.core import clock
from studymarket.ledger.models import Payout, PayoutTrigger
from studymarket.ledger.payouts.errors import PayoutRefused
from studymarket.ledger.payouts.services.requests import payout_request


def weekly_payout_day(now: datetime) -> date:
    """The day of ``now``'s week (local time, Monday first) on which weekly payouts are made."""
    today = timezone.localtime(now).date()
    return today - timedelta(days=today.weekday()) + timedelta(days=settings.PAYOUT_WEEKDAY % 7)


def payouts_weekly_create(now: datetime | None = None) -> int:
    """One payout per seller on the weekly schedule, once per week: from the week's payout day
    (settings.PAYOUT_WEEKDAY, 0 = Monday) on, so a worker that was down that day catches up.
    Sellers without payout details, below the minimum or with a payout still open are left
    for next week. Each seller in its own transaction; returns how many payouts were made."""
    now = now or clock.now()
    if timezone.localtime(now).date() < weekly_payout_day(now):
        return 0
    year, week, _weekday = weekly_payout_day(now).isocalendar()
    sellers = (
        SellerProfile.objects.filter(payout_schedule=PayoutSchedule.WEEKLY)
        .exclude(payout_iban="")
        .order_by("pk")
    )
    made = 0
    for seller in sellers.iterator():
        key = f"{year}-W{week:02d}"
        if Payout.objects.filter(idempotency_key=f"{PayoutTrigger.WEEKLY}:{seller.pk}:{key}").exists():
            continue
        try:
            payout_request(seller=seller, trigger=PayoutTrigger.WEEKLY, request_key=key)
        except PayoutRefused:
            continue
        made += 1
    return made
