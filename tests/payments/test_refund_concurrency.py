"""Refunds racing each other on PostgreSQL, each with a control that shows the race without the
lock (after pretix's concurrency tests): the provider's webhook racing a platform refund, and a
download racing a refund request."""

import pytest
from django.core import mail
from django.db import transaction

from studymarket.core.models import AuditEvent
from studymarket.library.models import Download, Entitlement
from studymarket.library.services import AccessRevoked, download_record
from studymarket.payments import reversals
from studymarket.payments.models import Payment, Refund, RefundRequestStatus
from studymarket.payments.refunds import booking, refund_request_create, requests, state
from studymarket.payments.services import payment_sync
from tests.orders.race import postgresql_only, race
from tests.payments.refunding import assert_refunded_once, first_line, paid_order, the_payment

pytestmark = [
    postgresql_only(),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("ledger_balanced"),
]


def _unlocked(payment_id: int) -> Payment:
    """The control: the payment's row read without its lock."""
    return Payment.objects.get(pk=payment_id)


@pytest.fixture(params=["locked", "control"])
def variant(request, monkeypatch):
    if request.param == "control":
        for module in (state, booking, reversals):
            monkeypatch.setattr(module, "payment_lock", _unlocked)
    return request.param


def test_webhook_racing_refund_makes_one_reversal_postgres(variant, monkeypatch):
    """refund_execute has the provider's answer and is booking it (inside its transaction) when
    the provider's webhook makes payment_sync find the same refund. One booking, one reversal,
    one pair of e-mails; without the lock, both book it."""
    order = paid_order()
    line = first_line(order)
    payment = the_payment(order)
    mail.outbox.clear()

    first, second = race(
        monkeypatch,
        meeting_point=(booking, "order_line_reverse"),
        first=lambda: refund_request_create(
            buyer=order.buyer, order_line=line, reason="duplicate", explanation=""
        ),
        second=lambda: payment_sync(payment_id=payment.pk),
    )

    assert first.status == RefundRequestStatus.APPROVED
    assert not isinstance(second, Exception), second
    refund = Refund.objects.get()
    booked = AuditEvent.objects.filter(action="refund.refunded", object_id=str(refund.pk)).count()
    if variant == "locked":
        assert booked == 1
        assert_refunded_once(line)
        assert len(mail.outbox) == 2  # buyer and seller, once each
    else:
        assert booked == 2  # the race: the webhook booked it as well (the ledger's own guard held)


@pytest.fixture(params=["locked", "control"])
def download_variant(request, monkeypatch):
    if request.param == "control":
        # The control: the refund request reads the entitlement without locking it.
        real = Entitlement.objects.select_for_update

        class Unlocked:
            def get(self, **kwargs):
                if "order_line" in kwargs:
                    return Entitlement.objects.get(**kwargs)
                return real().get(**kwargs)

        monkeypatch.setattr(Entitlement.objects, "select_for_update", lambda *a, **k: Unlocked())
    return request.param


def test_download_racing_refund_request_postgres(download_variant, monkeypatch):
    """The buyer clicks "Download PDF" while the refund request is being approved: either the
    download counts (the request goes to staff) or it is refused (access revoked) — never a
    file and the money both. Without the entitlement's lock, both happen."""
    order = paid_order()
    line = first_line(order)
    entitlement = Entitlement.objects.get(order_line=line)
    copy = entitlement.stamped_copies.get()
    type(copy).objects.filter(pk=copy.pk).update(status="ready")
    copy.refresh_from_db()

    def download():
        with transaction.atomic():
            return download_record(stamped_copy=copy, ip="", user_agent="")

    first, second = race(
        monkeypatch,
        meeting_point=(requests, "guarantee_check"),
        first=lambda: refund_request_create(
            buyer=order.buyer, order_line=line, reason="duplicate", explanation=""
        ),
        second=download,
    )

    if download_variant == "locked":
        assert first.status == RefundRequestStatus.APPROVED
        assert isinstance(second, AccessRevoked)
        assert Download.objects.count() == 0
    else:
        assert first.status == RefundRequestStatus.APPROVED
        assert isinstance(second, Download)  # the race: downloaded and refunded
