"""The notice state machine (docs/state-machines.md, "Notice").

received → awaiting_seller → seller_responded (the seller answered inside the site);
received | awaiting_seller | seller_responded → upheld | restored | unfounded, which are final.
Every change of Notice.status goes through notice_transition.
"""

from collections.abc import Mapping
from typing import Any

from studymarket.core.states import state_write
from studymarket.trust.models import NOTICE_OPEN, Notice, NoticeStatus

S = NoticeStatus

# Each allowed transition and the audit action it records.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.RECEIVED, S.AWAITING_SELLER): "notice.seller_asked",
    (S.SELLER_RESPONDED, S.AWAITING_SELLER): "notice.seller_asked",
    (S.AWAITING_SELLER, S.SELLER_RESPONDED): "notice.seller_responded",
    **{(open_, S.UPHELD): "notice.upheld" for open_ in NOTICE_OPEN},
    **{(open_, S.RESTORED): "notice.restored" for open_ in NOTICE_OPEN},
    **{(open_, S.UNFOUNDED): "notice.unfounded" for open_ in NOTICE_OPEN},
}


def notice_lock(notice_id: int) -> Notice:
    """The notice's row, locked until the transaction ends: decisions happen one at a time."""
    return Notice.objects.select_for_update().get(pk=notice_id)


def notice_transition(
    *,
    notice_id: int,
    status: str,
    changes: Mapping[str, Any] | None = None,
    actor: Any = None,
    **audit: Any,
) -> tuple[Notice, bool]:
    """Lock the notice, check that it may go from where it is to ``status``, write ``status``
    and ``changes``, record the event. Returns the notice (locked, current) and whether it
    moved: a notice already there, or one that cannot get there (an upheld notice is never
    restored), is left alone and the caller decides what that means. Inside the caller's
    transaction."""
    notice = notice_lock(notice_id)
    action = TRANSITIONS.get((notice.status, status))
    if action is None:
        return notice, False
    return state_write(notice, status=status, action=action, changes=changes, actor=actor, **audit), True
