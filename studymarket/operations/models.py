"""What the running site records about itself (issue 18)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last time a worker ran the heartbeat task of a queue (operations.heartbeat): proof
    that the queue's tasks are being taken, and by whom. One row per queue, overwritten."""

    queue_name = models.CharField(_("wachtrij"), max_length=32, unique=True)
    worker_id = models.CharField(_("werker"), max_length=64, blank=True)
    beat_at = models.DateTimeField(_("laatste hartslag"))

    class Meta:
        verbose_name = _("hartslag van een werker")
        verbose_name_plural = _("hartslagen van werkers")

    def __str__(self) -> str:
        return f"{self.queue_name}: {self.worker_id} {self.beat_at:%Y-%m-%d %H:%M:%S}"
