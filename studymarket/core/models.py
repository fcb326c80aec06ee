from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("bijgewerkt"), auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One state change or staff action; written in the same transaction as the change."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("auditgebeurtenis")
        verbose_name_plural = _("auditgebeurtenissen")
        indexes = [models.Index(fields=["object_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.object_type}#{self.object_id} {self.action}"


class ClockOffset(models.Model):
    """How far `manage.py clock_advance` moved the application's clock (core.clock). One row at
    most; only read when settings.CLOCK_ADJUSTABLE (never in production)."""

    seconds = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("klokverschuiving")
        verbose_name_plural = _("klokverschuivingen")
