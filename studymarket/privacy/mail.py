"""The e-mails of the data rights: the export is ready, confirm the erasure, the account is gone.
Each sent directly, never through a task: a queued task keeps its arguments in the task table,
and the last one goes to an address that must not be stored anywhere after the erasure."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from studymarket.accounts.models import User
from studymarket.privacy.models import DataExport, DataExportStatus


def _absolute(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def _send(template: str, context: Mapping[str, Any], *, to: str, language: str) -> None:
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"privacy/emails/{template}_subject.txt", context).split())
        body = render_to_string(f"privacy/emails/{template}.txt", context)
    send_mail(subject, body, None, [to])


def data_export_ready_mail_send(*, export_id: int) -> bool:
    """ "Je gegevens staan klaar", at most once per export (claimed before it is sent: a second
    mail is worse than none, the page shows the export too). True if this call sent it."""
    with transaction.atomic():
        claimed = DataExport.objects.filter(
            pk=export_id, status=DataExportStatus.READY, mailed_at__isnull=True
        ).update(mailed_at=timezone.now())
    if not claimed:
        return False
    export = DataExport.objects.select_related("user").get(pk=export_id)
    with translation.override(export.language):
        url = _absolute(reverse("privacy:export_download", kwargs={"token": export.token}))
    context = {
        "user": export.user,
        "export": export,
        "download_url": url,
        "days": settings.PRIVACY_EXPORT_DAYS,
    }
    _send("export_ready", context, to=export.user.email, language=export.language)
    return True


def erasure_link_mail_send(*, user: User, token: str, language: str) -> None:
    """The signed link that confirms "Account verwijderen"."""
    with translation.override(language or settings.LANGUAGE_CODE):
        url = _absolute(reverse("privacy:erase_confirm", kwargs={"token": token}))
    context = {"user": user, "confirm_url": url, "hours": settings.PRIVACY_ERASURE_LINK_HOURS}
    _send("erasure_confirm", context, to=user.email, language=language)


def erased_mail_send(*, address: str, language: str) -> None:
    """The last e-mail to the old address: the account is gone, and what was kept."""
    _send("erased", {"operator_email": settings.OPERATOR_EMAIL}, to=address, language=language)
