"""`manage.py ledger_check` (ledger.health, fed by payments.ledger_facts): "ledger balanced" and
exit 0, or each violation on its own line and exit 1; and the periodic task that records the
outcome."""

import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from studymarket.core import clock
from studymarket.ledger.health import (
    CompletedRefund,
    LedgerFacts,
    PaidLine,
    RefundedLine,
    ledger_health_check,
)
from studymarket.ledger.models import (
    Account,
    AccountKind,
    Entry,
    Journal,
    JournalSource,
    LedgerCheckRun,
    Payout,
)
from studymarket.ledger.postings import earnings_release_due
from studymarket.ledger.selectors import ledger_check_latest
from studymarket.orders.models import OrderLine, OrderStatus
from studymarket.orders.services import order_create
from studymarket.payments.ledger_facts import ledger_check, ledger_facts_collect
from studymarket.payments.ledger_tasks import ledger_check_task
from studymarket.payments.models import Refund, RefundStatus
from tests.factories import ListingFactory, SellerFactory, UserFactory
from tests.ledger.ledger_helpers import paid_line, payout_make, payout_settle, refund_line

WINDOW = timedelta(days=settings.GUARANTEE_WINDOW_DAYS, minutes=1)


def _check() -> tuple[int, list[str]]:
    out = StringIO()
    try:
        call_command("ledger_check", stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue().splitlines()
    return 0, out.getvalue().splitlines()


@pytest.mark.django_db
def test_an_empty_ledger_is_balanced_and_the_run_is_recorded():
    assert _check() == (0, ["ledger balanced"])

    run = LedgerCheckRun.objects.get()
    assert (run.ok, run.violations) == (True, [])
    assert ledger_check_latest() == run


@pytest.mark.django_db
def test_sales_refunds_and_payouts_are_balanced():
    line = paid_line()
    refund_line(paid_line(seller=line.seller))
    refund_line(paid_line(seller=line.seller), chargeback=True)
    clock.advance(WINDOW)
    assert earnings_release_due() == 1
    payout_settle(payout_make(line.seller, 300), paid=True)
    payout_settle(payout_make(line.seller, 300), paid=False)

    assert _check() == (0, ["ledger balanced"])


@pytest.mark.django_db
def test_a_balance_that_does_not_match_its_entries_is_reported_and_exits_1():
    line = paid_line()
    held = Account.objects.get(kind=AccountKind.SELLER_HELD)
    Account.objects.filter(pk=held.pk).update(balance_cents=-600)

    code, lines = _check()

    assert code == 1
    assert lines == [
        f"Rekening seller_held:{line.seller_id}: saldo -600 cent, maar de boekingen tellen op tot -627."
    ]
    run = LedgerCheckRun.objects.get()
    assert (run.ok, run.violations) == (False, lines)


def test_the_command_exits_1_in_a_real_process(tmp_path):
    # The exit status a cron job or CI sees, not only the exception call_command raises.
    database = tmp_path / "check.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], env=env, capture_output=True, text=True, timeout=300
    )
    assert migrate.returncode == 0, migrate.stderr
    balanced = subprocess.run(
        [sys.executable, "manage.py", "ledger_check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert (balanced.returncode, balanced.stdout) == (0, "ledger balanced\n")
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO ledger_account (kind, key, currency, balance_cents) VALUES ('refunds', '', 'EUR', 5)"
        )
    broken = subprocess.run(
        [sys.executable, "manage.py", "ledger_check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert broken.returncode == 1
    assert broken.stdout == "Rekening refunds: saldo 5 cent, maar de boekingen tellen op tot 0.\n"


@pytest.mark.django_db
def test_a_journal_that_does_not_sum_to_zero_is_reported():
    paid_line()
    sale = Journal.objects.get(source=JournalSource.SALE)
    clearing = Account.objects.get(kind=AccountKind.PROVIDER_CLEARING)
    Entry.objects.create(journal=sale, account=clearing, amount_cents=1)
    Account.objects.filter(pk=clearing.pk).update(balance_cents=950)

    violations = ledger_check(record=False)

    assert f"Journaal sale:{sale.source_ref} (#{sale.pk}) telt op tot 1 cent in plaats van 0." in violations
    assert any("Verkoop van orderregel" in v and "(950, 165, 157, 627)" in v for v in violations)


@pytest.mark.django_db
def test_a_paid_line_without_its_sale_journal_is_reported():
    listing = ListingFactory()
    order = order_create(buyer=UserFactory(), listings=[listing])
    type(order).objects.filter(pk=order.pk).update(status=OrderStatus.PAID, paid_at=clock.now())
    line = OrderLine.objects.get(order=order)

    assert ledger_check(record=False) == [
        f"Betaalde orderregel {line.pk} van bestelling {order.number} heeft geen verkoopjournaal."
    ]


@pytest.mark.django_db
def test_a_sale_journal_with_other_amounts_than_its_line_is_reported():
    line = paid_line()
    OrderLine.objects.filter(pk=line.pk).update(commission_cents=100)

    assert ledger_check(record=False) == [
        f"Verkoop van orderregel {line.pk} van bestelling {line.order.number}: geboekt "
        "(prijs, btw, commissie, verkoper) (949, 165, 157, 627), "
        "maar de orderregel zegt (949, 165, 100, 684) (in centen)."
    ]


@pytest.mark.django_db
def test_a_refunded_line_without_its_reversal_is_reported():
    line = paid_line()
    OrderLine.objects.filter(pk=line.pk).update(refunded_at=clock.now())

    assert ledger_check(record=False) == [
        f"Terugbetaalde orderregel {line.pk} van bestelling {line.order.number} heeft 0 terugboekingen in "
        "plaats van één."
    ]


@pytest.mark.django_db
def test_a_reversal_whose_refund_did_not_complete_is_reported():
    line = paid_line()
    refund = refund_line(line)
    Refund.objects.filter(pk=refund.pk).update(status=RefundStatus.FAILED)
    reversal = Journal.objects.get(source=JournalSource.REFUND)

    assert ledger_check(record=False) == [
        f"Terugboeking refund:{refund.pk} (#{reversal.pk}) hoort niet bij een voltooide terugbetaling."
    ]


@pytest.mark.django_db
def test_a_completed_refund_without_a_reversal_is_reported():
    line = paid_line()
    refund = refund_line(line)
    Refund.objects.filter(pk=refund.pk).update(origin="chargeback")

    violations = ledger_check(record=False)

    assert len(violations) == 1
    assert "is geboekt als refund, maar de terugbetaling is een chargeback" in violations[0]


@pytest.mark.django_db
def test_payouts_without_their_journals_are_reported():
    seller = SellerFactory()
    sent = Payout.objects.create(
        seller=seller,
        amount_cents=1000,
        provider="sepa",
        trigger="request",
        status="sent",
        idempotency_key="k",
    )
    line = paid_line(seller=seller)
    clock.advance(WINDOW)
    earnings_release_due()
    paid = payout_make(seller, 627)
    Payout.objects.filter(pk=paid.pk).update(status="paid")

    assert line.seller_id == seller.pk
    assert ledger_check(record=False) == [
        f"Uitbetaling {sent.pk} (sent) heeft journalen - in plaats van payout.",
        f"Uitbetaling {paid.pk} (paid) heeft journalen payout in plaats van payout, payout_paid.",
    ]


@pytest.mark.django_db
def test_a_payout_journal_of_another_amount_is_reported():
    seller = SellerFactory()
    paid_line(seller=seller)
    clock.advance(WINDOW)
    earnings_release_due()
    payout = payout_make(seller, 627)
    Payout.objects.filter(pk=payout.pk).update(amount_cents=600)
    journal = Journal.objects.get(source=JournalSource.PAYOUT)

    assert ledger_check(record=False) == [
        f"Journaal payout:{payout.pk} (#{journal.pk}) boekt 627 cent voor verkoper {seller.pk}; "
        f"de uitbetaling is 600 cent voor verkoper {seller.pk}."
    ]


@pytest.mark.django_db
def test_the_periodic_task_records_the_outcome():
    assert ledger_check_task.call() == 0
    paid_line()
    Account.objects.filter(kind=AccountKind.PLATFORM_REVENUE).update(balance_cents=0)

    assert ledger_check_task.call() == 1

    assert list(LedgerCheckRun.objects.order_by("pk").values_list("ok", flat=True)) == [True, False]


@pytest.mark.django_db
def test_the_check_compares_the_ledger_with_the_plain_facts_it_is_given():
    """ledger.health reads no order or refund: what it is handed is what it compares."""
    line = paid_line()
    facts = ledger_facts_collect()
    assert facts.paid_lines == [
        PaidLine(
            line_id=line.pk,
            order_number=line.order.number,
            price_cents=line.price_cents,
            vat_cents=line.vat_cents,
            commission_cents=line.commission_cents,
            seller_id=line.seller_id,
            country=line.order.buyer_country,
        )
    ]
    assert ledger_health_check(facts=facts, record=False) == []

    ghost = PaidLine(
        line_id=999999,
        order_number="SM-GHOST",
        price_cents=949,
        vat_cents=165,
        commission_cents=157,
        seller_id=line.seller_id,
        country="NL",
    )
    told = LedgerFacts(
        paid_lines=[*facts.paid_lines, ghost],
        refunded_lines=[RefundedLine(line_id=line.pk, order_number=line.order.number)],
        refunds=[CompletedRefund(refund_id=424242, line_id=line.pk, chargeback=False)],
    )
    assert ledger_health_check(facts=told, record=True) == [
        "Betaalde orderregel 999999 van bestelling SM-GHOST heeft geen verkoopjournaal.",
        f"Terugbetaalde orderregel {line.pk} van bestelling {line.order.number} heeft 0 terugboekingen "
        "in plaats van één.",
        "Voltooide terugbetaling 424242 heeft 0 terugboekingen in plaats van één.",
    ]
    assert LedgerCheckRun.objects.get().ok is False
