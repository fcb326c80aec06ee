"""Reads of the ledger (ledger.selectors): what a seller sees, and the back office's reports."""

from datetime import timedelta

import pytest
from django.conf import settings

from studymarket.core import clock
from studymarket.core.money import Money
from studymarket.ledger.models import JournalSource, LedgerCheckRun
from studymarket.ledger.postings import earnings_release_due
from studymarket.ledger.selectors import (
    journals_for_order_lines,
    journals_for_payouts,
    ledger_check_latest,
    seller_balance,
    seller_earnings_by_week,
    seller_pending_lines,
    trial_balance,
)
from tests.factories import SellerFactory
from tests.ledger.ledger_helpers import paid_line, payout_make, payout_settle, refund_line

pytestmark = pytest.mark.usefixtures("ledger_balanced")

WINDOW = timedelta(days=settings.GUARANTEE_WINDOW_DAYS)


def test_a_sellers_balance_pending_available_in_transit_paid_out_and_debt():
    seller = SellerFactory()
    first = paid_line(seller=seller)
    paid_line(seller=seller)
    clock.advance(WINDOW + timedelta(minutes=1))
    earnings_release_due()
    payout_settle(payout_make(seller, 500), paid=True)
    payout_make(seller, 700)
    refund_line(first)
    paid_line(seller=seller, price_cents=299)

    balance = seller_balance(seller_id=seller.pk)

    assert balance.pending == Money(198)
    assert balance.available == Money(0)
    assert balance.debt == Money(627 - 54)
    assert balance.paid_out == Money(500)
    assert balance.in_transit == Money(700)


def test_pending_lines_soonest_release_first_without_refunded_or_released_ones():
    seller = SellerFactory()
    released = paid_line(seller=seller)
    clock.advance(WINDOW + timedelta(minutes=1))
    earnings_release_due()
    refunded = paid_line(seller=seller)
    refund_line(refunded)
    older = paid_line(seller=seller, price_cents=299)
    clock.advance(timedelta(days=1))
    newer = paid_line(seller=seller)

    pending = seller_pending_lines(seller_id=seller.pk)

    assert [(p.order_line_id, p.title, p.amount) for p in pending] == [
        (older.pk, older.title, Money(198)),
        (newer.pk, newer.title, Money(627)),
    ]
    assert pending[0].release_at < pending[1].release_at
    assert released.pk not in {p.order_line_id for p in pending}


def test_earnings_per_week_leave_refunds_out_and_fill_empty_weeks():
    seller = SellerFactory()
    paid_line(seller=seller)
    refund_line(paid_line(seller=seller))
    paid_line(seller=seller, price_cents=299)

    weeks = seller_earnings_by_week(seller_id=seller.pk, weeks=3)

    assert [amount for _, amount in weeks] == [Money(0), Money(0), Money(627 + 198)]
    assert weeks[2][0].weekday() == 0
    assert weeks[1][0] == weeks[2][0] - timedelta(weeks=1)


def test_the_trial_balance_sums_to_zero():
    small, big = SellerFactory(display_name="klein"), SellerFactory(display_name="groot")
    paid_line(seller=small, price_cents=299)
    paid_line(seller=big)
    paid_line(seller=big)

    balances = trial_balance()
    assert sum(b.balance.cents for b in balances) == 0
    assert {(b.account.kind, b.balance.cents) for b in balances} >= {("provider_clearing", 949 * 2 + 299)}


def test_journals_of_order_lines_and_payouts_with_their_entries():
    line = paid_line()
    clock.advance(WINDOW + timedelta(minutes=1))
    earnings_release_due()
    payout = payout_settle(payout_make(line.seller_id, 627), paid=False)

    about_line = journals_for_order_lines(order_line_ids=[line.pk])
    about_payout = journals_for_payouts(payout_ids=[payout.pk])

    assert [j.source for j in about_line] == [JournalSource.SALE, JournalSource.RELEASE]
    assert [len(j.entries.all()) for j in about_line] == [4, 2]
    assert [j.source for j in about_payout] == [JournalSource.PAYOUT, JournalSource.PAYOUT_FAILURE]


def test_the_latest_ledger_check():
    assert ledger_check_latest() is None
    LedgerCheckRun.objects.create(ok=True)
    latest = LedgerCheckRun.objects.create(ok=False, violations=["x"])
    assert ledger_check_latest() == latest
