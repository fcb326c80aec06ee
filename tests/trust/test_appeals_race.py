"""Double submits at once: two appeals sent together make one; two staff members deciding one
appeal together decide it once (the statement's and the appeal's row locks)."""

import pytest

from studymarket.trust import appeals
from studymarket.trust.appeals import AppealRefused, appeal_create_seller, appeal_decide
from studymarket.trust.decisions import notice_take_down
from studymarket.trust.models import Appeal, AppealStatus, Measure
from tests.factories import ListingFactory
from tests.orders.race import race
from tests.trust.appeal_helpers import seller_of, statement_of
from tests.trust.factories import NoticeFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def statement():
    notice = NoticeFactory(listing=ListingFactory())
    notice_take_down(notice_id=notice.pk, actor=StaffFactory(), note="Overgenomen.")
    return statement_of(notice, Measure.LISTING_TAKEDOWN)


def test_two_appeals_sent_at_once_make_one(monkeypatch, statement):
    seller = seller_of(statement.notice)

    def send():
        return appeal_create_seller(statement_id=statement.pk, user=seller, text="Oneens.")

    first, second = race(monkeypatch, meeting_point=(appeals, "appeal_of_statement"), first=send, second=send)
    assert isinstance(first, Appeal)
    assert isinstance(second, Appeal)
    assert first.pk == second.pk
    assert Appeal.objects.count() == 1


def test_two_staff_deciding_at_once_decide_once(monkeypatch, statement):
    appeal = appeal_create_seller(statement_id=statement.pk, user=seller_of(statement.notice), text="Oneens.")
    granting, rejecting = StaffFactory(), StaffFactory()

    first, second = race(
        monkeypatch,
        meeting_point=(appeals, "contested_deciders"),
        first=lambda: appeal_decide(appeal_id=appeal.pk, actor=granting, grant=True, reasons="Eigen werk."),
        second=lambda: appeal_decide(
            appeal_id=appeal.pk, actor=rejecting, grant=False, reasons="Overgenomen."
        ),
    )
    assert first[1] is True
    assert isinstance(second, AppealRefused)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.decided_by) == (AppealStatus.GRANTED, granting)
