"""Two staff approvals for money above a threshold (ASVS 5.0 2.3.5; docs/state-machines.md,
"Staff approval"): one table, one apply function.

    proposed → approved | rejected

A correction (``adjustment_submit``) or the release of a payout to the bank
(``payout_approval_propose``) above STAFF_SECOND_APPROVAL_ABOVE_CENTS is first *proposed*: a
StaffApproval row, audited, nothing posted. A *different* staff member approves it; only then
is it posted (a correction: its journal, with the form's token as source reference) or let
through (a payout: into the next SEPA file, ``payout_release_allowed``). Anyone may reject it,
the proposer too (a withdrawal). At or below the threshold one staff member suffices, as before.

``approval_transition`` locks the row, checks the table, posts what approving posts and writes
the state (core.states.state_write) in one transaction; "already there" returns quietly, so a
second click, or two colleagues approving at once, posts once.
"""

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from studymarket.accounts.models import User
from studymarket.core import clock
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.core.money import Money
from studymarket.core.states import state_write
from studymarket.ledger.journals import Line
from studymarket.ledger.models import (
    AccountKind,
    ApprovalKind,
    ApprovalStatus,
    Journal,
    Payout,
    PayoutStatus,
    StaffApproval,
)
from studymarket.ledger.postings import AdjustmentAlreadyPosted, AdjustmentRefused, adjustment_post


class ApprovalRefused(ApplicationError):
    """The approval cannot take this step; the message says what staff can do."""


def approval_needed(*, amount_cents: int) -> bool:
    return amount_cents > int(settings.STAFF_SECOND_APPROVAL_ABOVE_CENTS)


# ---------------------------------------------------------------------------------------------
# The state machine


def _adjustment_post(approval: StaffApproval) -> dict[str, Any]:
    lines = [
        Line(AccountKind(line["kind"]), Money(int(line["cents"]), approval.currency), key=str(line["key"]))
        for line in approval.lines
    ]
    try:
        journal = adjustment_post(
            actor=approval.proposed_by, reason=approval.reason, lines=lines, token=approval.token
        )
    except AdjustmentAlreadyPosted as already:  # its token posted (only an approval posts it)
        journal = already.journal
    return {"journal": journal}


def _payout_release(approval: StaffApproval) -> dict[str, Any]:
    # Nothing moves now: the next SEPA file takes the payout (payout_release_allowed).
    payout = approval.payout
    assert payout is not None
    if payout.status != PayoutStatus.CREATED:
        raise ApprovalRefused(
            _("Uitbetaling %(id)s staat niet meer klaar voor de bank; wijs dit voorstel af.")
            % {"id": payout.pk}
        )
    return {}


# What approving posts, per kind: the changes it makes to the approval row.
_POST: dict[str, Callable[[StaffApproval], dict[str, Any]]] = {
    ApprovalKind.ADJUSTMENT: _adjustment_post,
    ApprovalKind.PAYOUT: _payout_release,
}

# Each allowed transition and the audit action it records.
TRANSITIONS: dict[tuple[str, str], str] = {
    (ApprovalStatus.PROPOSED, ApprovalStatus.APPROVED): "approval.approved",
    (ApprovalStatus.PROPOSED, ApprovalStatus.REJECTED): "approval.rejected",
}


def approval_lock(approval_id: int) -> StaffApproval:
    """The approval's row, locked until the transaction ends: its decisions happen one at a time."""
    approvals = StaffApproval.objects.select_for_update(of=("self",)).select_related("payout", "proposed_by")
    return approvals.get(pk=approval_id)


@transaction.atomic
def approval_transition(
    *, approval_id: int, to: str, actor: User, note: str = ""
) -> tuple[StaffApproval, bool]:
    """Lock the approval, check the table, post what approving posts, write the state and the
    audit event. Returns the approval and whether it moved; already there: quietly (False).
    Raises ApprovalRefused for a step the table does not have (decided the other way), for a
    proposer approving their own proposal, and when posting is refused (the message says why;
    the approval stays proposed)."""
    if not (actor.is_authenticated and actor.is_staff):
        raise ApprovalRefused(_("Alleen medewerkers kunnen voorstellen goedkeuren of afwijzen."))
    approval = approval_lock(approval_id)
    if approval.status == to:
        return approval, False
    action = TRANSITIONS.get((approval.status, to))
    if action is None:
        raise ApprovalRefused(
            _("Dit voorstel is al %(status)s door een collega; er is niets meer aan te doen.")
            % {"status": approval.get_status_display().lower()}
        )
    changes: dict[str, Any] = {"decided_by": actor, "decided_at": clock.now(), "note": note.strip()}
    if to == ApprovalStatus.APPROVED:
        if approval.proposed_by_id == actor.pk:
            raise ApprovalRefused(
                _("Je kunt je eigen voorstel niet goedkeuren: een andere medewerker moet het goedkeuren.")
            )
        changes.update(_POST[approval.kind](approval))
    state_write(
        approval,
        status=to,
        action=action,
        changes=changes,
        actor=actor,
        kind=approval.kind,
        amount_cents=approval.amount_cents,
        proposed_by=approval.proposed_by_id,
    )
    return approval, True


# ---------------------------------------------------------------------------------------------
# Proposals


def _propose(**fields: Any) -> StaffApproval:
    """Insert a proposal and audit it; one per token (or per open payout): a second click gets the first."""
    try:
        with transaction.atomic():
            approval = StaffApproval.objects.create(**fields)
            audit_record(
                action="approval.proposed",
                obj=approval,
                actor=fields["proposed_by"],
                kind=approval.kind,
                amount_cents=approval.amount_cents,
            )
            return approval
    except IntegrityError:
        existing = StaffApproval.objects.filter(token=fields["token"]).first()
        if existing is None and fields.get("payout") is not None:
            existing = StaffApproval.objects.filter(
                payout=fields["payout"], status__in=[ApprovalStatus.PROPOSED, ApprovalStatus.APPROVED]
            ).first()
        if existing is None:
            raise
        return existing


def adjustment_submit(
    *, actor: User, reason: str, lines: Sequence[Line], token: str
) -> Journal | StaffApproval:
    """A staff correction: posted at once (adjustment_post) when its largest line is at most
    STAFF_SECOND_APPROVAL_ABOVE_CENTS, else proposed for a second staff member's approval. The
    form's token keys both: the same form sent twice books, or proposes, once."""
    amount = max((abs(line.amount.cents) for line in lines), default=0)
    if not approval_needed(amount_cents=amount):
        return adjustment_post(actor=actor, reason=reason, lines=lines, token=token)
    existing = StaffApproval.objects.filter(token=token).first()
    if existing is not None:
        return existing
    reason = reason.strip()
    if not reason:
        raise AdjustmentRefused(_("Geef een reden op: elke correctie in het grootboek heeft er een."))
    if not (actor.is_authenticated and actor.is_staff):
        raise AdjustmentRefused(_("Alleen medewerkers kunnen correcties boeken."))
    currencies = {line.amount.currency for line in lines}
    if len(currencies) != 1:
        raise AdjustmentRefused(_("Een correctie gebruikt één munteenheid."))
    return _propose(
        kind=ApprovalKind.ADJUSTMENT,
        amount_cents=amount,
        currency=currencies.pop(),
        token=token,
        reason=reason,
        lines=[{"kind": str(line.kind), "cents": line.amount.cents, "key": line.key} for line in lines],
        proposed_by=actor,
    )


def payout_approval_propose(*, payout_id: int, actor: User) -> StaffApproval:
    """Propose that a payout above the threshold go to the bank; a second staff member approves
    it. Refused for a payout that needs no approval or is no longer waiting for the bank."""
    if not (actor.is_authenticated and actor.is_staff):
        raise ApprovalRefused(_("Alleen medewerkers kunnen uitbetalingen voorstellen."))
    payout = Payout.objects.get(pk=payout_id)
    if payout.status != PayoutStatus.CREATED:
        raise ApprovalRefused(_("Uitbetaling %(id)s staat niet meer klaar voor de bank.") % {"id": payout.pk})
    if not approval_needed(amount_cents=payout.amount_cents):
        raise ApprovalRefused(
            _(
                "Uitbetaling %(id)s heeft geen tweede goedkeuring nodig; ze gaat mee in het volgende "
                "SEPA-bestand."
            )
            % {"id": payout.pk}
        )
    return _propose(
        kind=ApprovalKind.PAYOUT,
        amount_cents=payout.amount_cents,
        currency=payout.currency,
        token=f"payout-{payout.pk}-{uuid.uuid4().hex[:16]}",
        payout=payout,
        proposed_by=actor,
    )


def payout_release_allowed(payout: Payout) -> bool:
    """May this payout go into a SEPA file: at or below the threshold, or approved by two."""
    if not approval_needed(amount_cents=payout.amount_cents):
        return True
    return payout.approvals.filter(status=ApprovalStatus.APPROVED).exists()
