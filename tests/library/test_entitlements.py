from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from studymarket.core.models import AuditEvent
from studymarket.library import services as library_services
from studymarket.library.models import Entitlement, StampedCopy, StampedCopyStatus
from studymarket.library.selectors import entitlement_active_get, owned_document_ids
from studymarket.library.services import entitlement_grant, entitlement_revoke
from studymarket.orders.services import order_create, order_mark_paid
from tests.factories import UserFactory
from tests.purchases import listing_with_pdf, purchase

pytestmark = pytest.mark.django_db


def test_paying_gives_one_entitlement_per_line_once_linked_by_orders(buyer, listing):
    second = listing_with_pdf()
    paid_at = datetime(2024, 3, 1, 12, tzinfo=UTC)
    order = order_create(buyer=buyer, listings=[listing, second])

    order_mark_paid(order_id=order.pk, paid_at=paid_at, send_receipt=False)
    order_mark_paid(order_id=order.pk, paid_at=timezone.now(), send_receipt=False)

    granted = list(Entitlement.objects.order_by("pk"))
    assert {(e.buyer_id, e.document_id, e.granted_at) for e in granted} == {
        (buyer.pk, listing.document_id, paid_at),
        (buyer.pk, second.document_id, paid_at),
    }
    assert [line.entitlement for line in order.lines.order_by("pk")] == granted
    assert [e.order_line.order for e in granted] == [order, order]
    # The purchase facts library shows are copied in: library never reads the order.
    assert [(e.order_number, e.language) for e in granted] == [(order.number, order.language)] * 2
    assert AuditEvent.objects.filter(action="entitlement.granted").count() == 2


def test_an_unpaid_order_grants_nothing(buyer, listing):
    order = order_create(buyer=buyer, listings=[listing])
    assert [line.entitlement for line in order.lines.all()] == [None]
    assert not Entitlement.objects.exists()
    assert entitlement_active_get(user=buyer, document_id=listing.document_id) is None


def test_grant_takes_plain_values_and_knows_no_order(buyer, listing):
    granted_at = datetime(2024, 3, 1, 12, tzinfo=UTC)
    entitlement = entitlement_grant(
        buyer_id=buyer.pk,
        document_id=listing.document_id,
        granted_at=granted_at,
        order_number="SM-ABCD2345",
        language="en",
    )
    entitlement.refresh_from_db()
    assert (
        entitlement.buyer_id,
        entitlement.document_id,
        entitlement.granted_at,
        entitlement.order_number,
        entitlement.language,
    ) == (buyer.pk, listing.document_id, granted_at, "SM-ABCD2345", "en")
    assert entitlement_active_get(user=buyer, document_id=listing.document_id) == entitlement


def test_paying_queues_the_stamped_copy_after_commit(buyer, listing, django_capture_on_commit_callbacks):
    order = order_create(buyer=buyer, listings=[listing])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        order_mark_paid(order_id=order.pk, send_receipt=False)
    # One callback queued the build, and the immediate task backend ran it (the stamp names
    # the order: the line is linked to the entitlement by then).
    assert [c.args for c in callbacks if getattr(c, "func", None) is library_services._enqueue] == [
        (StampedCopy.objects.get().pk,)
    ]
    entitlement = order.lines.get().entitlement
    copy = StampedCopy.objects.get()
    assert (copy.entitlement, copy.version, copy.status) == (
        entitlement,
        listing.document.current_version,
        StampedCopyStatus.READY,
    )


def test_grant_enqueues_a_build_task_with_the_copy_id(
    buyer, listing, db_task_backend, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        entitlement_grant(
            buyer_id=buyer.pk,
            document_id=listing.document_id,
            granted_at=timezone.now(),
            order_number="SM-ABCD2345",
            language="nl",
        )
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
    revoked = entitlement_revoke(entitlement_id=order_line.entitlement_id, reason="Terugbetaald (garantie)")
    again = entitlement_revoke(entitlement_id=order_line.entitlement_id, reason="another reason")

    assert revoked.revoked_at is not None
    assert (again.revoked_at, again.revoke_reason) == (revoked.revoked_at, "Terugbetaald (garantie)")
    assert entitlement_active_get(user=buyer, document_id=listing.document_id) is None
    assert owned_document_ids(user=buyer) == set()
    assert AuditEvent.objects.filter(action="entitlement.revoked").count() == 1


def test_buying_again_after_a_refund_gives_access_again(buyer, listing, order_line):
    entitlement_revoke(entitlement_id=order_line.entitlement_id, reason="refund")
    line = purchase(buyer=buyer, listing=listing)
    assert entitlement_active_get(user=buyer, document_id=listing.document_id) == line.entitlement


def test_marking_an_order_paid_grants_through_the_library(buyer, listing):
    order = order_create(buyer=buyer, listings=[listing])
    order_mark_paid(order_id=order.pk)
    entitlement = entitlement_active_get(user=buyer, document_id=listing.document_id)
    assert entitlement is not None
    assert entitlement.order_line.order == order
