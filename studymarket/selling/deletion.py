"""A seller deletes a refused draft: an upload that never went through (every version refused),
so nothing of it was ever on sale. What must never be lost stays out of reach: a document with
an accepted version, a listing with an order line, an entitlement or a notice is refused
(ApplicationError), and the database's PROTECT foreign keys (orders.OrderLine.listing,
library.Entitlement.document, trust's notices) stand behind that check. The audit event keeps
what was deleted; the stored files (upload, pages, previews) go after the commit."""

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.models import Listing
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.documents.models import (
    Document,
    DocumentVersion,
    OriginalityMatch,
    RightsHolderMatch,
    VersionStatus,
)
from studymarket.documents.pages import version_files_discard
from studymarket.library.models import Entitlement
from studymarket.orders.models import OrderLine


def document_delete_refusal(
    *, document: Document, versions: list[DocumentVersion] | None = None
) -> str | None:
    """Why this document may not be deleted (translated), or None for a refused draft.
    ``versions``: its versions if already read."""
    if versions is None:
        versions = list(document.versions.all())
    if document.current_version_id is not None or any(v.status == VersionStatus.ACCEPTED for v in versions):
        return _(
            "Dit document is verwerkt en staat of stond online: je kunt het offline halen, niet verwijderen."
        )
    if not versions or any(v.status != VersionStatus.REJECTED for v in versions):
        return _("Alleen een geweigerde upload kun je verwijderen.")
    if (
        OrderLine.objects.filter(listing__document=document).exists()
        or Listing.objects.filter(document=document, sold_count__gt=0).exists()
        or Entitlement.objects.filter(document=document).exists()
    ):
        return _("Van dit document is iets verkocht: het blijft bewaard.")
    # Evidence in someone else's case: a rights holder's match, or another upload compared with it.
    if (
        RightsHolderMatch.objects.filter(version__document=document).exists()
        or OriginalityMatch.objects.filter(earlier_version__document=document).exists()
    ):
        return _("Dit document hoort bij een controle door ons team: het blijft bewaard.")
    return None


def document_delete(*, seller: SellerProfile, document_id: int) -> None:
    """Delete the seller's refused draft (its versions, their files, a draft listing of it).
    Raises Document.DoesNotExist for a document that is not theirs (or gone: deleting twice
    is a 404, not a crash), ApplicationError when it may not be deleted."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id, seller=seller)
        versions = list(document.versions.order_by("-number"))
        refusal = document_delete_refusal(document=document, versions=versions)
        if refusal is not None:
            raise ApplicationError(refusal)
        listing = Listing.objects.filter(document=document).first()
        audit_record(
            action="document.deleted",
            obj=document,
            actor=seller.user,
            versions=[
                {"number": v.number, "sha256": v.sha256, "reason": v.reason_code, "name": v.original_name}
                for v in versions
            ],
            listing_id=listing.pk if listing else None,
        )
        for version in versions:
            version_files_discard(version=version)
        try:
            if listing is not None:
                listing.delete()  # a draft that never went on sale: no page, no index entry
            DocumentVersion.objects.filter(document=document).delete()
            document.delete()
        except ProtectedError:
            raise ApplicationError(_("Van dit document is iets verkocht: het blijft bewaard.")) from None
