from typing import Any

from django.db import models

from studymarket.core.models import AuditEvent


def audit_record(*, action: str, obj: models.Model, actor: Any = None, **data: Any) -> AuditEvent:
    """Record a state change; call inside the transaction that makes the change."""
    return AuditEvent.objects.create(
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        data=data,
    )
