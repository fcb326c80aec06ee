"""The payout state machine (ledger.payouts.states): one table, one apply function that every
status change goes through."""

from datetime import timedelta

import pytest
from django.db import transaction

from studymarket.core.models import AuditEvent
from studymarket.ledger.models import JournalSource, Payout, PayoutStatus
from studymarket.ledger.payouts.errors import PayoutRefused
from studymarket.ledger.payouts.states import TRANSITIONS, payout_transition, transition_allowed
from tests.factories import SellerFactory
from tests.ledger.ledger_helpers import now, paid_line, payout_make, seller_cents

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_balanced")]

CREATED, SENT, PAID, FAILED = PayoutStatus.CREATED, PayoutStatus.SENT, PayoutStatus.PAID, PayoutStatus.FAILED


def test_the_table():
    assert set(TRANSITIONS) == {(CREATED, SENT), (SENT, PAID), (SENT, FAILED), (CREATED, FAILED)}
    # Only a route Mollie refused fails before it was sent; a SEPA payout is at the bank first.
    assert transition_allowed(provider="mollie_route", current=CREATED, new=FAILED)
    assert not transition_allowed(provider="sepa", current=CREATED, new=FAILED)
    # Paid and failed are final; nothing is paid without being sent.
    for final in (PAID, FAILED):
        assert not any(transition_allowed(provider="sepa", current=final, new=new) for new in PayoutStatus)
    assert not transition_allowed(provider="sepa", current=CREATED, new=PAID)


def _payout(provider: str = "sepa") -> Payout:
    from studymarket.ledger.postings import earnings_release_due

    line = paid_line(seller=SellerFactory())
    earnings_release_due(now=now() + timedelta(days=15))
    payout = payout_make(line.seller_id, 627)
    Payout.objects.filter(pk=payout.pk).update(provider=provider)
    return Payout.objects.get(pk=payout.pk)


def _apply(payout: Payout, to: PayoutStatus, **kwargs) -> bool:
    with transaction.atomic():
        locked = Payout.objects.select_for_update().get(pk=payout.pk)
        moved = payout_transition(locked, to=to, **kwargs)
    payout.refresh_from_db()
    return moved


def test_each_step_writes_its_timestamp_journal_and_audit_event_once():
    payout = _payout()

    assert _apply(payout, SENT, details={"batch": "B1"}) is True
    assert _apply(payout, SENT) is False  # already there: quietly, nothing written
    assert _apply(payout, FAILED, changes={"failure_reason": "Rekening opgeheven"}) is True

    assert (payout.status, payout.failure_reason) == (FAILED, "Rekening opgeheven")
    assert (payout.sent_at is None, payout.failed_at is None, payout.paid_at is None) == (False, False, True)
    assert seller_cents(payout.seller_id) == (0, 627, 0)  # compensated: available again
    assert [j.source for j in payout.seller.journals.order_by("pk")][-2:] == [
        JournalSource.PAYOUT,
        JournalSource.PAYOUT_FAILURE,
    ]
    events = AuditEvent.objects.filter(object_type="ledger.payout", object_id=str(payout.pk)).order_by("pk")
    assert [(e.action, e.data) for e in events] == [
        ("payout.sent", {"batch": "B1"}),
        ("payout.failed", {"reason": "Rekening opgeheven"}),
    ]


def test_a_step_the_table_lacks_is_refused_with_words_staff_can_act_on():
    payout = _payout()

    with pytest.raises(PayoutRefused, match="staat nog in de wachtrij"):
        _apply(payout, PAID)
    with pytest.raises(PayoutRefused, match="staat nog in de wachtrij"):
        _apply(payout, FAILED, changes={"failure_reason": "x"})
    _apply(payout, SENT)
    _apply(payout, PAID)
    with pytest.raises(PayoutRefused, match="is al uitbetaald; dat kan niet meer veranderen"):
        _apply(payout, FAILED, changes={"failure_reason": "x"})
    assert payout.status == PAID


def test_a_refused_route_fails_straight_from_created():
    payout = _payout(provider="mollie_route")

    assert _apply(payout, FAILED, changes={"failure_reason": "404: not found"}) is True
    assert seller_cents(payout.seller_id) == (0, 627, 0)
