"""Two staff clicks racing on PostgreSQL, with a control that shows the race without the
notice's row lock (after pretix's concurrency tests): "Gegrond" clicked twice at once decides
once and refunds each buyer once."""

import pytest

from studymarket.core.models import AuditEvent
from studymarket.orders.models import Order, OrderLine
from studymarket.payments.models import Refund
from studymarket.payments.providers.simulated import simulated_payment_decide
from studymarket.payments.services import payment_start, payment_sync
from studymarket.trust import decisions, states
from studymarket.trust.decisions import notice_uphold
from studymarket.trust.models import Notice
from tests.factories import ListingFactory, OrderFactory
from tests.orders.race import postgresql_only, race
from tests.payments.refunding import assert_refunded_once
from tests.trust.factories import NoticeFactory, StaffFactory

pytestmark = [
    postgresql_only(),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("ledger_balanced"),
]


def _unlocked(notice_id: int) -> Notice:
    """The control: the notice's row read without its lock."""
    return Notice.objects.get(pk=notice_id)


@pytest.fixture(params=["locked", "control"])
def variant(request, monkeypatch):
    if request.param == "control":
        monkeypatch.setattr(states, "notice_lock", _unlocked)
    return request.param


def _bought(listing) -> OrderLine:
    order: Order = OrderFactory(listings=[listing], buyer_country="NL")
    payment = payment_start(order=order, method="ideal")
    assert payment.provider_id is not None
    simulated_payment_decide(simulated_id=payment.provider_id, status="paid")
    payment_sync(payment_id=payment.pk)
    return OrderLine.objects.get(order=order)


def test_uphold_clicked_twice_at_once_decides_once_postgres(variant, monkeypatch):
    staff = StaffFactory()
    listing = ListingFactory()
    line = _bought(listing)
    notice = NoticeFactory(listing=listing)

    first, second = race(
        monkeypatch,
        meeting_point=(decisions, "statement_issue"),
        first=lambda: notice_uphold(notice_id=notice.pk, actor=staff),
        second=lambda: notice_uphold(notice_id=notice.pk, actor=staff),
    )

    assert not isinstance(first, Exception), first
    assert not isinstance(second, Exception), second
    upheld = AuditEvent.objects.filter(action="notice.upheld", object_id=str(notice.pk)).count()
    if variant == "locked":
        assert upheld == 1
        assert_refunded_once(line)
        assert Refund.objects.count() == 1
        assert not AuditEvent.objects.filter(action="notice.refund_by_hand").exists()
    else:
        assert upheld == 2  # the race: both clicks decided (the statement's and strike's constraints held)
