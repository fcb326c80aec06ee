"""Upholding a notice: the listing down for good, a statement of reasons and a strike for the
seller, and every buyer with access refunded through the payments refund services (ADR 0009),
once, however often staff click."""

import pytest
from django.core import mail

from studymarket.catalog.models import ListingStatus
from studymarket.core.models import AuditEvent
from studymarket.library.models import Entitlement
from studymarket.orders.models import Order, OrderLine
from studymarket.payments.models import Refund, RefundRequest, RefundRequestStatus
from studymarket.payments.providers.simulated import simulated_payment_decide
from studymarket.payments.refunds import refund_request_create, refund_request_reject
from studymarket.payments.services import payment_start, payment_sync
from studymarket.trust.decisions import NoticeDecisionRefused, notice_restore, notice_take_down, notice_uphold
from studymarket.trust.models import Measure, NoticeStatus, StatementOfReasons, Strike, StrikeKind
from tests.factories import ListingFactory, OrderFactory
from tests.payments.refunding import assert_not_refunded, assert_refunded_once, downloaded
from tests.trust.factories import NoticeFactory, StaffFactory, seller_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_balanced")]


def _bought(listing) -> OrderLine:
    """A purchase of ``listing`` paid the way a buyer pays: the simulated provider's "paid"."""
    order: Order = OrderFactory(listings=[listing], buyer_country="NL")
    payment = payment_start(order=order, method="ideal")
    assert payment.provider_id is not None
    simulated_payment_decide(simulated_id=payment.provider_id, status="paid")
    payment_sync(payment_id=payment.pk)
    return OrderLine.objects.select_related("order__buyer").get(order=order)


@pytest.fixture
def staff():
    return StaffFactory()


def test_uphold_refunds_every_buyer_with_access_once(staff, django_capture_on_commit_callbacks):
    listing = ListingFactory(title="Recht Samenvatting")
    fresh = _bought(listing)  # within the guarantee, not downloaded: the rule approves
    read = _bought(listing)
    downloaded(read)  # downloaded: staff approve (the one who upheld the notice)
    notice = NoticeFactory(listing=listing)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        notice_uphold(notice_id=notice.pk, actor=staff, note="Letterlijk overgenomen.")
    with django_capture_on_commit_callbacks(execute=True):
        notice_uphold(notice_id=notice.pk, actor=staff)  # a double click

    assert_refunded_once(fresh)
    assert_refunded_once(read)
    assert Refund.objects.count() == 2
    assert RefundRequest.objects.get(order_line=read).decided_by == staff
    listing.refresh_from_db()
    assert listing.status == ListingStatus.TAKEN_DOWN
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.UPHELD
    assert notice.decided_by == staff
    statement = StatementOfReasons.objects.get()
    assert statement.measure == Measure.LISTING_REMOVAL
    assert statement.sent_at is not None
    strike = Strike.objects.get()
    assert (strike.kind, strike.user) == (StrikeKind.INFRINGEMENT, seller_user(listing))
    to_reporter = [m for m in mail.outbox if m.to == [notice.reporter_email]]
    assert len(to_reporter) == 1
    assert "je melding is gegrond" in to_reporter[0].body
    to_seller = [m for m in mail.outbox if m.to == [seller_user(listing).email] and "de reden" in m.subject]
    assert len(to_seller) == 1
    assert to_seller[0].subject == "„Recht Samenvatting” is definitief offline gehaald: de reden"
    assert "Kopers verliezen hun toegang en krijgen hun geld terug" in to_seller[0].body


def test_uphold_after_a_takedown_keeps_it_down_and_adds_the_final_statement(staff):
    listing = ListingFactory()
    line = _bought(listing)
    notice = NoticeFactory(listing=listing)
    notice_take_down(notice_id=notice.pk, actor=staff)
    assert Entitlement.objects.get(order_line=line).revoked_at is None  # buyers keep access meanwhile

    notice_uphold(notice_id=notice.pk, actor=staff)

    assert_refunded_once(line)
    assert list(StatementOfReasons.objects.order_by("pk").values_list("measure", flat=True)) == [
        Measure.LISTING_TAKEDOWN,
        Measure.LISTING_REMOVAL,
    ]
    with pytest.raises(NoticeDecisionRefused, match="al beslist"):
        notice_restore(notice_id=notice.pk, actor=staff)
    listing.refresh_from_db()
    assert listing.status == ListingStatus.TAKEN_DOWN


def test_a_line_whose_guarantee_request_was_rejected_loses_access_and_is_flagged(staff):
    listing = ListingFactory()
    line = _bought(listing)
    downloaded(line)
    request = refund_request_create(
        buyer=line.order.buyer, order_line=line, reason="poor_quality", explanation="Te kort."
    )
    refund_request_reject(request_id=request.pk, actor=staff, note="Compleet document.")
    notice = NoticeFactory(listing=listing)

    notice_uphold(notice_id=notice.pk, actor=staff)
    notice_uphold(notice_id=notice.pk, actor=staff)  # a second click flags it once

    assert RefundRequest.objects.get(pk=request.pk).status == RefundRequestStatus.REJECTED
    assert Entitlement.objects.get(order_line=line).revoked_at is not None
    flagged = AuditEvent.objects.get(action="notice.refund_by_hand", object_id=str(notice.pk))
    assert flagged.data == {"order_line": line.pk}


def test_lines_refunded_before_are_left_alone(staff):
    listing = ListingFactory()
    line = _bought(listing)
    refund_request_create(buyer=line.order.buyer, order_line=line, reason="poor_quality", explanation="")
    assert_refunded_once(line)
    unpaid = OrderFactory(listings=[listing])  # pending: nothing to refund
    notice = NoticeFactory(listing=listing)

    notice_uphold(notice_id=notice.pk, actor=staff)

    assert Refund.objects.count() == 1
    assert_refunded_once(line)
    assert not Refund.objects.filter(order_line__order=unpaid).exists()


def test_nothing_is_refunded_when_a_notice_is_restored(staff):
    listing = ListingFactory()
    line = _bought(listing)
    notice = NoticeFactory(listing=listing)
    notice_take_down(notice_id=notice.pk, actor=staff)
    notice_restore(notice_id=notice.pk, actor=staff)
    assert_not_refunded(line)
