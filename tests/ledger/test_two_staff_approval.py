"""Two staff approvals for money above STAFF_SECOND_APPROVAL_ABOVE_CENTS (ASVS 5.0 2.3.5;
ledger.approvals): a correction or a payout to the bank above it is proposed by one staff
member (nothing posted), approved by a different one (then posted, once), or rejected. At or
below it one staff member suffices. The concurrent test runs on PostgreSQL, with a control."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.utils import IntegrityError

from studymarket.accounts.services import seller_payout_details_update
from studymarket.core.models import AuditEvent
from studymarket.core.money import Money
from studymarket.ledger import approvals
from studymarket.ledger.approvals import (
    ApprovalRefused,
    adjustment_submit,
    approval_transition,
    payout_approval_propose,
)
from studymarket.ledger.journals import Line, account_for
from studymarket.ledger.models import (
    AccountKind,
    ApprovalStatus,
    Journal,
    JournalSource,
    PayoutStatus,
    StaffApproval,
)
from studymarket.ledger.payouts.services import payout_batch_create, payout_request
from studymarket.ledger.postings import earnings_release_due
from tests.factories import SellerFactory, UserFactory
from tests.ledger.ledger_helpers import now, paid_line
from tests.orders.race import race

pytestmark = pytest.mark.usefixtures("ledger_balanced")

THRESHOLD = 50000  # € 500,00, the default


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.STAFF_SECOND_APPROVAL_ABOVE_CENTS = THRESHOLD


def _lines(cents: int) -> list[Line]:
    return [Line(AccountKind.PLATFORM_REVENUE, Money(cents))]  # the other side: "Correcties"


def _submit(staff, cents: int, token: str | None = None):
    return adjustment_submit(
        actor=staff, reason="Commissie te veel geboekt", lines=_lines(cents), token=token or uuid.uuid4().hex
    )


def _adjustments() -> list[Journal]:
    return list(Journal.objects.filter(source=JournalSource.ADJUSTMENT))


def _staff(name: str):
    return UserFactory(is_staff=True, email=f"{name}@studymarket.test")


@pytest.mark.django_db
def test_at_or_below_the_threshold_one_staff_member_posts_at_once():
    journal = _submit(_staff("anna"), THRESHOLD)
    assert isinstance(journal, Journal)
    assert _adjustments() == [journal]
    assert StaffApproval.objects.count() == 0


@pytest.mark.django_db
def test_above_the_threshold_a_correction_is_proposed_and_posts_on_a_second_approval():
    anna, bram = _staff("anna"), _staff("bram")
    token = uuid.uuid4().hex

    proposal = _submit(anna, THRESHOLD + 1, token)

    assert isinstance(proposal, StaffApproval)
    assert (proposal.status, proposal.amount_cents, proposal.proposed_by) == (
        ApprovalStatus.PROPOSED,
        THRESHOLD + 1,
        anna,
    )
    assert _adjustments() == []  # nothing posted yet
    assert AuditEvent.objects.filter(action="approval.proposed", actor=anna).count() == 1

    approval, moved = approval_transition(approval_id=proposal.pk, to=ApprovalStatus.APPROVED, actor=bram)

    assert moved
    [journal] = _adjustments()
    assert (journal.source_ref, journal.actor, journal.reason) == (token, anna, "Commissie te veel geboekt")
    assert (approval.status, approval.decided_by, approval.journal) == (
        ApprovalStatus.APPROVED,
        bram,
        journal,
    )
    assert account_for(kind=AccountKind.PLATFORM_REVENUE).balance_cents == THRESHOLD + 1
    assert AuditEvent.objects.filter(action="approval.approved", actor=bram).count() == 1


@pytest.mark.django_db
def test_the_proposer_cannot_approve_their_own_proposal():
    anna = _staff("anna")
    proposal = _submit(anna, THRESHOLD + 1)

    with pytest.raises(ApprovalRefused) as refused:
        approval_transition(approval_id=proposal.pk, to=ApprovalStatus.APPROVED, actor=anna)

    assert refused.value.message == (
        "Je kunt je eigen voorstel niet goedkeuren: een andere medewerker moet het goedkeuren."
    )
    proposal.refresh_from_db()
    assert proposal.status == ApprovalStatus.PROPOSED
    assert _adjustments() == []


@pytest.mark.django_db
def test_the_database_refuses_one_person_as_both_too():
    anna = _staff("anna")
    proposal = _submit(anna, THRESHOLD + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffApproval.objects.filter(pk=proposal.pk).update(status=ApprovalStatus.APPROVED, decided_by=anna)


@pytest.mark.django_db
def test_approving_twice_posts_once():
    anna, bram, carla = _staff("anna"), _staff("bram"), _staff("carla")
    proposal = _submit(anna, THRESHOLD + 1)

    _, first = approval_transition(approval_id=proposal.pk, to=ApprovalStatus.APPROVED, actor=bram)
    _, again = approval_transition(approval_id=proposal.pk, to=ApprovalStatus.APPROVED, actor=bram)
    _, third = approval_transition(approval_id=proposal.pk, to=ApprovalStatus.APPROVED, actor=carla)

    assert (first, again, third) == (True, False, False)
    assert len(_adjustments()) == 1
    assert AuditEvent.objects.filter(action="approval.approved").count() == 1


@pytest.mark.django_db
def test_the_same_form_twice_proposes_once():
    anna = _staff("anna")
    token = uuid.uuid4().hex
    assert _submit(anna, THRESHOLD + 1, token) == _submit(anna, THRESHOLD + 1, token)
    assert StaffApproval.objects.count() == 1


@pytest.mark.django_db
def test_a_rejected_proposal_posts_nothing_and_cannot_be_approved_later():
    anna, bram = _staff("anna"), _staff("bram")
    proposal = _submit(anna, THRESHOLD + 1)

    approval, moved = approval_transition(
        approval_id=proposal.pk, to=ApprovalStatus.REJECTED, actor=bram, note="Klopt niet"
    )
    assert (moved, approval.status, approval.note) == (True, ApprovalStatus.REJECTED, "Klopt niet")

    with pytest.raises(ApprovalRefused, match="al afgewezen"):
        approval_transition(approval_id=proposal.pk, to=ApprovalStatus.APPROVED, actor=_staff("carla"))
    assert _adjustments() == []


@pytest.mark.django_db
def test_the_proposer_may_withdraw():
    anna = _staff("anna")
    proposal = _submit(anna, THRESHOLD + 1)
    _, moved = approval_transition(approval_id=proposal.pk, to=ApprovalStatus.REJECTED, actor=anna)
    assert moved


@pytest.mark.django_db
def test_a_refused_posting_leaves_the_proposal_open():
    anna, bram = _staff("anna"), _staff("bram")
    seller = SellerFactory()
    # Taking € 600 from a seller who has nothing available: the ledger refuses.
    proposal = adjustment_submit(
        actor=anna,
        reason="Terugvordering",
        lines=[Line(AccountKind.SELLER_AVAILABLE, Money(60000), key=str(seller.pk))],
        token=uuid.uuid4().hex,
    )
    assert isinstance(proposal, StaffApproval)
    with pytest.raises(approvals.AdjustmentRefused, match="onder nul"):
        approval_transition(approval_id=proposal.pk, to=ApprovalStatus.APPROVED, actor=bram)
    proposal.refresh_from_db()
    assert proposal.status == ApprovalStatus.PROPOSED
    assert _adjustments() == []


@pytest.mark.django_db
def test_only_staff_decide():
    proposal = _submit(_staff("anna"), THRESHOLD + 1)
    with pytest.raises(ApprovalRefused):
        approval_transition(approval_id=proposal.pk, to=ApprovalStatus.APPROVED, actor=UserFactory())


# ---------------------------------------------------------------------------------------------
# Payouts to the bank


def _payout(*, lines: int):
    """A SEPA payout of ``lines`` released sales (627 cents each)."""
    seller = SellerFactory()
    seller_payout_details_update(
        seller=seller, account_holder="Jan Jansen", iban="NL20INGB0001234567", schedule="request"
    )
    for _ in range(lines):
        paid_line(seller=seller)
    earnings_release_due(now=now() + timedelta(days=15))
    return payout_request(seller=seller)


@pytest.mark.django_db
def test_a_payout_above_the_threshold_waits_for_two_staff_before_the_bank(settings):
    settings.STAFF_SECOND_APPROVAL_ABOVE_CENTS = 2000
    small, large = _payout(lines=2), _payout(lines=4)  # 1254 and 2508 cents
    anna, bram = _staff("anna"), _staff("bram")

    batch = payout_batch_create(actor=anna)
    assert batch is not None
    assert list(batch.payouts.all()) == [small]  # the large one waits
    proposal = payout_approval_propose(payout_id=large.pk, actor=anna)
    assert payout_approval_propose(payout_id=large.pk, actor=anna) == proposal  # a second click
    assert payout_batch_create(actor=anna) is None  # proposed is not approved
    with pytest.raises(ApprovalRefused):
        approval_transition(approval_id=proposal.pk, to=ApprovalStatus.APPROVED, actor=anna)

    approval_transition(approval_id=proposal.pk, to=ApprovalStatus.APPROVED, actor=bram)

    batch = payout_batch_create(actor=anna)
    assert batch is not None
    assert list(batch.payouts.all()) == [large]
    large.refresh_from_db()
    assert large.status == PayoutStatus.SENT


@pytest.mark.django_db
def test_a_payout_at_or_below_the_threshold_needs_no_proposal(settings):
    settings.STAFF_SECOND_APPROVAL_ABOVE_CENTS = 1254
    payout = _payout(lines=2)
    with pytest.raises(ApprovalRefused, match="geen tweede goedkeuring nodig"):
        payout_approval_propose(payout_id=payout.pk, actor=_staff("anna"))


# ---------------------------------------------------------------------------------------------
# Two colleagues approving at once


@pytest.fixture(params=["locked", "control"])
def variant(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "control":
        # Without the approval's row lock both pass the "still proposed" check.
        monkeypatch.setattr(
            approvals,
            "approval_lock",
            lambda approval_id: StaffApproval.objects.select_related("payout", "proposed_by").get(
                pk=approval_id
            ),
        )
    return str(request.param)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time (BEGIN IMMEDIATE): the race cannot happen there. "
    "Run with DATABASE_URL=postgres://… to test it.",
)
@pytest.mark.django_db(transaction=True)
def test_two_colleagues_approving_at_once_post_once(variant, monkeypatch):
    anna, bram, carla = _staff("anna"), _staff("bram"), _staff("carla")
    for kind in (AccountKind.PLATFORM_REVENUE, AccountKind.ADJUSTMENTS):
        account_for(kind=kind)
    proposal = _submit(anna, THRESHOLD + 1)

    def approve(actor):
        return lambda: approval_transition(approval_id=proposal.pk, to=ApprovalStatus.APPROVED, actor=actor)

    # Carla starts while Bram's approval has posted its journal and not yet committed.
    first, second = race(
        monkeypatch, meeting_point=(approvals, "adjustment_post"), first=approve(bram), second=approve(carla)
    )

    assert first[1] is True
    assert len(_adjustments()) == 1  # the journal's unique source catches even the control
    approved = AuditEvent.objects.filter(action="approval.approved").count()
    if variant == "control":
        # Both believed they approved it: two decisions recorded for one posting.
        assert second[1] is True, second
        assert approved == 2
        return
    assert second == (StaffApproval.objects.get(pk=proposal.pk), False)
    assert approved == 1
    assert StaffApproval.objects.get(pk=proposal.pk).decided_by == bram
