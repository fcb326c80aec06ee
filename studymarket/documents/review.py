"""Staff decide on uploads held for review (near-duplicates, see originality.py)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from studymarket.accounts.models import User
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.documents.models import DocumentVersion, VersionStatus
from studymarket.documents.pages import version_files_discard
from studymarket.documents.reasons import Reason
from studymarket.documents.transitions import document_version_transition


def document_version_review(
    *, version_id: int, staff_user: User, approve: bool, note: str
) -> DocumentVersion:
    """held_for_review → accepted (approve) or rejected, with the note as the seller's reason.

    Deciding again the same way returns quietly (a double click, a retried request); a version
    that is not held, or was decided the other way, is an error. Accepting makes the version
    the one buyers get; putting its listing on sale is the caller's (selling.services.held_upload_decide).
    """
    if not staff_user.is_staff:
        raise PermissionDenied
    note = note.strip()
    if not approve and not note:
        raise ApplicationError(_("Schrijf bij het weigeren de reden op; de verkoper krijgt die te zien."))
    target = VersionStatus.ACCEPTED if approve else VersionStatus.REJECTED
    with transaction.atomic():
        # Checked here under the lock: the transition table also lets the pipeline accept or
        # reject a version it is processing, and staff decide only on held ones.
        locked = DocumentVersion.objects.select_for_update().values_list("status", flat=True)
        status = locked.get(pk=version_id)
        if status == target:
            return DocumentVersion.objects.get(pk=version_id)
        if status != VersionStatus.HELD_FOR_REVIEW:
            raise ApplicationError(_("Deze upload wacht niet op controle."))
        version, _moved = document_version_transition(
            version_id=version_id,
            to=target,
            reason=None if approve else Reason.REJECTED_BY_STAFF,
            params=None if approve else {"note": note},
            actor=staff_user,
        )
        audit_record(
            action="document_version.reviewed", obj=version, actor=staff_user, approved=approve, note=note
        )
    if not approve:
        # As with every refused upload, the file and what was made from it go; the row, the
        # reason and the originality matches stay.
        version_files_discard(version=version)
    return version
