"""The guarantee for a bundle (issue 17): a request for any line bought in a bundle covers all
lines of that bundle in that order. Automatic only when none of them was downloaded and the
window is open; approved (by the rule or staff) → every line refunded, one Refund each, so the
buyer gets back what they paid for the bundle. Double clicks and two requests at once make
one set of requests."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import DatabaseError
from django.urls import reverse

from studymarket.core import clock
from studymarket.core.pricing import FUNDER_PLATFORM
from studymarket.ledger.models import Journal, JournalSource
from studymarket.notifications.models import Notification
from studymarket.orders.models import Order, OrderLine
from studymarket.orders.services import order_create
from studymarket.orders.specs import LineSpec
from studymarket.payments.models import Refund, RefundRequest, RefundRequestStatus
from studymarket.payments.providers.simulated import simulated_payment_decide
from studymarket.payments.refunds import (
    RefundRefused,
    refund_request_approve,
    refund_request_create,
    refund_request_reject,
    requests,
)
from studymarket.payments.refunds.mail import refund_notify
from studymarket.payments.services import payment_start, payment_sync
from tests.bundle_purchases import bundle_make, bundle_specs
from tests.factories import ListingFactory, UserFactory
from tests.orders.race import postgresql_only, race
from tests.payments.refunding import assert_not_refunded, assert_refunded_once, downloaded

pytestmark = [pytest.mark.usefixtures("ledger_balanced")]


def _paid(lines: list[LineSpec], *, code: str = "") -> Order:
    """Paid the way a buyer pays: payment_start, the simulated provider's "paid", payment_sync."""
    order = order_create(buyer=UserFactory(), lines=lines, discount_code=code)
    payment = payment_start(order=order, method="ideal")
    assert payment.provider_id is not None
    simulated_payment_decide(simulated_id=payment.provider_id, status="paid")
    payment_sync(payment_id=payment.pk)
    order.refresh_from_db()
    return order


def _bundle_order(*, discounts: list[int] | None = None) -> tuple[Order, list[OrderLine], OrderLine]:
    """A bundle (€ 4,99 + € 7,99 at € 9,99) and a document bought on its own, in one order."""
    bundle = bundle_make(prices=(499, 799), price_cents=999)
    alone = ListingFactory(price_cents=949)
    specs = [
        *bundle_specs(bundle, discounts=discounts, funder=FUNDER_PLATFORM if discounts else ""),
        LineSpec(listing=alone, bundle_id=None, list_price_cents=949),
    ]
    order = _paid(specs, code="TENTAMEN10" if discounts else "")
    lines = list(
        OrderLine.objects.select_related("order", "listing", "seller").filter(order=order).order_by("pk")
    )
    return order, lines[:2], lines[2]


def _ask(line: OrderLine) -> RefundRequest:
    return refund_request_create(
        buyer=line.order.buyer, order_line=line, reason="poor_quality", explanation=""
    )


@pytest.fixture
def staff():
    return UserFactory(email="medewerker@studymarket.test", is_staff=True)


@pytest.mark.django_db
def test_a_request_for_one_document_of_a_bundle_refunds_the_whole_bundle():
    _order, bundle_lines, alone = _bundle_order()

    request = _ask(bundle_lines[1])

    assert request.status == RefundRequestStatus.APPROVED
    assert RefundRequest.objects.filter(status=RefundRequestStatus.APPROVED).count() == 2
    refunds = [assert_refunded_once(line) for line in bundle_lines]
    assert [refund.amount_cents for refund in refunds] == [384, 615]
    assert sum(refund.amount_cents for refund in refunds) == 999  # what the bundle cost
    assert_not_refunded(alone)


@pytest.mark.django_db
def test_a_discounted_bundle_gives_back_what_was_paid_and_undoes_the_platforms_discount():
    _order, bundle_lines, _alone = _bundle_order(discounts=[38, 62])

    _ask(bundle_lines[0])

    refunds = [assert_refunded_once(line) for line in bundle_lines]
    assert sum(refund.amount_cents for refund in refunds) == 899
    reversals = Journal.objects.filter(source=JournalSource.REFUND)
    undone = sum(
        entry.amount_cents
        for journal in reversals
        for entry in journal.entries.select_related("account")
        if entry.account.kind == "platform_discounts"
    )
    assert undone == -82


@pytest.mark.django_db
def test_a_download_of_any_document_of_the_bundle_sends_the_whole_request_to_staff(staff):
    _order, bundle_lines, _alone = _bundle_order()
    downloaded(bundle_lines[0])

    request = _ask(bundle_lines[1])

    assert request.status == RefundRequestStatus.REQUESTED
    assert request.downloaded is True
    assert list(RefundRequest.objects.values_list("status", flat=True)) == ["requested", "requested"]
    assert not Refund.objects.exists()

    refund_request_approve(request_id=request.pk, actor=staff)
    refund_request_approve(request_id=request.pk, actor=staff)  # a second click: nothing more

    for line in bundle_lines:
        assert_refunded_once(line)
    assert Refund.objects.count() == 2


@pytest.mark.django_db
def test_out_of_the_window_staff_may_reject_the_whole_bundle_with_one_email(
    staff, django_capture_on_commit_callbacks
):
    _order, bundle_lines, _alone = _bundle_order()
    clock.advance(timedelta(days=settings.GUARANTEE_WINDOW_DAYS, hours=1))
    request = _ask(bundle_lines[0])
    assert (request.status, request.within_window) == (RefundRequestStatus.REQUESTED, False)
    mail.outbox.clear()

    with pytest.MonkeyPatch.context() as patch:
        sent: list[int] = []
        patch.setattr(requests, "rejection_notice_enqueue", sent.append)
        with django_capture_on_commit_callbacks(execute=True):
            refund_request_reject(request_id=request.pk, actor=staff, note="Je hebt er al veel van gebruikt.")
            refund_request_reject(request_id=request.pk, actor=staff, note="Nogmaals.")  # a second click

    assert list(RefundRequest.objects.values_list("status", flat=True)) == ["rejected", "rejected"]
    assert sent == [request.pk]
    for line in bundle_lines:
        assert_not_refunded(line)


@pytest.mark.django_db
def test_a_second_request_for_the_other_document_is_refused():
    _order, bundle_lines, _alone = _bundle_order()
    downloaded(bundle_lines[0])  # so the first waits for staff
    _ask(bundle_lines[0])

    with pytest.raises(RefundRefused, match="al geld terug gevraagd"):
        _ask(bundle_lines[1])

    assert RefundRequest.objects.count() == 2


@pytest.mark.django_db
def test_the_guarantee_page_names_the_whole_bundle_and_its_price(client):
    order, bundle_lines, alone = _bundle_order()
    client.force_login(order.buyer)

    html = client.get(reverse("payments:guarantee", args=[bundle_lines[0].pk])).content.decode()
    single = client.get(reverse("payments:guarantee", args=[alone.pk])).content.decode()

    assert "Je vraagt je geld terug voor de hele bundel „Tentamenbundel Marketing” (€ 9,99)." in html
    assert "je hebt geen van de pdf's gedownload" in html
    assert "hele bundel" not in single


def _outcome(call):
    try:
        return call()
    except Exception as error:
        return error


def _clicked_line_locked_only(order_line_id: int) -> tuple[OrderLine, list[OrderLine]]:
    """The control: the clicked line locked, the rest of its bundle read without a lock."""
    line = requests._line_locked(order_line_id)
    others = OrderLine.objects.select_related("order").filter(pk__in=requests.bundle_line_ids(line))
    return line, sorted([line, *others.exclude(pk=line.pk)], key=lambda other: other.pk)


@postgresql_only()
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("variant", ["locked", "control"])
def test_two_requests_for_two_documents_of_one_bundle_at_once_postgres(variant, monkeypatch):
    """Two tabs ask for the two documents of one bundle at the same moment: all the bundle's
    lines are locked, in id order, so the second waits, then finds the requests made and gets
    the message that says so. The control locks only the clicked line: the second passes the
    check too, and one of them fails with a database error (the one-request-per-line constraint,
    or a deadlock on the lines): an error page, not a message."""
    _order, bundle_lines, _alone = _bundle_order()
    downloaded(bundle_lines[0])  # requests wait for staff: the race is on the requests alone
    if variant == "control":
        monkeypatch.setattr(requests, "_lines_locked", _clicked_line_locked_only)

    first, second = race(
        monkeypatch,
        meeting_point=(requests, "guarantee_check"),
        first=lambda: _outcome(lambda: _ask(bundle_lines[0])),
        second=lambda: _ask(bundle_lines[1]),
    )

    assert RefundRequest.objects.count() == 2
    if variant == "locked":
        assert isinstance(first, RefundRequest)
        assert isinstance(second, RefundRefused)
        assert "al geld terug gevraagd" in second.message
    else:  # the race: both passed the check
        assert any(isinstance(outcome, DatabaseError) for outcome in (first, second))
    assert not Refund.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_buyer_and_seller_hear_of_a_bundle_refund_once_for_the_whole_bundle():
    order, bundle_lines, _alone = _bundle_order()
    mail.outbox.clear()

    _ask(bundle_lines[0])

    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == [
        'Een verkoop van de bundel "Tentamenbundel Marketing" is terugbetaald',
        'Je geld voor de bundel "Tentamenbundel Marketing" komt terug',
    ]
    buyer_mail = next(m for m in mail.outbox if m.to == [order.buyer.email])
    assert "€ 9,99" in buyer_mail.body
    assert bundle_lines[0].title in buyer_mail.body
    assert bundle_lines[1].title in buyer_mail.body
    assert Notification.objects.filter(recipient_id=order.buyer_id).count() == 1
    for refund in Refund.objects.filter(order_line__in=bundle_lines):  # the tasks again: no second mail
        assert refund_notify(refund_id=refund.pk) == (False, False)
    assert len(mail.outbox) == 2
