"""Statements of reasons (DSA art. 17): stored for every restriction we impose on a document,
and sent to its seller at the latest when the restriction starts. Each says what was
restricted, for how long, on which facts, whether anything was automated, on which legal ground
or clause of the terms, and how to contest it (art. 17(3)(a)–(f))."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from studymarket.core.audit import audit_record
from studymarket.trust.emails import statement_message
from studymarket.trust.models import Measure, Notice, NoticeKind, StatementOfReasons

logger = logging.getLogger(__name__)


def _legal_ground(kind: str) -> str:
    if kind == NoticeKind.COPYRIGHT:
        return _(
            "Auteursrecht: het document verveelvoudigt en openbaart werk van een ander zonder diens "
            "toestemming (Auteurswet, artikelen 1 en 12; in België Wetboek van economisch recht, "
            "boek XI, artikel XI.165)."
        )
    if kind == NoticeKind.ILLEGAL:
        return _(
            "Het document bevat inhoud die in strijd is met de wet (Digitaledienstenverordening, "
            "artikel 3, onder h)."
        )
    return ""


def _terms_clause(kind: str) -> str:
    if kind == NoticeKind.COPYRIGHT:
        return _(
            "Algemene voorwaarden, artikel 7.1 ('Verkopen: de plichten van verkopers'): je biedt alleen "
            "werk aan dat je zelf hebt gemaakt of waarvoor je alle rechten hebt, en geen werk van anderen."
        )
    if kind == NoticeKind.ILLEGAL:
        return _("Algemene voorwaarden, artikel 8 ('Wat niet mag'): geen inhoud die in strijd is met de wet.")
    return _("Algemene voorwaarden, artikelen 7 en 8: de regels voor documenten op studymarket.")


def _scope(measure: str) -> str:
    if measure == Measure.LISTING_TAKEDOWN:
        return _(
            "Het document is niet meer te vinden, te bekijken of te kopen, tot we over de melding "
            "hebben beslist. Kopers die het al hebben, houden toegang. Je verdiensten blijven staan."
        )
    return _(
        "Het document is definitief offline: het is niet meer te vinden, te bekijken of te kopen, "
        "en je kunt het niet opnieuw publiceren. Kopers verliezen hun toegang en krijgen hun geld "
        "terug; die verkopen worden van je verdiensten afgeboekt."
    )


def _redress() -> str:
    return _(
        "Ben je het niet eens met dit besluit? Maak dan binnen %(months)d maanden gratis bezwaar via "
        "de link in deze e-mail; een medewerker (geen computer) bekijkt het besluit opnieuw. Je kunt "
        "het geschil ook voorleggen aan %(body)s (%(url)s; Digitaledienstenverordening, artikel 21), "
        "of aan de rechter."
    ) % {
        "months": settings.TRUST_APPEAL_MONTHS,
        "body": settings.TRUST_OUT_OF_COURT_BODY,
        "url": settings.TRUST_OUT_OF_COURT_URL,
    }


def _facts(notice: Notice) -> str:
    return _(
        "Op %(date)s ontvingen we melding %(number)s (%(kind)s) over dit document, op %(location)s. "
        "De melder schreef: %(explanation)s"
    ) % {
        "date": date_format(timezone.localtime(notice.created_at), "j F Y"),
        "number": notice.number,
        "kind": NoticeKind(notice.kind).label,
        "location": notice.location,
        "explanation": notice.explanation,
    }


def statement_issue(
    *, notice: Notice, measure: str, explanation: str, actor: object = None
) -> StatementOfReasons:
    """The statement for ``measure`` on ``notice``'s listing, made once (a second call returns
    the first) and e-mailed to the seller after the commit. In the caller's transaction, which
    holds the notice's lock."""
    existing = StatementOfReasons.objects.filter(notice=notice, measure=measure).first()
    if existing is not None:
        return existing
    seller = notice.listing.seller.user
    # Written in the seller's language (the site's default; sellers have none stored) and kept as sent.
    with translation.override(settings.LANGUAGE_CODE):
        statement = StatementOfReasons.objects.create(
            seller=seller,
            listing=notice.listing,
            notice=notice,
            measure=measure,
            scope=_scope(measure),
            facts=_facts(notice),
            automated=False,
            legal_ground=_legal_ground(notice.kind),
            terms_clause=_terms_clause(notice.kind),
            explanation=explanation.strip()
            or _("Een medewerker heeft de melding en het document beoordeeld."),
            redress=_redress(),
            language=settings.LANGUAGE_CODE,
        )
    audit_record(
        action="statement.created",
        obj=statement,
        actor=actor,
        measure=measure,
        notice=notice.number,
        listing=notice.listing_id,
    )
    statement_id = statement.pk
    # A failing mail server is logged, not raised: the measure stands and the claim is given back.
    transaction.on_commit(lambda: statement_send(statement_id=statement_id), robust=True)
    return statement


def statement_send(*, statement_id: int) -> bool:
    """E-mail the statement to its seller, at most once; True if this call sent it. Claimed and
    committed before the mail server is called; a failed send gives the claim back."""
    with transaction.atomic():
        statement = (
            StatementOfReasons.objects.select_for_update(of=("self",))
            .select_related("seller", "listing", "notice")
            .get(pk=statement_id)
        )
        if statement.sent_at is not None:
            return False
        statement.sent_at = timezone.now()
        statement.save(update_fields=["sent_at"])
        audit_record(action="statement.sent", obj=statement)
    try:
        statement_message(statement).send()
    except Exception:
        with transaction.atomic():
            StatementOfReasons.objects.filter(pk=statement.pk, sent_at=statement.sent_at).update(sent_at=None)
            audit_record(action="statement.send_failed", obj=statement)
        raise
    return True
