"""The document version's state machine (docs/state-machines.md): one function moves a version,
under a row lock, from the states the table allows; "already there" returns quietly."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from studymarket.core.audit import audit_record
from studymarket.core.page_cache import public_pages_changed
from studymarket.documents.models import Document, DocumentVersion, VersionStatus
from studymarket.documents.reasons import Reason

S = VersionStatus

# To a state (key) from these states.
ALLOWED: dict[str, frozenset[str]] = {
    # The pipeline claims a new upload, or retries a failed one.
    S.PROCESSING: frozenset({S.UPLOADED, S.FAILED}),
    # Processing found it original; staff approved it; or, from uploaded, a version the platform
    # processed itself (demo data) is accepted with its listing (selling.services.listing_publish).
    S.ACCEPTED: frozenset({S.PROCESSING, S.HELD_FOR_REVIEW, S.UPLOADED}),
    S.HELD_FOR_REVIEW: frozenset({S.PROCESSING}),
    S.REJECTED: frozenset({S.PROCESSING, S.HELD_FOR_REVIEW}),
    # The platform's fault (a killed worker, an error of ours): may be retried.
    S.FAILED: frozenset({S.PROCESSING}),
}


def document_version_transition(
    *,
    version_id: int,
    to: VersionStatus,
    reason: Reason | None = None,
    params: dict[str, Any] | None = None,
    actor: Any = None,
) -> tuple[DocumentVersion, bool]:
    """Move the version to ``to`` if the table allows it from where it is.

    Returns the version as it now is and whether it moved. Not moving is no error: the
    version is already there, or another worker or staff member moved it first. What follows
    from an accepted version (its listing going on sale) is the caller's: selling calls it.
    """
    with transaction.atomic():
        version = DocumentVersion.objects.select_for_update().get(pk=version_id)
        before = version.status
        if before == to or before not in ALLOWED[to]:
            return version, False
        now = timezone.now()
        version.status = to
        version.reason_code = reason.value if reason else ""
        version.reason_params = params or {}
        fields = ["status", "reason_code", "reason_params", "updated_at"]
        if to == S.PROCESSING:
            version.attempts += 1
            version.pages_processed = 0
            version.processing_started_at = version.heartbeat_at = now
            fields += ["attempts", "pages_processed", "processing_started_at", "heartbeat_at"]
        elif before == S.PROCESSING:
            version.processed_at = now
            fields.append("processed_at")
        version.save(update_fields=fields)
        if to == S.ACCEPTED:
            _current_version_update(document_id=version.document_id)
        audit_record(
            action=f"document_version.{to}",
            obj=version,
            actor=actor,
            before=before,
            reason=version.reason_code,
            **({"params": version.reason_params} if version.reason_params else {}),
        )
    return version, True


def _current_version_update(*, document_id: int) -> None:
    # Buyers get the newest accepted version; approving an older one does not replace a newer.
    document = Document.objects.select_for_update().get(pk=document_id)
    newest = (
        document.versions.filter(status=S.ACCEPTED).order_by("-number").values_list("pk", flat=True).first()
    )
    if newest is not None and document.current_version_id != newest:
        document.current_version_id = newest
        document.save(update_fields=["current_version", "updated_at"])
        public_pages_changed()  # the listing's page shows the new version's facts and pages
