"""The rights holder's e-mails about uploads that repeat their registered work: one when such
an upload is held, one with staff's decision. The uploader is not named (their identity is
theirs; the rights holder can report the listing once it is on sale).

Each at most once per match, as the receipt (orders.services.order_receipt_send): the match is
claimed (held_notified_at / decision_notified_at set) and committed before the mail server is
called; a failed send gives the claim back, so calling again sends it. Rights holders have no
stored language: their e-mails are in the site's (Dutch).
"""

import logging
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from studymarket.core.audit import audit_record
from studymarket.documents.models import RightsHolderMatch, VersionStatus

logger = logging.getLogger(__name__)

_DECIDED = (VersionStatus.ACCEPTED, VersionStatus.REJECTED)


def _message(template: str, match: RightsHolderMatch, extra: dict[str, object]) -> EmailMessage:
    work = match.work
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "work": work,
            "owner": work.owner,
            "percent": round(match.similarity * 100),
            "pages": ", ".join(str(number) for number in match.work_pages),
            "site_url": settings.SITE_URL,
            **extra,
        }
        subject = render_to_string(f"documents/emails/{template}_subject.txt", context).strip()
        body = render_to_string(f"documents/emails/{template}.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[work.owner.email])


def _send_once(
    match_id: int,
    field: str,
    ready: Callable[[RightsHolderMatch], bool],
    build: Callable[[RightsHolderMatch], EmailMessage],
    action: str,
) -> bool:
    with transaction.atomic():
        match = RightsHolderMatch.objects.select_for_update().get(pk=match_id)
        if getattr(match, field) is not None or not ready(match):
            return False
        claimed: datetime = timezone.now()
        setattr(match, field, claimed)
        match.save(update_fields=[field])
        audit_record(action=action, obj=match, work=match.work_id, version=match.version_id)
    match = RightsHolderMatch.objects.select_related("work__owner", "version").get(pk=match_id)
    try:
        build(match).send()
    except Exception:
        with transaction.atomic():
            RightsHolderMatch.objects.filter(pk=match_id, **{field: claimed}).update(**{field: None})
        raise
    return True


def _still_registered(match: RightsHolderMatch) -> bool:
    return match.work.removed_at is None and not match.work.owner.erased_at


def rights_holder_held_notify(*, version_id: int) -> int:
    """Tell each rights holder whose work the held version repeats; returns how many were told."""
    sent = 0
    for match_id in _match_ids(version_id):
        sent += _send_once(
            match_id,
            "held_notified_at",
            lambda match: match.version.status == VersionStatus.HELD_FOR_REVIEW and _still_registered(match),
            lambda match: _message("rights_held", match, {}),
            "rights_holder_match.held_notified",
        )
    return sent


def rights_holder_decision_notify(*, version_id: int, listing_url: str = "") -> int:
    """Tell each rights holder whose work the version repeats what staff decided (accepted or
    rejected); ``listing_url`` is the listing's page, where a published copy can be reported."""
    sent = 0
    for match_id in _match_ids(version_id):
        sent += _send_once(
            match_id,
            "decision_notified_at",
            # Also when the first e-mail never went out (the mail server was down then).
            lambda match: match.version.status in _DECIDED and _still_registered(match),
            lambda match: _message(
                "rights_decision",
                match,
                {"approved": match.version.status == VersionStatus.ACCEPTED, "listing_url": listing_url},
            ),
            "rights_holder_match.decision_notified",
        )
    return sent


def rights_holder_held_notify_quietly(*, version_id: int) -> None:
    """As rights_holder_held_notify, for the upload pipeline: a mail server that is down must not
    fail the processing of an upload that is held either way (the hold stands, the claim is
    given back, and the next call sends it)."""
    try:
        rights_holder_held_notify(version_id=version_id)
    except Exception:
        logger.exception("E-mailing the rights holders of held version %s failed", version_id)


def _match_ids(version_id: int) -> list[int]:
    return list(
        RightsHolderMatch.objects.filter(version_id=version_id).order_by("pk").values_list("pk", flat=True)
    )
