"""The seller's part of an erasure (erasure.py says what goes and what stays, and why)."""

import logging

from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.db.utils import IntegrityError

from studymarket.accounts.models import TRADER_FIELDS, SellerKind, SellerProfile
from studymarket.catalog.models import Follow, Listing, ListingStatus
from studymarket.core.page_cache import public_pages_changed
from studymarket.documents.models import Document, DocumentPage, DocumentVersion
from studymarket.ledger.models import Payout, PayoutBatch
from studymarket.notifications.services import notifications_seller_forget
from studymarket.privacy.scrub import text_scrub
from studymarket.search.indexing import search_index_later
from studymarket.selling.services import listing_unpublish
from studymarket.trust.models import Notice

logger = logging.getLogger(__name__)

Files = list[tuple[Storage, str]]

_REASON = "account verwijderd (AVG art. 17)"


def seller_erase(*, seller: SellerProfile, pseudonym: str, needles: list[str]) -> Files:
    """Take the seller's public face and payout details away; the listings offline. Returns the
    files to delete after the commit (the avatar, draft documents)."""
    files: Files = []
    listings = list(Listing.objects.filter(seller=seller).values_list("pk", "status"))
    for listing_id, status in listings:
        if status == ListingStatus.PUBLISHED:
            listing_unpublish(listing_id=listing_id, reason=_REASON)
    # Every listing once more: whatever its state, the index must no longer show this seller.
    search_index_later(listing_ids=[pk for pk, _ in listings])
    files += _drafts_delete(seller)
    Follow.objects.filter(seller=seller).delete()  # others following this seller
    notifications_seller_forget(seller_id=seller.pk, name=pseudonym)  # followers' bells named them
    for notice in Notice.objects.filter(listing__seller=seller):
        Notice.objects.filter(pk=notice.pk).update(
            explanation=text_scrub(notice.explanation, needles),
            seller_response=text_scrub(notice.seller_response, needles),
            decision_note=text_scrub(notice.decision_note, needles),
        )
    _payouts_anonymise(seller, needles)
    if seller.avatar:
        files.append((seller.avatar.storage, seller.avatar.name))
    seller.display_name = pseudonym
    seller.slug = pseudonym
    seller.bio = ""
    seller.avatar = ""
    seller.payout_account_holder = ""
    seller.payout_iban = ""
    seller.payout_bic = ""
    seller.mollie_organization_id = ""
    seller.seller_kind = SellerKind.PRIVATE
    for field in TRADER_FIELDS:
        setattr(seller, field, "")
    seller.trader_self_certified_at = None
    seller.save()
    public_pages_changed()  # no cached page may show the erased name, photo or details
    return files


def _payouts_anonymise(seller: SellerProfile, needles: list[str]) -> None:
    """Payouts keep amount, date and IBAN (the books' evidence of the payment), not the name. The
    SEPA files name the creditor as sepaxml wrote it: in ASCII, at most 70 characters."""
    # sepaxml's own transliteration (about 5 MB of tables): imported only for an erasure.
    from text_unidecode import unidecode  # type: ignore[import-untyped]

    payouts = Payout.objects.filter(seller=seller)
    holders = set(payouts.exclude(account_holder="").values_list("account_holder", flat=True))
    forms = {*needles, *holders}
    forms |= {unidecode(form)[:70] for form in list(forms)}
    batch_ids = set(payouts.exclude(batch=None).values_list("batch_id", flat=True))
    payouts.update(account_holder="")
    for batch in PayoutBatch.objects.filter(pk__in=batch_ids):
        cleaned = text_scrub(batch.document, forms)
        if cleaned != batch.document:
            PayoutBatch.objects.filter(pk=batch.pk).update(document=cleaned)


def _drafts_delete(seller: SellerProfile) -> Files:
    """Documents never on sale (draft listings, uploads never described) and their files. One
    that something else still points at (a rare originality match, a report) stays: it was
    never public, and its listing is offline anyway."""
    files: Files = []
    drafts = Document.objects.filter(seller=seller).filter(
        Q(listing__isnull=True) | Q(listing__status=ListingStatus.DRAFT)
    )
    for document in drafts:
        versions = DocumentVersion.objects.filter(document=document)
        found: Files = [(v.file.storage, v.file.name) for v in versions if v.file]
        for page in DocumentPage.objects.filter(version__document=document):
            found += [(f.storage, f.name) for f in (page.preview_image, page.thumbnail) if f]
        try:
            with transaction.atomic():
                Listing.objects.filter(document=document).delete()
                Document.objects.filter(pk=document.pk).update(current_version=None)
                document.delete()
        except (ProtectedError, IntegrityError):
            logger.info("Draft document %s of an erased seller is kept: it is referred to", document.pk)
            continue
        files += found
    return files
