"""Payouts under concurrency, on PostgreSQL, each with a control.

Every test runs twice: as the code is ("locked"), and as a control with the account row locks
taken away (``accounts_lock`` swapped for the same read without SELECT … FOR UPDATE, wherever it
is used). The calls are made to meet (tests/orders/race.py): the first has written its journal
and is about to commit when the second starts in its own thread with its own connection. With
the locks, the second waits and then sees the first's balance; in the control it goes ahead on
the balance it read, and the database has to stop it (the available balance would go below
zero: IntegrityError) — the race the lock exists to prevent. The SEPA file's test takes away
the lock on the payouts' rows instead: two files would pay the same payout twice.
"""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection

from studymarket.accounts.models import SellerProfile
from studymarket.accounts.services import seller_payout_details_update
from studymarket.ledger import journals, postings
from studymarket.ledger.models import AccountKind, Payout, PayoutBatch
from studymarket.ledger.payouts.services import PayoutRefused, batches, common, payout_request
from studymarket.orders.models import OrderLine
from tests.factories import SellerFactory, UserFactory
from tests.ledger.concurrency import unlocked
from tests.ledger.ledger_helpers import balance, now, paid_line, refund_line, seller_cents
from tests.orders.race import race

SHARE = 627

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite runs one writer at a time (BEGIN IMMEDIATE): the race cannot happen there. "
        "Run with DATABASE_URL=postgres://… to test the row locks.",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("ledger_balanced"),
]


@pytest.fixture(params=["locked", "control"])
def variant(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "control":
        for module in (journals, postings, common):
            monkeypatch.setattr(module, "accounts_lock", unlocked)
    return str(request.param)


def _seller_with_lines(count: int = 2) -> tuple[SellerProfile, list[OrderLine]]:
    seller: SellerProfile = SellerFactory()
    seller_payout_details_update(
        seller=seller, account_holder="Jan Jansen", iban="NL20INGB0001234567", schedule="request"
    )
    lines = [paid_line(seller=seller) for _ in range(count)]
    postings.earnings_release_due(now=now() + timedelta(days=15))
    # Accounts are made on first use; a live platform has them all. (Two transactions making
    # the same account would queue on its unique key, which would hide the race.)
    for kind in (AccountKind.PAYOUTS_IN_TRANSIT, AccountKind.REFUNDS):
        journals.account_for(kind=kind)
    journals.account_for(kind=AccountKind.SELLER_DEBT, key=journals.seller_key(seller.pk))
    return seller, lines


def test_two_requests_at_once_make_one_payout(variant, monkeypatch):
    seller, _ = _seller_with_lines()

    first, second = race(
        monkeypatch,
        meeting_point=(postings, "journal_post"),
        first=lambda: payout_request(seller=seller, request_key="1" * 32),
        second=lambda: payout_request(seller=seller, request_key="2" * 32),
    )

    assert isinstance(first, Payout)
    assert first.amount_cents == 2 * SHARE
    assert -balance(AccountKind.SELLER_AVAILABLE, seller.pk) == 0
    assert balance(AccountKind.PAYOUTS_IN_TRANSIT) == -2 * SHARE
    if variant == "locked":
        assert isinstance(second, PayoutRefused)
        assert second.message.startswith("Er is al een uitbetaling onderweg naar je bank.")
        assert Payout.objects.count() == 1
    else:
        # Without the lock the second request passed every check on the balance it read and
        # paid the same money out again; only the database's check constraint stopped it.
        assert isinstance(second, IntegrityError), second
        assert "ledger_available_not_negative" in str(second)


def test_a_refund_racing_a_payout_never_takes_available_below_zero(variant, monkeypatch):
    seller, lines = _seller_with_lines()

    first, second = race(
        monkeypatch,
        meeting_point=(postings, "journal_post"),
        first=lambda: payout_request(seller=seller, request_key="3" * 32),
        second=lambda: refund_line(lines[0]),
    )

    assert isinstance(first, Payout)
    assert first.amount_cents == 2 * SHARE
    if variant == "locked":
        # The refund waited for the payout, found nothing available, and booked a debt.
        assert not isinstance(second, Exception), second
        assert seller_cents(seller) == (0, 0, SHARE)
    else:
        assert isinstance(second, IntegrityError), second
        assert "ledger_available_not_negative" in str(second)
        assert seller_cents(seller) == (0, 0, 0)  # the refund was rolled back
    assert -balance(AccountKind.SELLER_AVAILABLE, seller.pk) >= 0


def test_a_payout_racing_a_refund_pays_out_only_what_is_left(variant, monkeypatch):
    seller, lines = _seller_with_lines(count=3)

    first, second = race(
        monkeypatch,
        meeting_point=(postings, "journal_post"),
        first=lambda: refund_line(lines[0]),
        second=lambda: payout_request(seller=seller, request_key="4" * 32),
    )

    assert not isinstance(first, Exception)
    if variant == "locked":
        # The payout waited for the refund and took what was left.
        assert isinstance(second, Payout), second
        assert second.amount_cents == 2 * SHARE
        assert seller_cents(seller) == (0, 0, 0)
    else:
        # It paid out the balance it read before the refund: more than was left.
        assert isinstance(second, IntegrityError), second
        assert "ledger_available_not_negative" in str(second)
        assert seller_cents(seller) == (0, 2 * SHARE, 0)
    assert -balance(AccountKind.SELLER_AVAILABLE, seller.pk) >= 0


def _unlocked_payouts_to_send() -> list[Payout]:
    """The control: the payouts to send, read without locking their rows."""
    return list(Payout.objects.filter(status="created", provider="sepa", batch__isnull=True).order_by("pk"))


def test_two_files_at_once_send_each_payout_once(variant, monkeypatch):
    seller, _ = _seller_with_lines()
    payout = payout_request(seller=seller)
    staff = UserFactory(is_staff=True)
    if variant == "control":
        monkeypatch.setattr(batches, "_payouts_to_send_locked", _unlocked_payouts_to_send)

    first, second = race(
        monkeypatch,
        meeting_point=(batches, "payout_provider_get"),
        first=lambda: batches.payout_batch_create(actor=staff),
        second=lambda: batches.payout_batch_create(actor=staff),
    )

    assert isinstance(first, PayoutBatch)
    payout.refresh_from_db()
    assert (payout.status, payout.batch_id) == ("sent", first.pk)
    if variant == "locked":
        assert second is None  # it waited, then found nothing left to send
        assert PayoutBatch.objects.count() == 1
    else:
        # Without the lock both made a file with the same payout: the bank would pay it twice.
        assert isinstance(second, PayoutBatch), second
        assert PayoutBatch.objects.count() == 2
        assert f"SM-PAYOUT-{payout.pk}" in first.document
        assert f"SM-PAYOUT-{payout.pk}" in second.document
