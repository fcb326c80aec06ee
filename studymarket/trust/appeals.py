"""Appeals against our decisions (DSA art. 20): free, electronic, inside the site, open for
TRUST_APPEAL_MONTHS after the person was told of the decision, decided by a person — and by
another staff member than the one who took the decision.

Who appeals what:
- a seller, against a statement of reasons (a takedown, a removal, a suspension), signed in,
  from the link in the statement's e-mail ("trust:appeal_create");
- a reporter, against the decision on their notice (not upheld, or manifestly unfounded),
  from a signed link in the decision e-mail, no account needed ("trust:notice_appeal_create":
  the path converter in appeal_urls.py signs the notice's number, so every link reversed to
  it carries the signature).

One appeal per statement, and one per notice for its reporter: sending it again returns the
first. The appeal's state table (docs/state-machines.md, "Appeal"):

    open → granted | rejected

Granting reverses the decision: a takedown is undone through trust-core's notice_restore (the
notice decided as not upheld, the listing back, reporter and seller told); a removal's listing
comes back and its strike no longer counts; a suspension is lifted; a reporter's unfounded
strike no longer counts and their notice is taken up again as a new notice. Either way the
appellant gets the reasons and the out-of-court option (art. 21).
"""

import calendar
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from studymarket.accounts.models import User
from studymarket.catalog.models import ListingStatus
from studymarket.catalog.states import RESTORABLE, listing_restore
from studymarket.core import clock
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.core.models import AuditEvent
from studymarket.core.states import state_write
from studymarket.search.indexing import search_index_later
from studymarket.trust.decisions import notice_restore
from studymarket.trust.emails import mail_after_commit, render_message, site_url
from studymarket.trust.models import (
    NOTICE_OPEN,
    Appeal,
    AppealStatus,
    Measure,
    Notice,
    NoticeStatus,
    StatementOfReasons,
    Strike,
    StrikeKind,
)
from studymarket.trust.notices import notice_create
from studymarket.trust.strikes import seller_suspension_lift, strike_void

TEXT_MAX = 5000
_SALT = "trust.notice-appeal"

# Each allowed transition and the audit action it records.
TRANSITIONS: dict[tuple[str, str], str] = {
    (AppealStatus.OPEN, AppealStatus.GRANTED): "appeal.granted",
    (AppealStatus.OPEN, AppealStatus.REJECTED): "appeal.rejected",
}
# The decisions on a notice a reporter may contest: those that went against their notice.
REPORTER_CONTESTABLE = frozenset({NoticeStatus.RESTORED, NoticeStatus.UNFOUNDED})


class AppealRefused(ApplicationError):
    """The appeal cannot be filed or decided; the message says why and what to do."""


# ---------------------------------------------------------------------------------------------
# The reporter's signed link


def notice_appeal_token(number: str) -> str:
    """The notice number, signed: the reporter's link needs no account and cannot be guessed."""
    return signing.Signer(salt=_SALT).sign(number)


def notice_appeal_number(token: str) -> str:
    """The notice number from a token; ValueError if the signature does not hold."""
    try:
        return signing.Signer(salt=_SALT).unsign(token)
    except signing.BadSignature as bad:
        raise ValueError("bad signature") from bad


# ---------------------------------------------------------------------------------------------
# Reads


def appeal_deadline(informed_at: datetime) -> datetime:
    """TRUST_APPEAL_MONTHS calendar months after ``informed_at``, on the same day of the month in
    the platform's time zone (the month's last day where it is shorter: 31 August → 28 February)."""
    local = timezone.localtime(informed_at)
    months = local.month - 1 + int(settings.TRUST_APPEAL_MONTHS)
    year, month = local.year + months // 12, months % 12 + 1
    return local.replace(year=year, month=month, day=min(local.day, calendar.monthrange(year, month)[1]))


def statement_informed_at(statement: StatementOfReasons) -> datetime:
    return statement.sent_at or statement.created_at


def notice_informed_at(notice: Notice) -> datetime | None:
    return notice.decided_at


def appeal_of_statement(statement: StatementOfReasons) -> Appeal | None:
    return Appeal.objects.filter(statement=statement).order_by("pk").first()


def appeal_of_notice(notice: Notice) -> Appeal | None:
    """The reporter's appeal against the decision on their notice."""
    return Appeal.objects.filter(notice=notice, statement__isnull=True).order_by("pk").first()


def contested_deciders(appeal: Appeal) -> set[int]:
    """The staff who took the decision this appeal contests: none of them may decide it."""
    ids: set[int | None] = set()
    if appeal.statement_id is not None:
        statement = appeal.statement
        assert statement is not None
        ids.update(
            AuditEvent.objects.filter(
                action="statement.created",
                object_type="trust.statementofreasons",
                object_id=str(statement.pk),
            ).values_list("actor_id", flat=True)
        )
        notice = statement.notice
        if notice is not None and statement.measure == Measure.LISTING_TAKEDOWN:
            ids.update(
                AuditEvent.objects.filter(
                    action="notice.listing_taken_down", object_type="trust.notice", object_id=str(notice.pk)
                ).values_list("actor_id", flat=True)
            )
        if notice is not None and statement.measure == Measure.LISTING_REMOVAL:
            ids.add(notice.decided_by_id)
    elif appeal.notice is not None:
        ids.add(appeal.notice.decided_by_id)
    return {pk for pk in ids if pk is not None}


def _date(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y")


# ---------------------------------------------------------------------------------------------
# Filing an appeal


def _text(text: str) -> str:
    text = text.strip()
    if not text:
        raise AppealRefused(_("Schrijf waarom je het niet eens bent met het besluit."))
    if len(text) > TEXT_MAX:
        raise AppealRefused(_("Je bezwaar is te lang: houd het onder de 5000 tekens."))
    return text


def _in_time(informed_at: datetime) -> None:
    deadline = appeal_deadline(informed_at)
    if clock.now() > deadline:
        raise AppealRefused(
            _(
                "De termijn voor bezwaar is voorbij: dat kon tot %(date)s. Je kunt het geschil nog "
                "voorleggen aan %(body)s of aan de rechter."
            )
            % {"date": _date(deadline), "body": settings.TRUST_OUT_OF_COURT_BODY}
        )


@transaction.atomic
def appeal_create_seller(*, statement_id: int, user: User, text: str, language: str | None = None) -> Appeal:
    """The seller's appeal against a statement of reasons; the same appeal sent again (or
    twice at once: the statement's row is the lock) returns the first."""
    statement = StatementOfReasons.objects.select_for_update().get(pk=statement_id)
    if statement.seller_id != user.pk:
        raise AppealRefused(_("Alleen wie dit besluit kreeg, kan er bezwaar tegen maken."))
    existing = appeal_of_statement(statement)
    if existing is not None:
        return existing
    text = _text(text)
    _in_time(statement_informed_at(statement))
    appeal = Appeal.objects.create(
        statement=statement,
        notice=statement.notice,
        appellant=user,
        appellant_email=user.email,
        text=text,
        language=language or settings.LANGUAGE_CODE,
    )
    audit_record(
        action="appeal.received", obj=appeal, actor=user, statement=statement.pk, measure=statement.measure
    )
    mail_after_commit(partial(appeal_received_message, appeal.pk))
    return appeal


@transaction.atomic
def appeal_create_reporter(*, notice_id: int, text: str, language: str | None = None) -> Appeal:
    """The reporter's appeal against the decision on their notice (the signed link proved who
    they are); the same appeal sent again returns the first."""
    notice = Notice.objects.select_for_update().get(pk=notice_id)
    existing = appeal_of_notice(notice)
    if existing is not None:
        return existing
    if notice.status in NOTICE_OPEN:
        raise AppealRefused(_("Over deze melding is nog niet beslist; je krijgt ons besluit per e-mail."))
    if notice.status not in REPORTER_CONTESTABLE:
        raise AppealRefused(
            _(
                "Je melding is gegrond verklaard en het document is offline: er is geen besluit "
                "tegen je om bezwaar tegen te maken."
            )
        )
    text = _text(text)
    informed_at = notice_informed_at(notice)
    assert informed_at is not None  # a decided notice has its moment
    _in_time(informed_at)
    appeal = Appeal.objects.create(
        notice=notice,
        appellant=notice.reporter,
        appellant_email=notice.reporter_email,
        text=text,
        language=language or notice.language,
    )
    audit_record(action="appeal.received", obj=appeal, actor=notice.reporter, notice=notice.number)
    mail_after_commit(partial(appeal_received_message, appeal.pk))
    return appeal


# ---------------------------------------------------------------------------------------------
# Deciding an appeal


def appeal_decide(*, appeal_id: int, actor: User, grant: bool, reasons: str) -> tuple[Appeal, bool]:
    """Grant (reverse the decision) or reject (uphold it) with ``reasons``, which go to the
    appellant. Returns the appeal and whether it moved; "already decided that way" returns
    quietly. Raises AppealRefused: not staff, no reasons, decided the other way, or the
    actor took the contested decision themselves."""
    if not (actor.is_authenticated and actor.is_staff):
        raise AppealRefused(_("Alleen medewerkers kunnen over bezwaren beslissen."))
    reasons = reasons.strip()
    if not reasons:
        raise AppealRefused(_("Schrijf je motivering: de indiener krijgt haar per e-mail."))
    to = AppealStatus.GRANTED if grant else AppealStatus.REJECTED
    with transaction.atomic():
        appeal = (
            Appeal.objects.select_for_update(of=("self",))
            .select_related("statement", "notice")
            .get(pk=appeal_id)
        )
        if appeal.status == to:
            return appeal, False
        action = TRANSITIONS.get((appeal.status, to))
        if action is None:
            raise AppealRefused(
                _("Over dit bezwaar is al beslist: %(status)s.")
                % {"status": AppealStatus(appeal.status).label}
            )
        if actor.pk in contested_deciders(appeal):
            raise AppealRefused(
                _(
                    "Je nam zelf het besluit waartegen dit bezwaar is gemaakt. Een andere medewerker "
                    "moet over het bezwaar beslissen."
                )
            )
        effect = _reverse(appeal, actor=actor, reasons=reasons) if grant else ""
        state_write(
            appeal,
            status=to,
            action=action,
            changes={"decided_by": actor, "decided_at": timezone.now(), "outcome": reasons},
            actor=actor,
            effect=effect,
        )
        mail_after_commit(partial(appeal_decided_message, appeal.pk, effect))
    return appeal, True


def _reverse(appeal: Appeal, *, actor: User, reasons: str) -> str:
    """Undo the contested decision; returns what was done (a key the e-mail explains)."""
    statement = appeal.statement
    if statement is None:
        return _reporter_reverse(appeal, actor=actor)
    if statement.measure == Measure.ACCOUNT_SUSPENSION:
        user = User.objects.select_for_update().get(pk=statement.seller_id)
        seller_suspension_lift(user=user, actor=actor, appeal_id=appeal.pk)
        return "suspension_lifted"
    notice = statement.notice
    assert notice is not None  # a listing's statements come from a notice
    if notice.status in NOTICE_OPEN:
        # The takedown was an interim measure: the notice is decided as not upheld, which brings
        # the listing back and tells the reporter and the seller (trust-core).
        notice_restore(notice_id=notice.pk, actor=actor, note=reasons)
        return "listing_restored"
    if notice.status == NoticeStatus.UPHELD:
        _removal_reverse(notice, actor=actor, appeal=appeal)
        return "listing_restored"
    return "already_restored"  # the notice was not upheld meanwhile: the listing is back already


def _removal_reverse(notice: Notice, *, actor: User, appeal: Appeal) -> None:
    """A removal reversed: the seller's strike no longer counts (a suspension resting on it is
    lifted), the listing comes back unless another notice holds it down, and the reporter is
    told. The buyers' refunds stand; the notice keeps its history."""
    for strike in Strike.objects.filter(notice=notice, kind=StrikeKind.INFRINGEMENT):
        strike_void(strike=strike, actor=actor, appeal_id=appeal.pk)
    held = (
        Notice.objects.filter(listing_id=notice.listing_id)
        .exclude(pk=notice.pk)
        .filter(status=NoticeStatus.UPHELD)
        .exists()
        or Notice.objects.filter(
            listing_id=notice.listing_id, taken_down_at__isnull=False, status__in=NOTICE_OPEN
        )
        .exclude(pk=notice.pk)
        .exists()
    )
    if held:
        audit_record(action="appeal.listing_kept_down", obj=appeal, actor=actor, listing=notice.listing_id)
    else:
        before = notice.listing_status_before
        to = ListingStatus(before) if before in RESTORABLE else ListingStatus.PUBLISHED
        listing = listing_restore(listing_id=notice.listing_id, to=to, actor=actor, appeal=appeal.pk)
        if listing is not None:
            search_index_later(listing_ids=[listing.pk])
    mail_after_commit(partial(appeal_reporter_informed_message, appeal.pk))


def _reporter_reverse(appeal: Appeal, *, actor: User) -> str:
    """The reporter was right to contest: their unfounded strike no longer counts (a suspension
    resting on it is lifted) and the listing is looked at again, as a new notice in the queue
    that another staff member decides."""
    notice = appeal.notice
    assert notice is not None
    for strike in Strike.objects.filter(notice=notice, kind=StrikeKind.UNFOUNDED_NOTICE):
        strike_void(strike=strike, actor=actor, appeal_id=appeal.pk)
    again = notice_create(
        listing=notice.listing,
        kind=notice.kind,
        explanation=_("Opnieuw beoordelen na toegekend bezwaar tegen melding %(number)s.\n\n%(text)s")
        % {"number": notice.number, "text": notice.explanation},
        location=notice.location,
        reporter_name=notice.reporter_name,
        reporter_email=notice.reporter_email,
        good_faith=True,
        reporter=notice.reporter,
        language=notice.language,
    )
    audit_record(action="appeal.notice_reopened", obj=appeal, actor=actor, notice=again.number)
    return "notice_reopened"


# ---------------------------------------------------------------------------------------------
# E-mails


def _appeal(appeal_id: int) -> Appeal:
    return Appeal.objects.select_related("statement__listing", "notice__listing", "decided_by").get(
        pk=appeal_id
    )


def _context(appeal: Appeal) -> dict[str, Any]:
    # The document the contested decision was about: none for a suspension (its statement names
    # the last notice, but restricts the account, not that document).
    if appeal.statement is not None:
        listing = appeal.statement.listing
    else:
        listing = appeal.notice.listing if appeal.notice is not None else None
    return {
        "appeal": appeal,
        "statement": appeal.statement,
        "notice": appeal.notice,
        "listing": listing,
        "listing_url": site_url(listing.get_absolute_url()) if listing is not None else "",
        "out_of_court_body": settings.TRUST_OUT_OF_COURT_BODY,
        "out_of_court_url": settings.TRUST_OUT_OF_COURT_URL,
    }


def appeal_received_message(appeal_id: int) -> EmailMessage:
    appeal = _appeal(appeal_id)
    return render_message(
        template="appeal_received",
        context=_context(appeal),
        to=appeal.appellant_email,
        language=appeal.language,
    )


def appeal_decided_message(appeal_id: int, effect: str) -> EmailMessage:
    """The decision with its reasons, what changed, and the out-of-court option (art. 21)."""
    appeal = _appeal(appeal_id)
    reopened = AuditEvent.objects.filter(
        action="appeal.notice_reopened", object_type="trust.appeal", object_id=str(appeal.pk)
    ).first()
    context = {
        **_context(appeal),
        "effect": effect,
        "new_notice": reopened.data["notice"] if reopened else "",
    }
    return render_message(
        template="appeal_decided", context=context, to=appeal.appellant_email, language=appeal.language
    )


def appeal_reporter_informed_message(appeal_id: int) -> EmailMessage | None:
    """To the reporter of a notice whose removal the seller's appeal reversed."""
    appeal = _appeal(appeal_id)
    notice = appeal.notice
    if notice is None:
        return None
    return render_message(
        template="appeal_reporter_informed",
        context=_context(appeal),
        to=notice.reporter_email,
        language=notice.language,
    )
