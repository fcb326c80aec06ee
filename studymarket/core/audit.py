from typing import Any

from django.db import models

from studymarket.core.models import AuditEvent
from studymarket.core.security_log import security_event


def audit_record(*, action: str, obj: models.Model, actor: Any = None, **data: Any) -> AuditEvent:
    """Record a state change; call inside the transaction that makes the change. A staff member's
    change also gets a security-log line, written only once the change is committed."""
    if getattr(actor, "is_staff", False):
        security_event(
            "staff_action",
            user_id=actor.pk,
            on_commit=True,
            action=action,
            object=f"{obj._meta.label_lower}:{obj.pk}",
        )
    return AuditEvent.objects.create(
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        data=data,
    )
