import os

from django.db import models
from django.utils.translation import gettext_lazy as _

from studymarket.accounts.models import SellerProfile
from studymarket.core.models import TimeStampedModel
from studymarket.core.storage import private_storage, public_storage


class Document(TimeStampedModel):
    """A seller's work; its content lives in versions, the newest of which buyers get."""

    seller = models.ForeignKey(SellerProfile, on_delete=models.PROTECT, related_name="documents")
    current_version = models.OneToOneField(
        "DocumentVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documenten")

    def __str__(self) -> str:
        return f"Document {self.pk}"


_STORED_SUFFIXES = (".pdf", ".docx", ".odt")


def version_file_path(instance: "DocumentVersion", filename: str) -> str:
    # The seller's file name is never used on disk: it may be hostile (../../etc/passwd.pdf).
    # ``filename`` is ours ("upload.docx", "converted.pdf") and gives only the kind of file.
    suffix = os.path.splitext(filename)[1].lower()
    if suffix not in _STORED_SUFFIXES:
        suffix = ".pdf"
    return f"documents/{instance.document_id}/{instance.sha256}{suffix}"


class VersionStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Geüpload")
    PROCESSING = "processing", _("Wordt verwerkt")
    # Processed and found fit to sell: the version buyers get. Whether it is on sale is the
    # listing's status. (The label is still the one the seller knows.)
    ACCEPTED = "accepted", _("Gepubliceerd")
    HELD_FOR_REVIEW = "held_for_review", _("Wacht op controle")
    REJECTED = "rejected", _("Geweigerd")
    FAILED = "failed", _("Mislukt")


class DocumentVersion(TimeStampedModel):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    file = models.FileField(storage=private_storage, upload_to=version_file_path, max_length=300)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size_bytes = models.PositiveBigIntegerField()
    page_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=VersionStatus.choices, default=VersionStatus.UPLOADED)
    status_reason = models.TextField(blank=True)
    # Why a version was rejected or failed, as a code from documents/rejections.py (the text
    # shown is translated when shown, in the reader's language) and its parameters.
    reason_code = models.CharField(max_length=40, blank=True)
    reason_params = models.JSONField(default=dict, blank=True)
    # The file as the seller sent it, when it was converted to PDF (.docx, .odt).
    source_format = models.CharField(max_length=10, default="pdf")
    # Progress, for "Pagina 37 van 102 verwerkt…" and for finding work a killed worker left.
    pages_processed = models.PositiveIntegerField(default=0)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    # The quality card.
    word_count = models.PositiveIntegerField(default=0)
    language = models.CharField(max_length=8, blank=True)
    scanned_page_count = models.PositiveIntegerField(default=0)
    toc_source = models.CharField(max_length=10, blank=True)  # "outline" | "headings" | ""
    # Originality: the hash of the normalised text (exact copies) and a MinHash signature
    # (near-duplicates), see documents/originality.py.
    text_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    minhash = models.BinaryField(null=True, blank=True)

    class Meta:
        verbose_name = _("documentversie")
        verbose_name_plural = _("documentversies")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


def preview_image_path(instance: "DocumentPage", filename: str) -> str:
    return f"previews/{instance.version.document_id}/{instance.version_id}/{filename}"


class DocumentPage(models.Model):
    """One page of a version: its text (for search and the quality card) and, for
    preview pages, the rendered image shown before purchase."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    word_count = models.PositiveIntegerField(default=0)
    preview_image = models.ImageField(
        storage=public_storage, upload_to=preview_image_path, blank=True, max_length=300
    )
    preview_width = models.PositiveSmallIntegerField(default=0)
    preview_height = models.PositiveSmallIntegerField(default=0)
    # A small image of every page for the page strip; pages after the preview are blurred.
    thumbnail = models.ImageField(
        storage=public_storage, upload_to=preview_image_path, blank=True, max_length=300
    )
    thumbnail_blurred = models.BooleanField(default=False)
    has_images = models.BooleanField(default=False)
    is_scanned = models.BooleanField(default=False)  # images but (almost) no text layer

    class Meta:
        verbose_name = _("documentpagina")
        verbose_name_plural = _("documentpagina's")
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="document_page_unique")]


class TocEntry(models.Model):
    """A line of the table of contents, shown before purchase."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="toc_entries")
    position = models.PositiveIntegerField()
    level = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=300)
    page_number = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("regel van de inhoudsopgave")
        verbose_name_plural = _("regels van de inhoudsopgave")
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "position"], name="toc_position_unique")]


class FingerprintBand(models.Model):
    """One LSH band of a version's MinHash: versions sharing a band are candidates for a
    near-duplicate comparison, found with an indexed lookup instead of a scan of all versions."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="fingerprint_bands")
    band = models.PositiveSmallIntegerField()
    digest = models.BigIntegerField()

    class Meta:
        verbose_name = _("vingerafdrukband")
        verbose_name_plural = _("vingerafdrukbanden")
        indexes = [models.Index(fields=["band", "digest"])]
        constraints = [models.UniqueConstraint(fields=["version", "band"], name="fingerprint_band_unique")]


class MatchKind(models.TextChoices):
    EXACT = "exact", _("Exacte kopie")
    NEAR = "near", _("Bijna gelijk")


class OriginalityMatch(models.Model):
    """A newer version that overlaps an earlier one on the platform; staff review it."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="originality_matches")
    earlier_version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=MatchKind.choices)
    # Estimated Jaccard similarity of word shingles, 0..1 (a measurement, not money).
    similarity = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("overeenkomst met een ander document")
        verbose_name_plural = _("overeenkomsten met andere documenten")
        ordering = ["-similarity"]
        constraints = [
            models.UniqueConstraint(fields=["version", "earlier_version"], name="originality_match_unique"),
        ]


class RightsHolderWork(models.Model):
    """Material a rights holder (a lecturer, a publisher) registered as their own, so that
    uploads copying it are held for review. Only fingerprints are kept: the file and its text
    are gone once these are made (documents/rights_holders.py)."""

    owner = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="rights_holder_works")
    title = models.CharField(_("titel"), max_length=200)
    page_count = models.PositiveIntegerField(default=0)
    # The SHA-256 of the file as sent: the same file registered twice is one work.
    sha256 = models.CharField(max_length=64)
    shingle_count = models.PositiveIntegerField(default=0)
    # The MinHash of the whole text (originality.signature); None for a text too short to compare.
    signature = models.BinaryField(null=True, blank=True)
    # Which fingerprinting made these (rights_holders.fingerprint_scheme): after originality.py's
    # parameters change, a work's fingerprints no longer compare and it must be registered again.
    scheme = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Withdrawn by its owner: its fingerprints are deleted, the row stays for the matches made.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("beschermd werk")
        verbose_name_plural = _("beschermde werken")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "sha256"],
                condition=models.Q(removed_at__isnull=True),
                name="rights_holder_work_unique_file",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RightsHolderPage(models.Model):
    """The shingle hashes of one page of a registered work: sorted unsigned 64-bit integers,
    little-endian, packed (8 bytes a shingle). Enough to tell which of a work's pages an
    upload repeats and to mark the passages in the upload, without the work's words."""

    work = models.ForeignKey(RightsHolderWork, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()
    shingle_hashes = models.BinaryField()

    class Meta:
        verbose_name = _("pagina van een beschermd werk")
        verbose_name_plural = _("pagina's van beschermde werken")
        ordering = ["work", "number"]
        constraints = [
            models.UniqueConstraint(fields=["work", "number"], name="rights_holder_page_unique"),
        ]


class RightsHolderBand(models.Model):
    """One LSH band of a registered work's MinHash: of the whole work (page 0) or of one of its
    pages. An upload sharing a band with a work is compared with it page by page."""

    work = models.ForeignKey(RightsHolderWork, on_delete=models.CASCADE, related_name="bands")
    page = models.PositiveIntegerField()  # 0: the whole work
    band = models.PositiveSmallIntegerField()
    digest = models.BigIntegerField()

    class Meta:
        verbose_name = _("vingerafdrukband van een beschermd werk")
        verbose_name_plural = _("vingerafdrukbanden van beschermde werken")
        indexes = [models.Index(fields=["digest"], name="rights_holder_band_digest")]
        constraints = [
            models.UniqueConstraint(fields=["work", "page", "band"], name="rights_holder_band_unique"),
        ]


class RightsHolderMatch(models.Model):
    """An upload that repeats a registered work; the upload is held for staff review."""

    version = models.ForeignKey(
        DocumentVersion, on_delete=models.CASCADE, related_name="rights_holder_matches"
    )
    work = models.ForeignKey(RightsHolderWork, on_delete=models.CASCADE, related_name="matches")
    # Shared shingles over the smaller of the two texts, 0..1 (a measurement, not money).
    similarity = models.FloatField()
    # The work's pages the upload repeats, and the upload's pages that repeat them.
    work_pages = models.JSONField(default=list)
    upload_pages = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    # The rights holder's e-mails, each sent at most once (claimed before sending).
    held_notified_at = models.DateTimeField(null=True, blank=True)
    decision_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("overeenkomst met een beschermd werk")
        verbose_name_plural = _("overeenkomsten met beschermde werken")
        ordering = ["-similarity", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "work"], name="rights_holder_match_unique"),
        ]
