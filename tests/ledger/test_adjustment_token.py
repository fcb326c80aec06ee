"""A staff correction's one-time token is its journal's source reference: the ledger books each
token once (the one-journal-per-source constraint), whether the form comes twice in a row or
twice at once. The concurrent tests run on PostgreSQL, with a control showing the double
booking the token stops."""

import uuid

import pytest
from django.db import connection

from studymarket.core.models import AuditEvent
from studymarket.core.money import Money
from studymarket.ledger import adjustments, journals, postings
from studymarket.ledger.journals import Line
from studymarket.ledger.models import AccountKind, Journal, JournalSource
from studymarket.ledger.postings import AdjustmentAlreadyPosted, adjustment_post
from tests.factories import UserFactory
from tests.ledger.concurrency import unlocked
from tests.orders.race import race

LINES = [Line(AccountKind.PLATFORM_REVENUE, Money(250))]  # the other side goes to "Correcties"


def _post(staff, token: str):
    return adjustment_post(actor=staff, reason="Dubbel geboekte commissie", lines=LINES, token=token)


@pytest.mark.django_db
def test_the_same_token_twice_books_one_journal(ledger_balanced):
    staff = UserFactory(is_staff=True)
    token = uuid.uuid4().hex

    journal = _post(staff, token)
    with pytest.raises(AdjustmentAlreadyPosted) as again:
        _post(staff, token)

    assert again.value.journal == journal
    assert again.value.message == "Deze correctie was al geboekt; ze is niet nog eens geboekt."
    assert (journal.source, journal.source_ref) == (JournalSource.ADJUSTMENT, token)
    assert Journal.objects.filter(source=JournalSource.ADJUSTMENT).count() == 1
    assert AuditEvent.objects.filter(action="ledger.adjustment_posted").count() == 1
    # Another form (another token) is another correction.
    _post(staff, uuid.uuid4().hex)
    assert Journal.objects.filter(source=JournalSource.ADJUSTMENT).count() == 2


@pytest.mark.django_db
def test_a_refused_correction_leaves_its_token_free(ledger_balanced):
    staff = UserFactory(is_staff=True)
    token = uuid.uuid4().hex
    with pytest.raises(postings.AdjustmentRefused):
        adjustment_post(actor=staff, reason="  ", lines=LINES, token=token)

    assert _post(staff, token).source_ref == token


@pytest.mark.django_db
def test_a_correction_needs_a_token():
    with pytest.raises(ValueError, match="token"):
        _post(UserFactory(is_staff=True), "")
    with pytest.raises(ValueError, match="token"):
        _post(UserFactory(is_staff=True), "x" * 65)


@pytest.fixture(params=["token", "token_without_account_locks", "control"])
def variant(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "token_without_account_locks":
        # The accounts' row locks are not what stops the second post: the constraint is.
        for module in (journals, postings, adjustments):
            if hasattr(module, "accounts_lock"):
                monkeypatch.setattr(module, "accounts_lock", unlocked)
    if request.param == "control":
        # As before issue 11: a fresh source reference per post, whatever the form's token.
        original = journals.journal_post

        def fresh_reference(**kwargs):
            return original(**{**kwargs, "source_ref": uuid.uuid4().hex})

        monkeypatch.setattr(adjustments, "journal_post", fresh_reference)
    return str(request.param)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time (BEGIN IMMEDIATE): the race cannot happen there. "
    "Run with DATABASE_URL=postgres://… to test it.",
)
@pytest.mark.django_db(transaction=True)
def test_the_same_token_twice_at_once_books_one_journal(variant, monkeypatch, ledger_balanced):
    staff = UserFactory(is_staff=True)
    # Accounts are made on first use; a live platform has them. (Two transactions making the
    # same account would queue on its unique key, which would hide the race.)
    for kind in (AccountKind.PLATFORM_REVENUE, AccountKind.ADJUSTMENTS):
        journals.account_for(kind=kind)
    token = uuid.uuid4().hex

    # The second post starts while the first has written its journal and not yet committed:
    # neither sees the other's journal when it looks.
    first, second = race(
        monkeypatch,
        meeting_point=(adjustments, "journal_post"),
        first=lambda: _post(staff, token),
        second=lambda: _post(staff, token),
    )

    assert isinstance(first, Journal)
    booked = Journal.objects.filter(source=JournalSource.ADJUSTMENT)
    if variant == "control":
        # Without the token as the source reference the same form books twice.
        assert isinstance(second, Journal), second
        assert booked.count() == 2
        return
    assert isinstance(second, AdjustmentAlreadyPosted), second
    assert second.journal == first
    assert list(booked) == [first]
    assert first.source_ref == token
    assert AuditEvent.objects.filter(action="ledger.adjustment_posted").count() == 1
