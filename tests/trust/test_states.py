"""The notice state machine's table (docs/state-machines.md, "Notice") and its one write."""

import pytest

from studymarket.trust.models import NOTICE_OPEN, NoticeStatus
from studymarket.trust.states import TRANSITIONS, notice_transition
from tests.trust.factories import NoticeFactory

pytestmark = pytest.mark.django_db

S = NoticeStatus
FINAL = {S.UPHELD, S.RESTORED, S.UNFOUNDED}


def test_the_table():
    assert set(TRANSITIONS) == {
        (S.RECEIVED, S.AWAITING_SELLER),
        (S.SELLER_RESPONDED, S.AWAITING_SELLER),
        (S.AWAITING_SELLER, S.SELLER_RESPONDED),
        *{(open_, final) for open_ in NOTICE_OPEN for final in FINAL},
    }
    assert not any(before in FINAL for before, _after in TRANSITIONS)  # decisions are final


def test_a_move_the_table_refuses_changes_nothing():
    notice = NoticeFactory()
    moved, did = notice_transition(notice_id=notice.pk, status=S.SELLER_RESPONDED)
    assert did is False
    assert moved.status == S.RECEIVED

    upheld, did = notice_transition(notice_id=notice.pk, status=S.UPHELD)
    assert did is True
    assert upheld.status == S.UPHELD
    again, did = notice_transition(notice_id=notice.pk, status=S.RESTORED)
    assert did is False
    assert again.status == S.UPHELD
