from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from studymarket.core.storage import private_storage
from studymarket.documents.models import Document, DocumentVersion


class Entitlement(models.Model):
    """A buyer's right to read and download one document (every version, the newest first).

    Granted once per paid order line, revoked by a refund; never deleted. The order line that
    paid for it points here (orders.OrderLine.entitlement, reverse name ``order_line``): orders
    sits above library, so the link is orders' to keep. The purchase facts library shows (on
    the stamp, in the file name, on "Mijn documenten") are copied in at grant time, as an order
    line copies the title, so library never reads an order.
    """

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="entitlements")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="entitlements")
    order_number = models.CharField(max_length=20)  # orders.Order.number
    # The language the buyer checked out in (orders.Order.language): the stamp is written in it.
    language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE)
    granted_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("toegangsrecht")
        verbose_name_plural = _("toegangsrechten")
        indexes = [models.Index(fields=["buyer", "document"])]

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def stamped_copy_path(instance: "StampedCopy", filename: str) -> str:
    return f"copies/{instance.entitlement.buyer_id}/{instance.version_id}/{instance.mark}.pdf"


class StampedCopyStatus(models.TextChoices):
    """pending → ready | failed, failed → pending (retry) | ready (library/states.py)."""

    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


class StampedCopy(models.Model):
    """The buyer's own PDF of one version: their name and order number on every page and an
    invisible per-order mark. Built once, in the background; served privately."""

    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="stamped_copies")
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="+")
    mark = models.CharField(max_length=32, unique=True)  # random hex; staff find the order from a leak
    status = models.CharField(
        max_length=10, choices=StampedCopyStatus.choices, default=StampedCopyStatus.PENDING
    )
    file = models.FileField(storage=private_storage, upload_to=stamped_copy_path, blank=True, max_length=300)
    size_bytes = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    built_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("gestempelde kopie")
        verbose_name_plural = _("gestempelde kopieën")
        constraints = [
            models.UniqueConstraint(fields=["entitlement", "version"], name="stamped_copy_once_per_version"),
        ]


class Download(models.Model):
    """Every download of a stamped copy (the satisfaction guarantee depends on it)."""

    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="downloads")
    stamped_copy = models.ForeignKey(StampedCopy, on_delete=models.PROTECT, related_name="downloads")
    downloaded_at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip_hash = models.CharField(max_length=32, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("download")
        verbose_name_plural = _("downloads")
        indexes = [models.Index(fields=["entitlement", "downloaded_at"])]
