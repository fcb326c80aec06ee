"""The stamped copy state machine (docs/state-machines.md, "Stamped copy").

pending → ready | failed; failed → pending (the buyer's "Opnieuw proberen") or ready (a build
that was already running when the retry came in). Every change of StampedCopy.status goes through
stamped_copy_transition.
"""

from collections.abc import Mapping
from typing import Any

from studymarket.core.states import state_write
from studymarket.library.models import StampedCopy, StampedCopyStatus

# Each allowed transition and the audit action it records.
TRANSITIONS: dict[tuple[str, str], str] = {
    (StampedCopyStatus.PENDING, StampedCopyStatus.READY): "stamped_copy.ready",
    (StampedCopyStatus.PENDING, StampedCopyStatus.FAILED): "stamped_copy.failed",
    (StampedCopyStatus.FAILED, StampedCopyStatus.PENDING): "stamped_copy.retried",
    (StampedCopyStatus.FAILED, StampedCopyStatus.READY): "stamped_copy.ready",
}


def stamped_copy_transition(
    *, stamped_copy_id: int, status: str, changes: Mapping[str, Any] | None = None, **audit: Any
) -> tuple[StampedCopy, bool]:
    """Lock the copy, check that it may go from where it is to ``status``, write ``status`` and
    ``changes``, record the event. Returns the copy (current) and whether it moved: a copy
    already there, or one that cannot get there from where it is (a ready copy never fails), is
    left alone and the caller decides what that means. Inside the caller's transaction."""
    copy = StampedCopy.objects.select_for_update().get(pk=stamped_copy_id)
    action = TRANSITIONS.get((copy.status, status))
    if action is None:
        return copy, False
    return state_write(copy, status=status, action=action, changes=changes, **audit), True
