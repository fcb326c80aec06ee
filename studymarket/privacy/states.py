"""The data export state machine (docs/state-machines.md, "Data export").

pending → ready | failed; ready → expired (its file deleted after PRIVACY_EXPORT_DAYS, or when
the account is erased); failed → expired (cleared away likewise). Every change of
DataExport.status goes through data_export_transition.
"""

from collections.abc import Mapping
from typing import Any

from studymarket.core.states import state_write
from studymarket.privacy.models import DataExport, DataExportStatus

S = DataExportStatus

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.PENDING, S.READY): "data_export.ready",
    (S.PENDING, S.FAILED): "data_export.failed",
    (S.READY, S.EXPIRED): "data_export.expired",
    (S.FAILED, S.EXPIRED): "data_export.expired",
}


def data_export_transition(
    *, export_id: int, status: str, changes: Mapping[str, Any] | None = None, **audit: Any
) -> tuple[DataExport, bool]:
    """Lock the export, move it to ``status`` if the table allows it from where it is, record the
    event. Returns the export and whether it moved ("already there" is quiet). Inside the
    caller's transaction."""
    export = DataExport.objects.select_for_update().get(pk=export_id)
    action = TRANSITIONS.get((export.status, status))
    if action is None:
        return export, False
    return state_write(export, status=status, action=action, changes=changes, **audit), True
