"""order_line_reverse and order_line_access_end: the one place a purchase is reversed, and the
only caller of library's entitlement_revoke."""

import re
from pathlib import Path

import pytest
from django.db import transaction

import studymarket
from studymarket.core.models import AuditEvent
from studymarket.ledger.models import Journal, JournalSource
from studymarket.orders.services import order_line_access_end, order_line_reverse
from tests.factories import PaidOrderFactory, PaymentFactory, RefundFactory

SOURCE = Path(studymarket.__file__).resolve().parent


def _callers(name: str) -> list[str]:
    """The modules under studymarket/ that mention ``name`` as a word (its definition too)."""
    word = re.compile(rf"\b{name}\b")
    return sorted(
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if "migrations" not in path.parts and word.search(path.read_text(encoding="utf-8"))
    )


def test_only_orders_grants_and_revokes_entitlements():
    assert _callers("entitlement_revoke") == ["library/services.py", "orders/services.py"]
    assert _callers("entitlement_grant") == ["library/services.py", "orders/services.py"]


def test_payments_knows_nothing_of_reviews():
    payments = SOURCE / "payments"
    importing = [p for p in payments.rglob("*.py") if "studymarket.reviews" in p.read_text(encoding="utf-8")]
    assert importing == []


def _refunded(line):
    payment = PaymentFactory(order=line.order, paid=True)
    return RefundFactory(payment=payment, order_line=line, refunded=True)


@pytest.mark.django_db
def test_reversing_a_line_does_everything_once():
    order = PaidOrderFactory(lines=2)
    line, other = order.lines.select_related("listing", "entitlement").order_by("pk")
    refund = _refunded(line)

    with transaction.atomic():
        assert order_line_reverse(order_line_id=line.pk, source="refund", refund_id=refund.pk, reason="test")
    with transaction.atomic():
        again = order_line_reverse(order_line_id=line.pk, source="refund", refund_id=refund.pk, reason="x")

    assert again is False
    line.refresh_from_db()
    other.refresh_from_db()
    line.entitlement.refresh_from_db()
    other.entitlement.refresh_from_db()
    line.listing.refresh_from_db()
    assert line.refunded_at is not None
    assert (line.entitlement.revoked_at is not None, line.entitlement.revoke_reason) == (True, "test")
    assert (other.refunded_at, other.entitlement.revoked_at) == (None, None)
    assert line.listing.sold_count == 0
    reversals = Journal.objects.filter(order_line_id=line.pk, source=JournalSource.REFUND)
    assert [j.source_ref for j in reversals] == [str(refund.pk)]
    assert AuditEvent.objects.filter(action="order_line.refunded", object_id=str(line.pk)).count() == 1
    assert AuditEvent.objects.filter(action="entitlement.revoked").count() == 1


@pytest.mark.django_db(transaction=True)
def test_reversal_runs_only_inside_the_callers_transaction():
    line = PaidOrderFactory().lines.get()
    refund = _refunded(line)
    with pytest.raises(RuntimeError, match="inside the caller's transaction"):
        order_line_reverse(order_line_id=line.pk, source="refund", refund_id=refund.pk, reason="test")


@pytest.mark.django_db
def test_access_ends_before_the_money_goes_back_and_the_reversal_follows():
    line = PaidOrderFactory().lines.select_related("entitlement", "listing").get()
    refund = _refunded(line)

    with transaction.atomic():
        order_line_access_end(order_line_id=line.pk, reason="refund")
        order_line_access_end(order_line_id=line.pk, reason="again")  # quiet

    line.refresh_from_db()
    line.entitlement.refresh_from_db()
    assert (line.refunded_at, line.entitlement.revoke_reason) == (None, "refund")
    assert not Journal.objects.filter(order_line_id=line.pk, source=JournalSource.REFUND).exists()

    with transaction.atomic():
        assert order_line_reverse(order_line_id=line.pk, source="refund", refund_id=refund.pk, reason="test")
    line.refresh_from_db()
    line.listing.refresh_from_db()
    assert (line.refunded_at is not None, line.listing.sold_count) == (True, 0)
    assert AuditEvent.objects.filter(action="entitlement.revoked").count() == 1


@pytest.mark.django_db
def test_an_unpaid_line_is_neither_ended_nor_reversed():
    from tests.factories import OrderLineFactory

    line = OrderLineFactory(paid=False)
    with transaction.atomic(), pytest.raises(ValueError, match="not paid"):
        order_line_access_end(order_line_id=line.pk, reason="refund")
    with transaction.atomic(), pytest.raises(ValueError, match="not paid"):
        order_line_reverse(order_line_id=line.pk, source="refund", refund_id=1, reason="test")
