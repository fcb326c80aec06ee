from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from studymarket.core.models import AuditEvent
from studymarket.library.models import Entitlement, StampedCopy, StampedCopyStatus
from studymarket.library.selectors import entitlement_active_get, owned_document_ids
from studymarket.library.services import entitlement_revoke, entitlements_grant
from studymarket.orders.models import Order, OrderStatus
from studymarket.orders.services import order_create, order_mark_paid
from tests.factories import UserFactory
from tests.library.conftest import listing_with_pdf, purchase

pytestmark = pytest.mark.django_db


def _paid_order(buyer, listings, *, paid_at=None) -> Order:
    """An order paid as order_mark_paid leaves it just before it grants (which it does: these
    tests call the grant themselves, to watch it alone)."""
    order = order_create(buyer=buyer, listings=listings)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID, paid_at=paid_at or timezone.now())
    order.refresh_from_db()
    return order


def test_grant_gives_one_entitlement_per_line_once(buyer, listing):
    second = listing_with_pdf()
    paid_at = datetime(2024, 3, 1, 12, tzinfo=UTC)
    order = _paid_order(buyer, [listing, second], paid_at=paid_at)

    first = entitlements_grant(order_id=order.pk)
    again = entitlements_grant(order_id=order.pk)

    assert [e.pk for e in again] == [e.pk for e in first]
    assert Entitlement.objects.count() == 2
    assert {(e.buyer_id, e.document_id, e.granted_at) for e in first} == {
        (buyer.pk, listing.document_id, paid_at),
        (buyer.pk, second.document_id, paid_at),
    }
    assert [line.entitlement for line in order.lines.order_by("pk")] == first
    assert AuditEvent.objects.filter(action="entitlement.granted").count() == 2


def test_grant_refuses_an_unpaid_order(buyer, listing):
    order = order_create(buyer=buyer, listings=[listing])
    with pytest.raises(ValueError, match="only a paid order grants access"):
        entitlements_grant(order_id=order.pk)
    assert not Entitlement.objects.exists()


def test_grant_queues_the_stamped_copy_after_commit_once(buyer, listing, django_capture_on_commit_callbacks):
    order = _paid_order(buyer, [listing])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        (entitlement,) = entitlements_grant(order_id=order.pk)
    # One callback queued the build, and the immediate task backend ran it.
    assert len(callbacks) == 1
    copy = StampedCopy.objects.get()
    assert (copy.entitlement, copy.version, copy.status) == (
        entitlement,
        listing.document.current_version,
        StampedCopyStatus.READY,
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        entitlements_grant(order_id=order.pk)
    assert callbacks == []


def test_grant_enqueues_a_build_task_with_the_copy_id(
    buyer, listing, db_task_backend, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    order = _paid_order(buyer, [listing])
    with django_capture_on_commit_callbacks(execute=True):
        entitlements_grant(order_id=order.pk)
    (task,) = DBTaskResult.objects.all()
    assert task.task_path == "studymarket.library.tasks.stamped_copy_build_task"
    assert task.args_kwargs == {"args": [StampedCopy.objects.get().pk], "kwargs": {}}


def test_active_entitlement_is_the_buyers_only(buyer, listing, order_line):
    entitlement = order_line.entitlement
    assert entitlement_active_get(user=buyer, document_id=listing.document_id) == entitlement
    assert entitlement_active_get(user=UserFactory(), document_id=listing.document_id) is None
    assert entitlement_active_get(user=AnonymousUser(), document_id=listing.document_id) is None
    assert owned_document_ids(user=buyer) == {listing.document_id}
    assert owned_document_ids(user=AnonymousUser()) == set()


def test_revoke_takes_access_away_once(buyer, listing, order_line):
    revoked = entitlement_revoke(order_line_id=order_line.pk, reason="Terugbetaald (garantie)")
    again = entitlement_revoke(order_line_id=order_line.pk, reason="another reason")

    assert revoked.revoked_at is not None
    assert (again.revoked_at, again.revoke_reason) == (revoked.revoked_at, "Terugbetaald (garantie)")
    assert entitlement_active_get(user=buyer, document_id=listing.document_id) is None
    assert owned_document_ids(user=buyer) == set()
    assert AuditEvent.objects.filter(action="entitlement.revoked").count() == 1


def test_buying_again_after_a_refund_gives_access_again(buyer, listing, order_line):
    entitlement_revoke(order_line_id=order_line.pk, reason="refund")
    line = purchase(buyer=buyer, listing=listing)
    assert entitlement_active_get(user=buyer, document_id=listing.document_id) == line.entitlement


def test_marking_an_order_paid_grants_through_the_library(buyer, listing):
    order = order_create(buyer=buyer, listings=[listing])
    order_mark_paid(order_id=order.pk)
    entitlement = entitlement_active_get(user=buyer, document_id=listing.document_id)
    assert entitlement is not None
    assert entitlement.order_line.order == order
