"""The demo data and the ledger: every demo sale booked, the windows that are over released,
the reference seller ready for a payout, and `ledger_check` balanced after `demo_data`.
Loaded once for the module inside a transaction that is rolled back at the end."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Sum

from studymarket.accounts.models import PayoutSchedule, SellerProfile
from studymarket.core import clock
from studymarket.ledger.models import Journal, JournalSource
from studymarket.ledger.selectors import seller_balance, seller_pending_lines
from studymarket.orders.models import OrderLine, OrderStatus
from studymarket.storefront.demo.people import REFERENCE_SELLER
from tests.demo.loading import DemoLoad

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_data")]


@pytest.fixture
def loaded(demo_load: DemoLoad) -> None:
    """The demo as ``manage.py demo_data`` loads it (the command adds nothing to the load)."""


def test_ledger_check_says_balanced_after_demo_data(loaded):
    out = StringIO()
    call_command("ledger_check", "--no-record", stdout=out)
    assert out.getvalue() == "ledger balanced\n"


def test_every_demo_sale_is_booked_and_released_once_its_window_is_over(loaded):
    now = clock.now()
    lines = OrderLine.objects.filter(order__status=OrderStatus.PAID)
    sales = Journal.objects.filter(source=JournalSource.SALE)
    assert sales.count() == lines.count() > 0
    released = set(
        Journal.objects.filter(source=JournalSource.RELEASE).values_list("order_line_id", flat=True)
    )
    over = set(sales.filter(hold_until__lte=now).values_list("order_line_id", flat=True))
    assert released == over
    assert len(over) > 0


def test_the_reference_seller_has_available_earnings_and_payout_details(loaded):
    seller = SellerProfile.objects.get(user__email=REFERENCE_SELLER.email)
    assert (seller.payout_account_holder, seller.payout_iban, seller.payout_schedule) == (
        "demo-seller",
        "NL20INGB0001234567",
        PayoutSchedule.ON_REQUEST,
    )
    lines = OrderLine.objects.filter(seller=seller, order__status=OrderStatus.PAID, refunded_at__isnull=True)
    shares = lines.aggregate(
        total=Sum("price_cents") - Sum("vat_cents") - Sum("commission_cents"),
    )["total"]
    balance = seller_balance(seller_id=seller.pk)
    pending = seller_pending_lines(seller_id=seller.pk)
    assert balance.available.cents + balance.pending.cents == shares
    assert balance.pending.cents == sum(line.amount.cents for line in pending)
    assert all(line.release_at > clock.now() for line in pending)
    # The reference listing's three sales are from 2021: € 6,27 each, available.
    assert balance.available.cents >= 3 * 627
    assert balance.available.cents >= settings.PAYOUT_MINIMUM_CENTS
    assert balance.debt.cents == 0
