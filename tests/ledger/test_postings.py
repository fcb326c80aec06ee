"""The ledger's postings: sales, releases, reversals (refunds and chargebacks), payouts and staff
corrections. Every test ends with `ledger_check` saying "ledger balanced" (the fixture)."""

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction

from studymarket.core import clock
from studymarket.core.models import AuditEvent
from studymarket.core.money import Money
from studymarket.core.pricing import price_breakdown
from studymarket.ledger.journals import Line, UnbalancedJournal, journal_post
from studymarket.ledger.models import (
    _SELLER_KIND_VALUES,
    SELLER_KINDS,
    AccountKind,
    Entry,
    ImmutableError,
    Journal,
    JournalSource,
)
from studymarket.ledger.postings import (
    AdjustmentRefused,
    InsufficientAvailable,
    PayoutNotPosted,
    SaleNotPosted,
    adjustment_post,
    earning_release,
    earnings_release_due,
    payout_failure_post,
    payout_paid_post,
    payout_post,
    reversal_post,
    sale_post,
)
from studymarket.library.models import Entitlement
from studymarket.orders.services import order_line_reverse, order_mark_paid
from tests.factories import SellerFactory, UserFactory
from tests.ledger.ledger_helpers import (
    balance,
    paid_line,
    payout_make,
    payout_settle,
    refund_line,
    seller_cents,
)

pytestmark = pytest.mark.usefixtures("ledger_balanced")

WINDOW = timedelta(days=settings.GUARANTEE_WINDOW_DAYS)


def _entries(journal: Journal) -> dict[tuple[str, str], int]:
    return {
        (entry.account.kind, entry.account.key): entry.amount_cents
        for entry in journal.entries.select_related("account")
    }


def _release_all() -> None:
    clock.advance(WINDOW + timedelta(minutes=1))
    earnings_release_due()


def test_seller_kinds_and_the_constraint_agree():
    assert set(_SELLER_KIND_VALUES) == set(SELLER_KINDS)


# --- sales ---------------------------------------------------------------------------------


def test_paying_the_reference_listing_books_price_vat_commission_and_the_sellers_share():
    line = paid_line(price_cents=949, country="NL")

    sale = Journal.objects.get(source=JournalSource.SALE)
    breakdown = price_breakdown(Money(949, "EUR"), country="NL")
    seller = str(line.seller_id)
    assert (breakdown.vat, breakdown.commission, breakdown.seller_share) == (
        Money(165, "EUR"),
        Money(157, "EUR"),
        Money(627, "EUR"),
    )
    assert _entries(sale) == {
        ("provider_clearing", ""): 949,
        ("vat_payable", "NL"): -165,
        ("platform_revenue", ""): -157,
        ("seller_held", seller): -627,
    }
    assert (sale.source_ref, sale.order_line_id, sale.seller_id) == (str(line.pk), line.pk, line.seller_id)
    assert sale.description == line.title
    assert sale.booked_at == line.order.paid_at
    assert sale.hold_until == line.order.paid_at + WINDOW
    assert seller_cents(line.seller_id) == (627, 0, 0)


def test_a_belgian_buyer_owes_belgian_vat():
    paid_line(price_cents=1200, country="BE")

    sale = Journal.objects.get(source=JournalSource.SALE)
    assert _entries(sale)[("vat_payable", "BE")] == -price_breakdown(Money(1200), country="BE").vat.cents


def test_marking_an_order_paid_twice_posts_one_sale():
    line = paid_line()

    again = order_mark_paid(order_id=line.order_id)

    assert again.pk == line.order_id
    assert Journal.objects.filter(source=JournalSource.SALE).count() == 1
    assert Entry.objects.count() == 4
    assert seller_cents(line.seller_id) == (627, 0, 0)


def test_posting_a_sale_twice_returns_the_one_journal():
    line = paid_line()
    first = Journal.objects.get(source=JournalSource.SALE)
    second = sale_post(
        order_line_id=line.pk,
        seller_id=line.seller_id,
        country="NL",
        gross=Money(949),
        vat=Money(165),
        commission=Money(157),
        booked_at=clock.now(),
    )

    assert second.pk == first.pk
    assert Entry.objects.count() == 4
    assert balance(AccountKind.PROVIDER_CLEARING) == 949


def test_a_sale_made_after_the_clock_moved_is_held_for_the_whole_window():
    clock.advance(timedelta(days=20))
    line = paid_line()

    assert earnings_release_due() == 0
    assert seller_cents(line.seller_id) == (627, 0, 0)
    sale = Journal.objects.get(source=JournalSource.SALE)
    assert sale.hold_until is not None
    assert sale.hold_until - clock.now() > WINDOW - timedelta(minutes=1)


def test_a_journal_that_does_not_sum_to_zero_is_refused():
    with pytest.raises(UnbalancedJournal):
        journal_post(
            source=JournalSource.ADJUSTMENT,
            source_ref="x",
            booked_at=clock.now(),
            lines=[Line(AccountKind.PROVIDER_CLEARING, Money(100)), Line(AccountKind.REFUNDS, Money(-99))],
            actor_id=UserFactory(is_staff=True).pk,
            reason="test",
        )
    assert Journal.objects.count() == 0


def test_entries_are_never_changed_or_deleted():
    paid_line()
    entry = Entry.objects.first()
    assert entry is not None

    entry.amount_cents = 1
    with pytest.raises(ImmutableError):
        entry.save()
    with pytest.raises(ImmutableError):
        entry.delete()
    assert sorted(Entry.objects.values_list("amount_cents", flat=True)) == [-627, -165, -157, 949]


# --- release -----------------------------------------------------------------------------


def test_earnings_stay_held_until_the_window_is_over_then_become_available_once():
    line = paid_line()

    clock.advance(WINDOW - timedelta(hours=1))
    assert earnings_release_due() == 0
    assert seller_cents(line.seller_id) == (627, 0, 0)

    clock.advance(timedelta(hours=2))
    assert earnings_release_due() == 1
    assert seller_cents(line.seller_id) == (0, 627, 0)
    assert earnings_release_due() == 0
    assert earning_release(order_line_id=line.pk) is None
    assert Journal.objects.filter(source=JournalSource.RELEASE).count() == 1


def test_release_is_refused_for_a_line_without_a_sale():
    with pytest.raises(SaleNotPosted):
        earning_release(order_line_id=123456)


def test_a_refunded_line_is_never_released():
    line = paid_line()
    refund_line(line)

    _release_all()

    assert Journal.objects.filter(source=JournalSource.RELEASE).count() == 0
    assert seller_cents(line.seller_id) == (0, 0, 0)


# --- reversals ---------------------------------------------------------------------------


def test_a_refund_in_the_window_takes_the_share_back_from_held():
    line = paid_line()

    refund = refund_line(line)

    reversal = Journal.objects.get(source=JournalSource.REFUND)
    assert reversal.source_ref == str(refund.pk)
    assert _entries(reversal) == {
        ("refunds", ""): -949,
        ("vat_payable", "NL"): 165,
        ("platform_revenue", ""): 157,
        ("seller_held", str(line.seller_id)): 627,
    }
    assert seller_cents(line.seller_id) == (0, 0, 0)
    assert (balance(AccountKind.VAT_PAYABLE, "NL"), balance(AccountKind.PLATFORM_REVENUE)) == (0, 0)
    assert not Entitlement.objects.filter(order_line=line, revoked_at__isnull=True).exists()


def test_a_refund_after_release_takes_the_share_back_from_available():
    line = paid_line()
    paid_line(seller=line.seller)
    _release_all()
    assert seller_cents(line.seller_id) == (0, 1254, 0)

    refund_line(line)

    assert seller_cents(line.seller_id) == (0, 627, 0)
    reversal = Journal.objects.get(source=JournalSource.REFUND)
    assert _entries(reversal)[("seller_available", str(line.seller_id))] == 627


def test_a_refund_after_payout_books_the_shortfall_as_debt_and_later_earnings_settle_it():
    line = paid_line()
    seller = line.seller
    _release_all()
    payout = payout_make(seller, 600)
    assert seller_cents(seller.pk) == (0, 27, 0)

    refund_line(line)

    assert seller_cents(seller.pk) == (0, 0, 600)
    reversal = Journal.objects.get(source=JournalSource.REFUND)
    assert _entries(reversal)[("seller_available", str(seller.pk))] == 27
    assert _entries(reversal)[("seller_debt", str(seller.pk))] == 600

    # A cheaper sale (€ 2,99 → share 198) pays off part of the debt, a full one the rest.
    paid_line(seller=seller, price_cents=299)
    _release_all()
    assert seller_cents(seller.pk) == (0, 0, 600 - 198)
    paid_line(seller=seller)
    _release_all()
    assert seller_cents(seller.pk) == (0, 627 - 402, 0)
    payout_settle(payout, paid=True)
    assert seller_cents(seller.pk) == (0, 627 - 402, 0)


def test_a_chargeback_is_booked_like_a_refund_under_its_own_source():
    line = paid_line()

    refund = refund_line(line, chargeback=True)

    reversal = Journal.objects.get(source=JournalSource.CHARGEBACK)
    assert (reversal.source_ref, reversal.order_line_id) == (str(refund.pk), line.pk)
    assert seller_cents(line.seller_id) == (0, 0, 0)


def test_a_reversal_posted_twice_is_booked_once():
    line = paid_line()
    refund = refund_line(line)

    again = reversal_post(
        source=JournalSource.REFUND, refund_id=refund.pk, order_line_id=line.pk, booked_at=clock.now()
    )
    with transaction.atomic():
        assert (
            order_line_reverse(
                order_line_id=line.pk, source=JournalSource.REFUND, refund_id=refund.pk, reason="again"
            )
            is False
        )

    assert again == Journal.objects.get(source=JournalSource.REFUND)
    assert Journal.objects.filter(source__in=["refund", "chargeback"]).count() == 1
    assert seller_cents(line.seller_id) == (0, 0, 0)


def test_a_second_reversal_of_one_line_is_refused_by_the_database():
    line = paid_line()
    refund_line(line)

    with pytest.raises(IntegrityError), transaction.atomic():
        reversal_post(
            source=JournalSource.CHARGEBACK, refund_id=999, order_line_id=line.pk, booked_at=clock.now()
        )
    assert Journal.objects.filter(order_line_id=line.pk, source__in=["refund", "chargeback"]).count() == 1


def test_a_reversal_needs_the_sale_and_a_reversal_source():
    line = paid_line()
    with pytest.raises(ValueError, match="Not a reversal source"):
        reversal_post(source=JournalSource.SALE, refund_id=1, order_line_id=line.pk, booked_at=clock.now())
    with pytest.raises(SaleNotPosted):
        reversal_post(source=JournalSource.REFUND, refund_id=1, order_line_id=987654, booked_at=clock.now())


# --- payouts -----------------------------------------------------------------------------


def test_a_payout_moves_available_to_in_transit_and_then_out_of_the_clearing():
    line = paid_line()
    _release_all()

    payout = payout_make(line.seller_id, 627)
    made = Journal.objects.get(source=JournalSource.PAYOUT)
    again = payout_post(
        payout_id=payout.pk, seller_id=line.seller_id, amount=Money(627), booked_at=clock.now()
    )
    assert again == made
    assert (made.source_ref, made.seller_id) == (str(payout.pk), line.seller_id)
    assert _entries(made) == {
        ("seller_available", str(line.seller_id)): 627,
        ("payouts_in_transit", ""): -627,
    }
    assert seller_cents(line.seller_id) == (0, 0, 0)

    payout_settle(payout, paid=True)
    paid = Journal.objects.get(source=JournalSource.PAYOUT_PAID)
    assert payout_paid_post(payout_id=payout.pk, booked_at=clock.now()) == paid
    assert _entries(paid) == {("payouts_in_transit", ""): 627, ("provider_clearing", ""): -627}
    assert balance(AccountKind.PAYOUTS_IN_TRANSIT) == 0
    assert balance(AccountKind.PROVIDER_CLEARING) == 949 - 627
    with pytest.raises(ValueError, match="booked as paid"):
        payout_failure_post(payout_id=payout.pk, booked_at=clock.now())


def test_a_payout_larger_than_available_is_refused():
    line = paid_line()
    _release_all()

    with pytest.raises(InsufficientAvailable) as refused:
        payout_post(payout_id=8, seller_id=line.seller_id, amount=Money(628), booked_at=clock.now())

    assert "beschikbare saldo is te laag" in str(refused.value)
    assert seller_cents(line.seller_id) == (0, 627, 0)
    assert not Journal.objects.filter(source=JournalSource.PAYOUT).exists()


def test_a_held_share_cannot_be_paid_out():
    line = paid_line()
    with pytest.raises(InsufficientAvailable):
        payout_post(payout_id=8, seller_id=line.seller_id, amount=Money(627), booked_at=clock.now())
    with pytest.raises(ValueError, match="must be positive"):
        payout_post(payout_id=8, seller_id=line.seller_id, amount=Money(0), booked_at=clock.now())


def test_a_failed_payout_gives_the_money_back_once():
    line = paid_line()
    _release_all()
    payout = payout_make(line.seller_id, 627)

    payout_settle(payout, paid=False)

    failed = Journal.objects.get(source=JournalSource.PAYOUT_FAILURE)
    assert payout_failure_post(payout_id=payout.pk, booked_at=clock.now()) == failed
    assert _entries(failed) == {
        ("payouts_in_transit", ""): 627,
        ("seller_available", str(line.seller_id)): -627,
    }
    assert seller_cents(line.seller_id) == (0, 627, 0)
    with pytest.raises(ValueError, match="booked as failed"):
        payout_paid_post(payout_id=payout.pk, booked_at=clock.now())


def test_a_failed_payout_settles_debt_made_while_the_money_was_away_first():
    line = paid_line()
    seller = line.seller
    _release_all()
    payout = payout_make(seller, 627)
    refund_line(line)
    assert seller_cents(seller.pk) == (0, 0, 627)

    payout_settle(payout, paid=False)

    assert seller_cents(seller.pk) == (0, 0, 0)


def test_paid_or_failed_needs_the_payout_booked_first():
    with pytest.raises(PayoutNotPosted):
        payout_paid_post(payout_id=11, booked_at=clock.now())
    with pytest.raises(PayoutNotPosted):
        payout_failure_post(payout_id=11, booked_at=clock.now())


# --- staff corrections -------------------------------------------------------------------


def test_a_correction_needs_staff_and_a_reason():
    seller = SellerFactory()
    lines = [Line(AccountKind.SELLER_AVAILABLE, Money(-100), key=str(seller.pk))]

    with pytest.raises(AdjustmentRefused, match="Alleen medewerkers"):
        adjustment_post(token=uuid.uuid4().hex, actor=UserFactory(), reason="goodwill", lines=lines)
    with pytest.raises(AdjustmentRefused, match="Geef een reden op"):
        adjustment_post(token=uuid.uuid4().hex, actor=UserFactory(is_staff=True), reason="   ", lines=lines)
    assert not Journal.objects.exists()


def test_a_correction_books_the_other_side_on_adjustments_with_an_audit_record():
    seller = SellerFactory()
    staff = UserFactory(is_staff=True)

    journal = adjustment_post(
        token=uuid.uuid4().hex,
        actor=staff,
        reason="Goodwill na klacht",
        lines=[Line(AccountKind.SELLER_AVAILABLE, Money(-250), key=str(seller.pk))],
    )

    assert _entries(journal) == {("seller_available", str(seller.pk)): -250, ("adjustments", ""): 250}
    assert (journal.actor_id, journal.reason, journal.seller_id) == (
        staff.pk,
        "Goodwill na klacht",
        seller.pk,
    )
    assert seller_cents(seller.pk) == (0, 250, 0)
    event = AuditEvent.objects.get(action="ledger.adjustment_posted")
    assert (event.actor_id, event.object_id, event.data["reason"]) == (
        staff.pk,
        str(journal.pk),
        "Goodwill na klacht",
    )


def test_a_correction_never_takes_available_below_zero():
    line = paid_line()
    _release_all()
    staff = UserFactory(is_staff=True)

    with pytest.raises(AdjustmentRefused, match="onder nul"):
        adjustment_post(
            token=uuid.uuid4().hex,
            actor=staff,
            reason="te veel uitbetaald",
            lines=[Line(AccountKind.SELLER_AVAILABLE, Money(628), key=str(line.seller_id))],
        )

    assert seller_cents(line.seller_id) == (0, 627, 0)
    assert not Journal.objects.filter(source=JournalSource.ADJUSTMENT).exists()
    # Booking the excess as debt is allowed.
    adjustment_post(
        token=uuid.uuid4().hex,
        actor=staff,
        reason="te veel uitbetaald",
        lines=[
            Line(AccountKind.SELLER_AVAILABLE, Money(627), key=str(line.seller_id)),
            Line(AccountKind.SELLER_DEBT, Money(1), key=str(line.seller_id)),
        ],
    )
    assert seller_cents(line.seller_id) == (0, 0, 1)


def test_a_correction_names_a_real_seller_and_keys_only_where_they_belong():
    staff = UserFactory(is_staff=True)
    with pytest.raises(AdjustmentRefused, match="bestaande verkoper"):
        adjustment_post(
            token=uuid.uuid4().hex,
            actor=staff,
            reason="r",
            lines=[Line(AccountKind.SELLER_DEBT, Money(5), key="999999")],
        )
    with pytest.raises(AdjustmentRefused, match="Kies bij een verkopersrekening"):
        adjustment_post(
            token=uuid.uuid4().hex, actor=staff, reason="r", lines=[Line(AccountKind.SELLER_DEBT, Money(5))]
        )
    with pytest.raises(AdjustmentRefused, match="Kies bij een verkopersrekening"):
        adjustment_post(
            token=uuid.uuid4().hex,
            actor=staff,
            reason="r",
            lines=[Line(AccountKind.PLATFORM_REVENUE, Money(5), key="NL")],
        )
    with pytest.raises(AdjustmentRefused, match="niet nul"):
        adjustment_post(
            token=uuid.uuid4().hex,
            actor=staff,
            reason="r",
            lines=[Line(AccountKind.PLATFORM_REVENUE, Money(0))],
        )
