"""Staff corrections of the ledger (manual adjustments): any accounts, with a reason, booked once
per form (its one-time token). Split out of ledger.postings, which re-exports these names."""

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from studymarket.accounts.models import SellerProfile, User
from studymarket.core import clock
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.core.money import Money
from studymarket.ledger.journals import JournalExists, Line, journal_get, journal_post
from studymarket.ledger.models import SELLER_KINDS, AccountKind, Journal, JournalSource


class AdjustmentRefused(ApplicationError):
    pass


class AdjustmentAlreadyPosted(ApplicationError):
    """The correction's token has its journal already: the same form was sent twice."""

    def __init__(self, journal: Journal) -> None:
        super().__init__(gettext("Deze correctie was al geboekt; ze is niet nog eens geboekt."))
        self.journal = journal


# The longest token a correction may carry: Journal.source_ref's length.
_TOKEN_MAX_LENGTH = 64


@transaction.atomic
def adjustment_post(*, actor: User, reason: str, lines: Sequence[Line], token: str) -> Journal:
    """A staff correction: any accounts, with a reason. When the lines do not sum to zero, the
    other side goes to ``adjustments``. It never takes a seller's available balance below zero:
    the database refuses, and so does this (AdjustmentRefused, a message staff can act on).

    ``token`` is the correction form's one-time token and becomes the journal's source
    reference, so the ledger's one-journal-per-source constraint books a form sent twice (a
    double click, a reload, two at once) once: the second gets AdjustmentAlreadyPosted.
    """
    if not token or len(token) > _TOKEN_MAX_LENGTH:
        raise ValueError(f"A correction needs a token of 1 to {_TOKEN_MAX_LENGTH} characters: {token!r}")
    reason = reason.strip()
    if not reason:
        raise AdjustmentRefused(gettext("Geef een reden op: elke correctie in het grootboek heeft er een."))
    if not (actor.is_authenticated and actor.is_staff):
        raise AdjustmentRefused(gettext("Alleen medewerkers kunnen correcties boeken."))
    existing = journal_get(source=JournalSource.ADJUSTMENT, source_ref=token)
    if existing is not None:
        raise AdjustmentAlreadyPosted(existing)
    lines = [line for line in lines if line.amount.cents != 0]
    if not lines:
        raise AdjustmentRefused(gettext("Vul minstens één bedrag in dat niet nul is."))
    currencies = {line.amount.currency for line in lines}
    if len(currencies) != 1:
        raise AdjustmentRefused(gettext("Een correctie gebruikt één munteenheid."))
    rest = sum(line.amount.cents for line in lines)
    if rest:
        lines.append(Line(AccountKind.ADJUSTMENTS, Money(-rest, currencies.pop())))
    for line in lines:
        if (line.kind in SELLER_KINDS or line.kind == AccountKind.VAT_PAYABLE) != bool(line.key):
            raise AdjustmentRefused(
                gettext("Kies bij een verkopersrekening de verkoper en bij btw het land; bij andere niets.")
            )
    try:
        sellers = {int(line.key) for line in lines if line.kind in SELLER_KINDS}
    except ValueError:
        raise AdjustmentRefused(gettext("Kies een bestaande verkoper.")) from None
    if SellerProfile.objects.filter(pk__in=sellers).count() != len(sellers):
        raise AdjustmentRefused(gettext("Kies een bestaande verkoper."))
    try:
        with transaction.atomic():
            journal = journal_post(
                source=JournalSource.ADJUSTMENT,
                source_ref=token,
                booked_at=clock.now(),
                lines=lines,
                seller=sellers.pop() if len(sellers) == 1 else None,
                description=reason[:200],
                actor_id=actor.pk,
                reason=reason,
                existing_ok=False,
            )
    except JournalExists as exists:  # the same token, posted by a concurrent request that won
        raise AdjustmentAlreadyPosted(exists.journal) from None
    except IntegrityError:
        raise AdjustmentRefused(
            gettext(
                "Deze correctie zou het beschikbare saldo van de verkoper onder nul brengen. "
                "Boek het verschil op 'te verrekenen' of kies een kleiner bedrag."
            )
        ) from None
    audit_record(
        action="ledger.adjustment_posted",
        obj=journal,
        actor=actor,
        reason=reason,
        lines=[{"account": str(line.kind), "key": line.key, "cents": line.amount.cents} for line in lines],
    )
    return journal
