from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from studymarket.core.storage import private_storage


def data_export_path(instance: "DataExport", filename: str) -> str:
    # A random part in the name: the file is private anyway, but a guessed path finds nothing.
    return f"privacy/exports/{instance.user_id}/{instance.token}.zip"


class DataExportStatus(models.TextChoices):
    """pending → ready | failed; ready → expired (privacy/states.py)."""

    PENDING = "pending", _("Wordt gemaakt")
    READY = "ready", _("Klaar om te downloaden")
    FAILED = "failed", _("Mislukt")
    EXPIRED = "expired", _("Verlopen")


class DataExport(models.Model):
    """A person's copy of their data (GDPR arts 15 and 20): a ZIP of JSON files, built in the
    background, kept privately for PRIVACY_EXPORT_DAYS and downloadable only by that person;
    then its file is deleted and the row says "expired"."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    token = models.CharField(max_length=32, unique=True)
    status = models.CharField(
        max_length=10, choices=DataExportStatus.choices, default=DataExportStatus.PENDING
    )
    file = models.FileField(storage=private_storage, upload_to=data_export_path, blank=True, max_length=300)
    size_bytes = models.PositiveBigIntegerField(default=0)
    requested_at = models.DateTimeField(db_index=True)
    built_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # The language the person asked in: the e-mail and the README are written in it.
    language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE)

    class Meta:
        verbose_name = _("gegevensexport")
        verbose_name_plural = _("gegevensexports")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One export being made at a time per person (the rate limit: a second request
            # while one is pending finds that one).
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="privacy_one_pending_export"
            ),
        ]

    def __str__(self) -> str:
        return f"data export {self.pk} {self.status}"


class RetainedTraderRecord(models.Model):
    """A business seller's trader information (DSA art. 30(1)), kept after their account was
    erased because art. 30(3) says to store it for six months after the relationship ends, and
    then to delete it (privacy.erasure.trader_records_purge). Apart from the seller profile it
    came from, so nothing shown anywhere reads it; staff only, on a legal request."""

    seller_profile_id = models.BigIntegerField(db_index=True)  # the erased accounts.SellerProfile
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    retained_until = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("bewaard handelaarsgegeven")
        verbose_name_plural = _("bewaarde handelaarsgegevens")

    def __str__(self) -> str:
        return f"trader record of seller {self.seller_profile_id}"
