"""order_mark_paid: pending → paid exactly once, with everything that comes with it."""

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from studymarket.catalog.models import Listing
from studymarket.core.models import AuditEvent
from studymarket.library.models import Entitlement
from studymarket.orders import states
from studymarket.orders.models import Order, OrderStatus
from studymarket.orders.services import order_create, order_mark_paid
from studymarket.orders.tasks import order_receipt_send_task
from tests.factories import ListingFactory, UserFactory
from tests.orders.race import postgresql_only, race


def _order(**listing_fields) -> Order:
    listings = [ListingFactory(sold_count=3, **listing_fields), ListingFactory(sold_count=0)]
    return order_create(buyer=UserFactory(), listings=listings)


def _receipt_tasks() -> list[list[object]]:
    return [
        result.args_kwargs["args"]
        for result in DBTaskResult.objects.filter(task_path=order_receipt_send_task.module_path)
    ]


def _effects(order: Order) -> tuple[object, ...]:
    order.refresh_from_db()
    return (
        order.status,
        sorted(Listing.objects.filter(order_lines__order=order).values_list("sold_count", flat=True)),
        sorted(Entitlement.objects.filter(order_line__order=order).values_list("buyer_id", "document_id")),
        AuditEvent.objects.filter(action="order.paid", object_id=str(order.pk)).count(),
        _receipt_tasks(),
    )


@pytest.mark.django_db(transaction=True)
def test_paid_grants_entitlements_counts_the_sales_and_queues_the_receipt(db_task_backend):
    order = _order()
    paid_at = timezone.now()

    returned = order_mark_paid(order_id=order.pk, paid_at=paid_at)

    assert (returned.status, returned.paid_at) == (OrderStatus.PAID, paid_at)
    documents = sorted((order.buyer_id, line.listing.document_id) for line in order.lines.all())
    assert _effects(order) == (OrderStatus.PAID, [1, 4], documents, 1, [[order.pk]])


@pytest.mark.django_db
def test_paid_gives_each_entitlement_the_orders_number_and_language():
    order = _order()
    Order.objects.filter(pk=order.pk).update(language="en")  # checked out in English

    order_mark_paid(order_id=order.pk, send_receipt=False)

    granted = Entitlement.objects.filter(order_line__order=order).values_list("order_number", "language")
    assert sorted(granted) == [(order.number, "en")] * 2


@pytest.mark.django_db(transaction=True)
def test_paid_twice_changes_nothing_the_second_time(db_task_backend):
    order = _order()
    order_mark_paid(order_id=order.pk)
    first = _effects(order)

    again = order_mark_paid(order_id=order.pk, paid_at=timezone.now())

    assert again.paid_at == Order.objects.get(pk=order.pk).paid_at
    assert _effects(order) == first


@pytest.mark.django_db
def test_receipt_is_queued_only_when_the_payment_commits(db_task_backend, django_capture_on_commit_callbacks):
    order = _order()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order_mark_paid(order_id=order.pk)

    assert _receipt_tasks() == []
    for callback in callbacks:  # the commit
        callback()
    assert _receipt_tasks() == [[order.pk]]


@pytest.mark.django_db(transaction=True)
def test_history_is_paid_without_a_receipt(db_task_backend):
    order = _order()

    order_mark_paid(order_id=order.pk, send_receipt=False)

    assert _effects(order)[0] == OrderStatus.PAID
    assert _receipt_tasks() == []


@pytest.mark.django_db
def test_a_canceled_order_cannot_become_paid():
    order = _order()
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELED)

    with pytest.raises(ValueError, match="is canceled, it cannot become paid"):
        order_mark_paid(order_id=order.pk)

    assert not Entitlement.objects.exists()


def _paid_at_once(monkeypatch: pytest.MonkeyPatch, order: Order) -> None:
    race(
        monkeypatch,
        meeting_point=(states, "order_lock"),
        first=lambda: order_mark_paid(order_id=order.pk),
        second=lambda: order_mark_paid(order_id=order.pk),
    )


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_pay_the_order_once_postgres(monkeypatch, db_task_backend):
    order = _order()

    _paid_at_once(monkeypatch, order)

    assert _effects(order)[1:] == (
        [1, 4],
        sorted((order.buyer_id, line.listing.document_id) for line in order.lines.all()),
        1,
        [[order.pk]],
    )


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_control_without_the_lock_both_confirmations_count_postgres(monkeypatch, db_task_backend):
    """The race the row lock prevents: both calls see "pending", both mark it paid and both
    queue a receipt. (The sales are counted once even so: the buyer's lock in order_mark_paid
    makes the later call find the documents held, issue 12; test_already_held.py.)"""
    order = _order()
    monkeypatch.setattr(states, "order_lock", lambda order_id: Order.objects.get(pk=order_id))

    _paid_at_once(monkeypatch, order)

    _status, _sold, _entitlements, audits, receipts = _effects(order)
    assert (audits, receipts) == (2, [[order.pk], [order.pk]])
