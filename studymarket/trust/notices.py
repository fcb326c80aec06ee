"""Receiving a notice (DSA art. 16): anyone, with or without an account, reports a listing;
they get a receipt at once and staff a deadline to decide by."""

import secrets
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from studymarket.accounts.models import User
from studymarket.catalog.models import Listing
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.trust.emails import mail_after_commit, notice_receipt_message
from studymarket.trust.models import NOTICE_OPEN, Notice, NoticeKind
from studymarket.trust.strikes import reporter_may_report

_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone
EXPLANATION_MAX = 5000
# The same report sent twice within this time (a double click, a resubmitted form) is one notice.
_DUPLICATE_WINDOW = timedelta(minutes=30)


class NoticeRefused(ApplicationError):
    """The notice is not taken; the message says why and what the reporter can do."""


def _notice_number() -> str:
    return "M-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))


def notice_deadline(*, kind: str, received_at: datetime) -> datetime:
    """When staff should have decided: TRUST_NOTICE_DEADLINE_HOURS after receipt, sooner
    (TRUST_NOTICE_DEADLINE_HOURS_ILLEGAL) for other illegal content, which may harm people."""
    hours = (
        settings.TRUST_NOTICE_DEADLINE_HOURS_ILLEGAL
        if kind == NoticeKind.ILLEGAL
        else settings.TRUST_NOTICE_DEADLINE_HOURS
    )
    return received_at + timedelta(hours=hours)


def reporter_suspended(*, user: User | None, email: str) -> bool:
    """Whether this reporter may not file notices now (DSA art. 23(2)): their account is
    suspended, or their address or account is, by the repeat-offender rules (trust/strikes.py)."""
    if user is not None and user.suspended_until is not None and user.suspended_until > timezone.now():
        return True
    return not reporter_may_report(email, user)


def notice_create(
    *,
    listing: Listing,
    kind: str,
    explanation: str,
    location: str,
    reporter_name: str,
    reporter_email: str,
    good_faith: bool,
    reporter: User | None = None,
    language: str | None = None,
) -> Notice:
    """Take a notice about ``listing`` and e-mail the reporter a receipt (after the commit).
    The same report sent again soon after returns the first one. Raises NoticeRefused."""
    explanation = explanation.strip()
    reporter_email = reporter_email.strip().lower()
    if kind not in NoticeKind.values:
        raise NoticeRefused(_("Kies wat er aan de hand is met dit document."))
    if not explanation:
        raise NoticeRefused(_("Leg uit waarom dit document niet op studymarket hoort."))
    if len(explanation) > EXPLANATION_MAX:
        raise NoticeRefused(_("Je toelichting is te lang: houd het onder de 5000 tekens."))
    if not good_faith:
        raise NoticeRefused(
            _("Verklaar dat je melding te goeder trouw is en dat wat je schrijft volgens jou klopt.")
        )
    if reporter is not None and not reporter.is_authenticated:
        reporter = None
    if reporter_suspended(user=reporter, email=reporter_email):
        raise NoticeRefused(
            _(
                "Je kunt tijdelijk geen meldingen doen, omdat eerdere meldingen van jou kennelijk "
                "ongegrond waren. Je hebt daarover een e-mail met de reden en de duur gekregen."
            )
        )
    with transaction.atomic():
        # The listing's row orders two identical reports sent at once: the second finds the first.
        Listing.objects.select_for_update().only("pk").get(pk=listing.pk)
        earlier = Notice.objects.filter(
            listing_id=listing.pk,
            reporter_email=reporter_email,
            kind=kind,
            explanation=explanation,
            status__in=NOTICE_OPEN,
            created_at__gte=timezone.now() - _DUPLICATE_WINDOW,
        ).first()
        if earlier is not None:
            return earlier
        received_at = timezone.now()
        notice = Notice.objects.create(
            number=_notice_number(),
            listing=listing,
            location=location.strip(),
            kind=kind,
            explanation=explanation,
            reporter=reporter,
            reporter_name=reporter_name.strip(),
            reporter_email=reporter_email,
            good_faith=True,
            deadline_at=notice_deadline(kind=kind, received_at=received_at),
            language=language or settings.LANGUAGE_CODE,
        )
        # No name or address in the audit data: the notice row holds them, and erasure finds them there.
        audit_record(action="notice.received", obj=notice, actor=reporter, kind=kind, listing=listing.pk)
        mail_after_commit(partial(notice_receipt_message, notice.pk))
    return notice
