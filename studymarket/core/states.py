"""The step every table-driven state machine ends with (docs/state-machines.md).

Each machine keeps its own table, lock and check (orders/states.py, library/states.py,
payments/refunds/state.py: their rows lock differently, a refund under its payment's row); once
the table allows the step, writing it is the same everywhere, so it is written once, here.
"""

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models

from studymarket.core.audit import audit_record
from studymarket.core.models import TimeStampedModel

M = TypeVar("M", bound=models.Model)


def state_write(
    row: M,
    *,
    status: str,
    action: str,
    changes: Mapping[str, Any] | None = None,
    actor: Any = None,
    **audit: Any,
) -> M:
    """Set ``row.status`` and ``changes``, save just those fields, record ``action`` in the audit
    log with ``audit``. The caller holds the row's lock and has checked its table; in the
    caller's transaction."""
    changes = dict(changes or {})
    row.status = status  # type: ignore[attr-defined]
    for field, value in changes.items():
        setattr(row, field, value)
    fields = ["status", *changes]
    if isinstance(row, TimeStampedModel):
        fields.append("updated_at")
    row.save(update_fields=fields)
    audit_record(action=action, obj=row, actor=actor, **audit)
    return row
