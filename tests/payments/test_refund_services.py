"""Refund requests and refunds as services: the rule, the staff path, the provider's refund
(idempotent, simulated and Mollie's stand-in), the review kept and marked, and the e-mails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from studymarket.core import clock
from studymarket.core.models import AuditEvent
from studymarket.ledger.models import Journal, JournalSource
from studymarket.library.models import Entitlement
from studymarket.payments.models import (
    Refund,
    RefundOrigin,
    RefundRequest,
    RefundRequestStatus,
    RefundStatus,
    SimulatedRefund,
)
from studymarket.payments.refunds import (
    RefundRefused,
    refund_execute,
    refund_request_approve,
    refund_request_create,
    refund_request_reject,
    refund_retry,
    refunds_reconcile,
)
from studymarket.payments.services import refunds_and_reversals_reconcile
from studymarket.reviews.models import Review
from studymarket.reviews.services import review_create
from tests.factories import UserFactory
from tests.payments.refunding import (
    assert_not_refunded,
    assert_refunded_once,
    downloaded,
    first_line,
    paid_order,
    the_payment,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_balanced")]


@pytest.fixture
def line():
    return first_line(paid_order())


@pytest.fixture
def staff():
    return UserFactory(email="medewerker@studymarket.test", is_staff=True)


def _ask(line, reason="poor_quality", explanation="Veel te beknopt, hoofdstuk 3 ontbreekt."):
    return refund_request_create(
        buyer=line.order.buyer, order_line=line, reason=reason, explanation=explanation
    )


def _queued(line):
    downloaded(line)
    request = _ask(line)
    assert request.status == RefundRequestStatus.REQUESTED
    return request


# --- The rule ---------------------------------------------------------------------------------


def test_within_the_window_and_not_downloaded_is_refunded_at_once(line, settings):
    request = _ask(line)

    assert (request.status, request.automatic, request.decided_by) == (
        RefundRequestStatus.APPROVED,
        True,
        None,
    )
    refund = assert_refunded_once(line)
    assert (refund.origin, refund.amount_cents, refund.currency) == (RefundOrigin.REQUEST, 949, "EUR")
    assert refund.idempotency_key == f"{settings.IDEMPOTENCY_KEY_PREFIX}:refund:{line.order.number}:{line.pk}"
    assert str(refund.provider_id).startswith("sre_")
    assert SimulatedRefund.objects.get().amount_cents == 949
    actions = list(
        AuditEvent.objects.filter(object_type="payments.refundrequest")
        .values_list("action", flat=True)
        .order_by("pk")
    )
    assert actions == ["refund_request.created", "refund_request.approved"]


def test_the_buyer_can_no_longer_review_after_the_refund(line):
    _ask(line)

    with pytest.raises(Exception, match="Alleen kopers van dit document kunnen een review schrijven."):
        review_create(author=line.order.buyer, order_line=line, rating=1, text="Slecht")


def test_the_review_stays_and_is_marked_refunded(line):
    review = review_create(author=line.order.buyer, order_line=line, rating=2, text="Onvolledig")

    _ask(line)

    review = Review.objects.select_related("order_line").get(pk=review.pk)
    # "Terugbetaald" is read from the review's order line: there is no second copy to keep.
    assert (review.is_refunded, review.rating, review.text) == (True, 2, "Onvolledig")
    line.listing.refresh_from_db()
    assert (line.listing.review_count, line.listing.rating_sum, line.listing.sold_count) == (1, 2, 0)


def test_one_request_per_line(line):
    _ask(line)

    with pytest.raises(
        RefundRefused, match="Je verzoek voor dit document is al goedgekeurd; je geld komt terug."
    ):
        _ask(line)
    assert RefundRequest.objects.count() == 1


def test_a_queued_request_cannot_be_sent_twice(line):
    _queued(line)

    with pytest.raises(RefundRefused, match="Je verzoek is in behandeling"):
        _ask(line)


def test_only_the_buyer_may_ask(line):
    with pytest.raises(RefundRefused, match="die je zelf hebt gekocht"):
        refund_request_create(buyer=UserFactory(), order_line=line, reason="poor_quality", explanation="")
    assert not RefundRequest.objects.exists()


def test_an_unknown_reason_is_refused(line):
    with pytest.raises(RefundRefused, match="Kies een reden."):
        _ask(line, reason="because")


# --- Staff ------------------------------------------------------------------------------------


def test_staff_approve_a_queued_request(line, staff):
    request = _queued(line)
    assert_not_refunded(line)

    approved = refund_request_approve(
        request_id=request.pk, actor=staff, note="Klopt, hoofdstuk 3 ontbreekt."
    )

    assert (approved.status, approved.automatic, approved.decided_by, approved.decision_note) == (
        RefundRequestStatus.APPROVED,
        False,
        staff,
        "Klopt, hoofdstuk 3 ontbreekt.",
    )
    assert_refunded_once(line)
    event = AuditEvent.objects.get(action="refund_request.approved")
    assert event.actor == staff


def test_a_second_approval_changes_nothing(line, staff):
    request = _queued(line)
    refund_request_approve(request_id=request.pk, actor=staff)
    refund_request_approve(request_id=request.pk, actor=staff)

    assert_refunded_once(line)
    assert SimulatedRefund.objects.count() == 1


def test_staff_reject_with_a_note_the_buyer_keeps_access_and_gets_it_by_mail(
    line, staff, django_capture_on_commit_callbacks
):
    request = _queued(line)

    with django_capture_on_commit_callbacks(execute=True):
        rejected = refund_request_reject(
            request_id=request.pk, actor=staff, note="Je hebt de pdf al gedownload."
        )

    assert rejected.status == RefundRequestStatus.REJECTED
    assert_not_refunded(line)
    (message,) = mail.outbox
    assert message.to == [line.order.buyer.email]
    assert message.subject == f'Je verzoek om geld terug voor "{line.title}"'
    assert "Je hebt de pdf al gedownload." in message.body
    assert "Je houdt het document" in message.body
    with pytest.raises(RefundRefused, match="al afgewezen"):
        refund_request_approve(request_id=request.pk, actor=staff)


def test_a_rejection_needs_a_note_and_staff(line, staff):
    request = _queued(line)

    with pytest.raises(RefundRefused, match="Schrijf op waarom"):
        refund_request_reject(request_id=request.pk, actor=staff, note="  ")
    with pytest.raises(RefundRefused, match="Alleen medewerkers"):
        refund_request_approve(request_id=request.pk, actor=line.order.buyer)
    request.refresh_from_db()
    assert request.status == RefundRequestStatus.REQUESTED


def test_approving_after_a_chargeback_pays_nothing_twice(line, staff):
    from studymarket.payments.providers.simulated import simulated_chargeback
    from studymarket.payments.services import payment_sync

    request = _queued(line)
    payment = the_payment(line.order)
    simulated_chargeback(simulated_id=str(payment.provider_id), amount_cents=949)
    payment_sync(payment_id=payment.pk)

    refund_request_approve(request_id=request.pk, actor=staff)

    assert assert_refunded_once(line, source=JournalSource.CHARGEBACK).origin == RefundOrigin.CHARGEBACK
    assert SimulatedRefund.objects.count() == 0


def test_after_the_window_staff_can_still_approve(line, staff):
    clock.advance(timedelta(days=20))
    request = _ask(line)
    assert request.status == RefundRequestStatus.REQUESTED

    refund_request_approve(request_id=request.pk, actor=staff)

    assert_refunded_once(line)


# --- The provider -----------------------------------------------------------------------------


def test_a_crash_after_the_provider_call_is_finished_with_the_same_refund(line, monkeypatch):
    from studymarket.payments.refunds import provider

    original = provider.refund_complete

    def crash(**kwargs):
        raise RuntimeError("the worker died after the provider refunded")

    monkeypatch.setattr(provider, "refund_complete", crash)
    with pytest.raises(RuntimeError):
        _ask(line)
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.PENDING
    assert SimulatedRefund.objects.count() == 1

    monkeypatch.setattr(provider, "refund_complete", original)
    refund_execute(refund_id=refund.pk)
    refund_execute(refund_id=refund.pk)  # a double click, a second worker: nothing more

    assert SimulatedRefund.objects.count() == 1  # the same key: the provider's refund it had
    assert assert_refunded_once(line).provider_id == SimulatedRefund.objects.get().id


def test_a_provider_outage_leaves_it_pending_and_the_sweep_finishes_it(line, monkeypatch):
    from studymarket.payments.providers.base import ProviderUnavailable
    from studymarket.payments.providers.simulated import SimulatedProvider

    original = SimulatedProvider.refund

    def down(self, **kwargs):
        raise ProviderUnavailable("timed out")

    monkeypatch.setattr(SimulatedProvider, "refund", down)
    request = _ask(line)

    assert request.status == RefundRequestStatus.APPROVED
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.PENDING
    assert Entitlement.objects.get(order_line=line).revoked_at is not None  # access gone at once
    line.refresh_from_db()
    assert line.refunded_at is None  # the money has not gone yet

    monkeypatch.setattr(SimulatedProvider, "refund", original)
    assert refunds_reconcile() == 0  # too young: refund_execute may still be busy with it
    Refund.objects.filter(pk=refund.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    report = refunds_and_reversals_reconcile()

    assert report.refunds_settled == 1
    assert_refunded_once(line)


def test_a_refused_refund_is_failed_for_staff_who_can_retry(line, staff, monkeypatch, settings):
    from studymarket.payments.providers.base import ProviderRejected
    from studymarket.payments.providers.simulated import SimulatedProvider

    original = SimulatedProvider.refund

    def refuse(self, **kwargs):
        raise ProviderRejected("422: The payment cannot be refunded")

    monkeypatch.setattr(SimulatedProvider, "refund", refuse)
    _ask(line)
    failed = Refund.objects.get()
    assert (failed.status, failed.failure_reason) == (
        RefundStatus.FAILED,
        "422: The payment cannot be refunded",
    )
    assert Journal.objects.filter(source=JournalSource.REFUND).count() == 0

    monkeypatch.setattr(SimulatedProvider, "refund", original)
    retry = refund_retry(refund_id=failed.pk, actor=staff)

    assert (
        retry.idempotency_key == f"{settings.IDEMPOTENCY_KEY_PREFIX}:refund:{line.order.number}:{line.pk}:2"
    )
    assert assert_refunded_once(line).pk == retry.pk
    assert retry.request_id == RefundRequest.objects.get().pk


def test_mollie_refund_is_idempotent_across_a_timeout(settings, mollie):
    settings.MOLLIE_TIMEOUT_SECONDS = 0.5
    mollie.hang_seconds = 1.0
    line = first_line(paid_order(mollie=mollie))
    mollie.fail_next(1, "hang")  # the refund is made at Mollie, the answer comes too late

    request = _ask(line)

    refund = Refund.objects.get()
    assert (request.status, refund.status) == (RefundRequestStatus.APPROVED, RefundStatus.PENDING)
    Refund.objects.filter(pk=refund.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert refunds_reconcile() == 1

    refund = assert_refunded_once(line)
    payment_id = the_payment(line.order).provider_id
    assert [r["id"] for r in mollie.refunds[payment_id]] == [refund.provider_id]
    keys = mollie.idempotency_keys(f"/v2/payments/{payment_id}/refunds")
    assert keys == [refund.idempotency_key, refund.idempotency_key]
    assert mollie.refunds[payment_id][0]["metadata"] == {"refund_key": refund.idempotency_key}


# --- E-mails ----------------------------------------------------------------------------------


def test_buyer_and_seller_are_told_once_after_the_commit(line, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _ask(line)
    assert len(callbacks) >= 1

    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {line.order.buyer.email, line.seller.user.email}
    buyer = by_recipient[line.order.buyer.email]
    assert buyer.subject == f'Je geld voor "{line.title}" komt terug'
    assert "We storten € 9,49 terug" in buyer.body
    assert "Je hebt geen toegang meer tot dit document." in buyer.body
    seller = by_recipient[line.seller.user.email]
    assert seller.subject == f'Een verkoop van "{line.title}" is terugbetaald'
    assert "Reden: De kwaliteit valt tegen" in seller.body
    assert "Toelichting: Veel te beknopt, hoofdstuk 3 ontbreekt." in seller.body
    assert line.order.buyer.email not in seller.body

    from studymarket.payments.refunds.mail import refund_notify

    assert refund_notify(refund_id=Refund.objects.get().pk) == (False, False)  # a task run twice
    assert len(mail.outbox) == 2


def test_the_buyer_reads_it_in_the_language_of_their_checkout(line, django_capture_on_commit_callbacks):
    line.order.language = "en"
    line.order.save(update_fields=["language"])

    with django_capture_on_commit_callbacks(execute=True):
        _ask(line)

    buyer = next(m for m in mail.outbox if m.to == [line.order.buyer.email])
    seller = next(m for m in mail.outbox if m.to == [line.seller.user.email])
    assert buyer.body.startswith("Hello ")
    assert "My documents: http" in buyer.body
    assert seller.body.startswith("Hallo ")  # sellers have no stored language: the site's
    assert translation.get_language() == "nl"
