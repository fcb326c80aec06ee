"""Staff decisions on held uploads, with what follows them outside selling's service: the
rights holders whose work the upload repeats hear the decision (documents.rights_mail), by a
task queued after the decision is committed."""

from django.conf import settings
from django.db import transaction

from studymarket.accounts.models import User
from studymarket.catalog.models import Listing
from studymarket.documents.models import DocumentVersion, RightsHolderMatch
from studymarket.selling.services import held_upload_decide
from studymarket.support.tasks import rights_holder_decision_notify_task


def held_upload_moderate(*, version_id: int, staff_user: User, approve: bool, note: str) -> DocumentVersion:
    """selling.services.held_upload_decide, then (after the commit) the rights holders' e-mail.
    Deciding again the same way is harmless: the e-mail goes once per match."""
    version = held_upload_decide(version_id=version_id, staff_user=staff_user, approve=approve, note=note)
    if RightsHolderMatch.objects.filter(version_id=version.pk, decision_notified_at__isnull=True).exists():
        listing_url = _listing_url(version) if approve else ""
        transaction.on_commit(lambda: _notify_enqueue(version.pk, listing_url))
    return version


def _listing_url(version: DocumentVersion) -> str:
    listing = Listing.objects.filter(document_id=version.document_id).first()
    return str(settings.SITE_URL).rstrip("/") + listing.get_absolute_url() if listing is not None else ""


def _notify_enqueue(version_id: int, listing_url: str) -> None:
    rights_holder_decision_notify_task.enqueue(version_id, listing_url)
