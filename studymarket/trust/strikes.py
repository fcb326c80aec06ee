"""Repeat offenders (DSA art. 23), by rule: strikes are counted, a warning comes first, then a
suspension for a while.

- A seller gets a strike for each upheld notice against their documents (kind INFRINGEMENT); a
  reporter, by account or by e-mail address (reporters need no account), for each notice
  rejected as manifestly unfounded (kind UNFOUNDED_NOTICE).
- Counted are the strikes of one kind for one person within TRUST_STRIKES_WINDOW_DAYS that no
  appeal voided and that came after their last suspension (a suspension "uses up" the strikes
  that led to it). At TRUST_STRIKES_WARNING of them the person is warned by e-mail (art. 23(1):
  "after having issued a prior warning"); at TRUST_STRIKES_SUSPEND suspended for
  TRUST_SUSPENSION_DAYS.
- A suspended seller cannot upload or publish (User.suspended_until, read by selling through
  accounts.suspension) and gets a statement of reasons (art. 17) they can appeal
  (trust.appeals). A suspended reporter's notices are not taken (art. 23(2)); that suspension
  lives in the audit log ("reporter.suspended"), since a reporter may have no account.
- The rule decides, but never alone: every strike comes from a decision a staff member took,
  and every appeal is decided by a person.

Audit actions: strike.recorded, strike.voided, strike.warning_sent, seller.suspended,
seller.suspension_lifted, reporter.suspended, reporter.suspension_lifted.
"""

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from studymarket.accounts.models import User
from studymarket.accounts.suspension import suspended_until
from studymarket.core import clock
from studymarket.core.audit import audit_record
from studymarket.core.models import AuditEvent
from studymarket.trust.emails import appeal_url, mail_after_commit, render_message
from studymarket.trust.models import Measure, Notice, StatementOfReasons, Strike, StrikeKind

SELLER_SUSPENDED = "seller.suspended"
SELLER_LIFTED = "seller.suspension_lifted"
REPORTER_SUSPENDED = "reporter.suspended"
REPORTER_LIFTED = "reporter.suspension_lifted"
WARNING_SENT = "strike.warning_sent"


# ---------------------------------------------------------------------------------------------
# Reads other apps call


def seller_is_suspended(user: User) -> bool:
    return suspended_until(user) is not None


def reporter_suspension(*, email: str, user: User | None = None) -> AuditEvent | None:
    """The reporter suspension running now for this address or account, if any."""
    email = email.strip().lower()
    subject = Q(data__email=email) if email else Q(pk__in=[])
    if user is not None and user.pk is not None:
        subject |= Q(data__user_id=user.pk)
    now = clock.now()
    for event in AuditEvent.objects.filter(subject, action=REPORTER_SUSPENDED).order_by("-pk")[:20]:
        until = parse_datetime(str(event.data.get("until", "")))
        if until is None or until <= now:
            continue
        if not AuditEvent.objects.filter(action=REPORTER_LIFTED, data__suspension=event.pk).exists():
            return event
    return None


def email_suspended(*, email: str) -> bool:
    """Whether notices from this address are refused now (trust.notices asks this)."""
    return reporter_suspension(email=email) is not None


def reporter_may_report(email: str, user: User | None = None) -> bool:
    """Whether a notice from this reporter is taken: not suspended as a reporter by address or
    account, nor suspended as a user."""
    if user is not None and user.is_authenticated and suspended_until(user) is not None:
        return False
    return reporter_suspension(email=email, user=user if user is not None and user.pk else None) is None


def strikes_active(*, kind: str, user: User | None, email: str = "") -> list[Strike]:
    """The strikes that count now for this person, oldest first (see the module's rule)."""
    subject = Q(user=user) if user is not None else Q(pk__in=[])
    if kind == StrikeKind.UNFOUNDED_NOTICE and email:
        subject |= Q(email=email.strip().lower())
    since = Strike.objects.filter(subject, kind=kind, voided_at__isnull=True).filter(
        created_at__gte=clock.now() - timedelta(days=settings.TRUST_STRIKES_WINDOW_DAYS)
    )
    after = _last_suspension_strike(kind=kind, user=user, email=email)
    if after is not None:
        since = since.filter(pk__gt=after)
    return list(since.order_by("pk"))


def _last_suspension_strike(*, kind: str, user: User | None, email: str) -> int | None:
    if kind == StrikeKind.INFRINGEMENT:
        if user is None:
            return None
        events = AuditEvent.objects.filter(
            action=SELLER_SUSPENDED, object_type="accounts.user", object_id=str(user.pk)
        )
    else:
        subject = Q(data__email=email.strip().lower()) if email else Q(pk__in=[])
        if user is not None:
            subject |= Q(data__user_id=user.pk)
        events = AuditEvent.objects.filter(subject, action=REPORTER_SUSPENDED)
    last = events.order_by("-pk").first()
    return int(last.data["last_strike"]) if last is not None else None


# ---------------------------------------------------------------------------------------------
# Recording and applying the rule


@transaction.atomic
def strike_record(*, notice: Notice, kind: str, actor: Any = None) -> Strike:
    """Count a strike for ``notice`` — INFRINGEMENT against the listing's seller when the notice
    is upheld, UNFOUNDED_NOTICE against the reporter when it is rejected as manifestly
    unfounded — and apply the rule: a warning or a suspension, with their e-mails after the
    commit. Once per notice and kind (a second call finds the strike and changes nothing);
    also safe to call on a strike the caller already recorded."""
    if kind == StrikeKind.INFRINGEMENT:
        seller = User.objects.get(seller_profile__pk=notice.listing.seller_id)
        defaults = {"user": seller, "email": seller.email}
    else:
        defaults = {"user": notice.reporter, "email": notice.reporter_email.strip().lower()}
    strike, created = Strike.objects.get_or_create(notice=notice, kind=kind, defaults=defaults)
    if created:
        audit_record(action="strike.recorded", obj=strike, actor=actor, kind=kind, notice=notice.number)
    strikes_apply(strike=strike, actor=actor)
    return strike


def strikes_apply(*, strike: Strike, actor: Any = None) -> str:
    """Apply the rule to the person ``strike`` counts against; returns what it did: "suspended",
    "warned" or "" (nothing new). In the caller's transaction. A seller's user row is the lock,
    so two strikes decided at once suspend once."""
    if strike.voided_at is not None:
        return ""
    user = User.objects.select_for_update().get(pk=strike.user_id) if strike.user_id else None
    if strike.kind == StrikeKind.INFRINGEMENT:
        if user is None or seller_is_suspended(user):
            return ""
        active = strikes_active(kind=strike.kind, user=user)
    else:
        if reporter_suspension(email=strike.email, user=user) is not None:
            return ""
        active = strikes_active(kind=strike.kind, user=user, email=strike.email)
    if strike not in active:
        return ""  # an old strike, already used up by an earlier suspension
    if len(active) >= settings.TRUST_STRIKES_SUSPEND:
        if strike.kind == StrikeKind.INFRINGEMENT:
            assert user is not None
            _seller_suspend(user=user, strikes=active, actor=actor)
        else:
            _reporter_suspend(email=strike.email, user=user, strikes=active, actor=actor)
        return "suspended"
    if len(active) >= settings.TRUST_STRIKES_WARNING:
        latest = active[-1]
        if AuditEvent.objects.filter(
            action=WARNING_SENT, object_type="trust.strike", object_id=str(latest.pk)
        ).exists():
            return ""
        audit_record(action=WARNING_SENT, obj=latest, actor=actor, kind=latest.kind, count=len(active))
        mail_after_commit(partial(warning_message, latest.pk, len(active)))
        return "warned"
    return ""


def _suspension_end() -> datetime:
    return clock.now() + timedelta(days=settings.TRUST_SUSPENSION_DAYS)


def _numbers(strikes: list[Strike]) -> list[str]:
    return [s.notice.number for s in strikes if s.notice_id is not None and s.notice is not None]


def _seller_suspend(*, user: User, strikes: list[Strike], actor: Any) -> StatementOfReasons:
    until = _suspension_end()
    user.suspended_until = until
    user.save(update_fields=["suspended_until"])
    latest = strikes[-1]
    with translation.override(settings.LANGUAGE_CODE):
        statement = StatementOfReasons.objects.create(
            seller=user,
            notice=latest.notice,
            measure=Measure.ACCOUNT_SUSPENSION,
            scope=_(
                "Je account is geschorst tot %(until)s: je kunt tot dan geen documenten uploaden of "
                "publiceren. Je documenten die al online zijn, blijven online; je verdiensten blijven staan."
            )
            % {"until": _date(until)},
            ends_at=until,
            facts=_(
                "Binnen %(days)d dagen zijn %(count)d meldingen over je documenten gegrond verklaard: "
                "%(numbers)s. Je kreeg eerder een waarschuwing per e-mail."
            )
            % {
                "days": settings.TRUST_STRIKES_WINDOW_DAYS,
                "count": len(strikes),
                "numbers": ", ".join(_numbers(strikes)),
            },
            # The rule suspends by itself once a staff member upholds the last notice (17(3)(c)).
            automated=True,
            legal_ground=_(
                "Digitaledienstenverordening, artikel 23, lid 1: schorsing van wie vaak kennelijk "
                "illegale inhoud aanbiedt, na een voorafgaande waarschuwing."
            ),
            terms_clause=_(
                "Algemene voorwaarden, artikel 10 ('Herhaalde inbreuken en ongegronde meldingen'): "
                "schorsing na herhaalde gegronde meldingen."
            ),
            explanation=_(
                "Elke melding is door een medewerker beoordeeld; de schorsing volgt dan vanzelf uit "
                "onze regel voor herhaalde inbreuken."
            ),
            redress=_(
                "Ben je het er niet mee eens? Maak binnen %(months)d maanden gratis bezwaar via de "
                "link in deze e-mail; een medewerker (geen computer) beoordeelt het. Je kunt ook naar "
                "%(body)s (Digitaledienstenverordening, artikel 21) of naar de rechter."
            )
            % {"months": settings.TRUST_APPEAL_MONTHS, "body": settings.TRUST_OUT_OF_COURT_BODY},
            language=settings.LANGUAGE_CODE,
        )
    audit_record(action="statement.created", obj=statement, actor=actor, measure=statement.measure)
    audit_record(
        action=SELLER_SUSPENDED,
        obj=user,
        actor=actor,
        until=until.isoformat(),
        statement=statement.pk,
        strikes=[s.pk for s in strikes],
        last_strike=strikes[-1].pk,
    )
    transaction.on_commit(partial(suspension_statement_send, statement_id=statement.pk), robust=True)
    return statement


def _reporter_suspend(*, email: str, user: User | None, strikes: list[Strike], actor: Any) -> AuditEvent:
    until = _suspension_end()
    event = audit_record(
        action=REPORTER_SUSPENDED,
        obj=strikes[-1],
        actor=actor,
        email=email.strip().lower(),
        user_id=user.pk if user is not None else None,
        until=until.isoformat(),
        strikes=[s.pk for s in strikes],
        last_strike=strikes[-1].pk,
    )
    mail_after_commit(partial(reporter_suspended_message, event.pk))
    return event


@transaction.atomic
def strike_void(*, strike: Strike, actor: Any = None, appeal_id: int | None = None) -> bool:
    """An appeal reversed the decision this strike came from: it no longer counts, and a
    suspension that rested on it is lifted. False if it was voided already."""
    strike = Strike.objects.select_for_update().get(pk=strike.pk)
    if strike.voided_at is not None:
        return False
    strike.voided_at = timezone.now()
    strike.save(update_fields=["voided_at"])
    audit_record(action="strike.voided", obj=strike, actor=actor, appeal=appeal_id)
    if strike.kind == StrikeKind.INFRINGEMENT and strike.user_id:
        user = User.objects.select_for_update().get(pk=strike.user_id)
        event = (
            AuditEvent.objects.filter(
                action=SELLER_SUSPENDED, object_type="accounts.user", object_id=str(user.pk)
            )
            .order_by("-pk")
            .first()
        )
        if event is not None and strike.pk in event.data.get("strikes", []) and seller_is_suspended(user):
            seller_suspension_lift(user=user, actor=actor, appeal_id=appeal_id)
    elif strike.kind == StrikeKind.UNFOUNDED_NOTICE:
        running = reporter_suspension(email=strike.email, user=strike.user)
        if running is not None and strike.pk in running.data.get("strikes", []):
            audit_record(
                action=REPORTER_LIFTED,
                obj=strike,
                actor=actor,
                suspension=running.pk,
                email=strike.email,
                appeal=appeal_id,
            )
    return True


def seller_suspension_lift(*, user: User, actor: Any = None, appeal_id: int | None = None) -> bool:
    """End a seller's suspension now (an appeal granted); False if none was running."""
    if not seller_is_suspended(user):
        return False
    user.suspended_until = None
    user.save(update_fields=["suspended_until"])
    audit_record(action=SELLER_LIFTED, obj=user, actor=actor, appeal=appeal_id)
    return True


# ---------------------------------------------------------------------------------------------
# E-mails


def _date(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y")


def warning_message(strike_id: int, count: int) -> EmailMessage:
    """The prior warning (art. 23): how many strikes, how many more lead to a suspension."""
    strike = Strike.objects.select_related("notice__listing").get(pk=strike_id)
    reporter = strike.kind == StrikeKind.UNFOUNDED_NOTICE
    language = strike.notice.language if reporter and strike.notice else settings.LANGUAGE_CODE
    context = {
        "strike": strike,
        "reporter": reporter,
        "count": count,
        "suspend_at": settings.TRUST_STRIKES_SUSPEND,
        "window_days": settings.TRUST_STRIKES_WINDOW_DAYS,
        "suspension_days": settings.TRUST_SUSPENSION_DAYS,
    }
    return render_message(template="strike_warning", context=context, to=strike.email, language=language)


def reporter_suspended_message(event_id: int) -> EmailMessage:
    event = AuditEvent.objects.get(pk=event_id)
    strikes = list(
        Strike.objects.filter(pk__in=event.data["strikes"]).select_related("notice").order_by("pk")
    )
    until = parse_datetime(event.data["until"])
    assert until is not None
    latest = strikes[-1]
    context = {
        "until": _date(until),
        "numbers": _numbers(strikes),
        "out_of_court_body": settings.TRUST_OUT_OF_COURT_BODY,
        "out_of_court_url": settings.TRUST_OUT_OF_COURT_URL,
    }
    language = latest.notice.language if latest.notice else settings.LANGUAGE_CODE
    return render_message(
        template="strike_reporter_suspended", context=context, to=event.data["email"], language=language
    )


def suspension_statement_send(*, statement_id: int) -> bool:
    """E-mail the suspension's statement of reasons to the seller, at most once (claimed by
    sent_at before the mail server is called, given back if sending fails)."""
    with transaction.atomic():
        statement = (
            StatementOfReasons.objects.select_for_update().select_related("seller").get(pk=statement_id)
        )
        if statement.sent_at is not None:
            return False
        statement.sent_at = timezone.now()
        statement.save(update_fields=["sent_at"])
        audit_record(action="statement.sent", obj=statement)
    context = {"statement": statement, "appeal_url": appeal_url(statement=statement)}
    try:
        render_message(
            template="strike_seller_suspended",
            context=context,
            to=statement.seller.email,
            language=statement.language,
        ).send()
    except Exception:
        with transaction.atomic():
            StatementOfReasons.objects.filter(pk=statement.pk, sent_at=statement.sent_at).update(sent_at=None)
            audit_record(action="statement.send_failed", obj=statement)
        raise
    return True
