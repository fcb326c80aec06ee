"""Staff decisions on a notice, one click each, each safe to click twice (the notice's row lock
and its state table, trust/states.py): take the listing down at once, ask the seller to respond,
restore, uphold, or reject as unfounded. Every restriction gets a statement of reasons
(statements.py); every step an audit record and an e-mail to the parties, after the commit.

Locks, always in this order: notice → listing (catalog.states).
"""

from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from studymarket.accounts.models import User
from studymarket.catalog.models import Listing, ListingStatus
from studymarket.catalog.states import RESTORABLE, listing_restore, listing_transition
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.search.indexing import search_index_later
from studymarket.trust.buyer_refunds import listing_buyers_refund
from studymarket.trust.emails import (
    mail_after_commit,
    reporter_decision_message,
    reporter_taken_down_message,
    seller_asked_message,
    seller_restored_message,
)
from studymarket.trust.models import Measure, Notice, NoticeStatus, StrikeKind
from studymarket.trust.statements import statement_issue
from studymarket.trust.states import notice_lock, notice_transition
from studymarket.trust.strikes import strike_record


class NoticeDecisionRefused(ApplicationError):
    """The decision cannot be taken; the message says where the notice stands."""


def _staff_required(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_staff):
        raise NoticeDecisionRefused(_("Alleen medewerkers kunnen over meldingen beslissen."))


def _refuse_decided(notice: Notice) -> None:
    raise NoticeDecisionRefused(
        _("Over melding %(number)s is al beslist: %(status)s.")
        % {"number": notice.number, "status": NoticeStatus(notice.status).label}
    )


def _take_down(notice: Notice, *, actor: User) -> bool:
    """The listing offline on this notice (the notice locked); False if this notice had done so
    already. A listing already down on another notice stays down, with no second statement."""
    if notice.taken_down_at is not None:
        return False
    listing, before = listing_transition(
        listing_id=notice.listing_id, to=ListingStatus.TAKEN_DOWN, actor=actor, notice=notice.number
    )
    notice.taken_down_at = timezone.now()
    notice.listing_status_before = before or _status_before_other_takedown(notice)
    notice.save(update_fields=["taken_down_at", "listing_status_before", "updated_at"])
    audit_record(
        action="notice.listing_taken_down", obj=notice, actor=actor, listing=listing.pk, before=before
    )
    search_index_later(listing_ids=[listing.pk])
    return before is not None


def _status_before_other_takedown(notice: Notice) -> str:
    """Where the listing was before another notice took it down (this one found it down)."""
    return (
        Notice.objects.filter(listing_id=notice.listing_id, taken_down_at__isnull=False)
        .exclude(pk=notice.pk)
        .exclude(listing_status_before="")
        .order_by("taken_down_at")
        .values_list("listing_status_before", flat=True)
        .first()
        or ""
    )


@transaction.atomic
def notice_take_down(*, notice_id: int, actor: User, note: str = "") -> Notice:
    """Take the listing offline at once while the notice is open (an interim measure): it can
    no longer be found, viewed or bought; buyers keep their copies. The seller gets a statement
    of reasons. A second click returns quietly."""
    _staff_required(actor)
    notice = notice_lock(notice_id)
    if not notice.is_open:
        if notice.status == NoticeStatus.UPHELD:
            return notice  # down for good already
        _refuse_decided(notice)
    if _take_down(notice, actor=actor):
        statement_issue(notice=notice, measure=Measure.LISTING_TAKEDOWN, explanation=note, actor=actor)
        notice_id = notice.pk
        mail_after_commit(lambda: reporter_taken_down_message(notice_id))
    return notice


@transaction.atomic
def notice_ask_seller(*, notice_id: int, actor: User, note: str = "") -> Notice:
    """E-mail the seller the notice with a link to answer it on the site, within
    TRUST_SELLER_RESPONSE_HOURS. A second click returns quietly; after the seller answered it
    asks again."""
    _staff_required(actor)
    now = timezone.now()
    notice, moved = notice_transition(
        notice_id=notice_id,
        status=NoticeStatus.AWAITING_SELLER,
        changes={
            "seller_asked_at": now,
            "seller_respond_by": now + timedelta(hours=settings.TRUST_SELLER_RESPONSE_HOURS),
        },
        actor=actor,
        note=note.strip(),
    )
    if not moved:
        if notice.status == NoticeStatus.AWAITING_SELLER:
            return notice
        _refuse_decided(notice)
    mail_after_commit(partial(seller_asked_message, notice.pk))
    return notice


@transaction.atomic
def notice_seller_respond(*, notice_id: int, seller: User, text: str) -> Notice:
    """The seller's answer, given on the site; the notice goes back to the staff queue. Raises
    NoticeDecisionRefused when it is not theirs to answer or was decided meanwhile."""
    text = text.strip()
    if not text:
        raise NoticeDecisionRefused(_("Schrijf je reactie op de melding."))
    if len(text) > 5000:
        raise NoticeDecisionRefused(_("Je reactie is te lang: houd het onder de 5000 tekens."))
    notice = notice_lock(notice_id)
    if notice.listing.seller.user_id != seller.pk:
        raise NoticeDecisionRefused(_("Alleen de verkoper van dit document kan op deze melding reageren."))
    if notice.status == NoticeStatus.SELLER_RESPONDED and notice.seller_response == text:
        return notice  # the same answer sent twice
    notice, moved = notice_transition(
        notice_id=notice_id,
        status=NoticeStatus.SELLER_RESPONDED,
        changes={"seller_response": text, "seller_responded_at": timezone.now()},
        actor=seller,
    )
    if not moved:
        if notice.is_open:
            raise NoticeDecisionRefused(_("We hebben je (nog) niet om een reactie op deze melding gevraagd."))
        raise NoticeDecisionRefused(
            _("Over deze melding is al beslist; je kreeg daarover een e-mail met hoe je bezwaar maakt.")
        )
    return notice


def _decide(notice_id: int, *, status: str, actor: User, note: str, **audit: Any) -> tuple[Notice, bool]:
    _staff_required(actor)
    notice, moved = notice_transition(
        notice_id=notice_id,
        status=status,
        changes={"decided_at": timezone.now(), "decided_by": actor, "decision_note": note.strip()},
        actor=actor,
        note=note.strip(),
        **audit,
    )
    if not moved and notice.status != status:
        _refuse_decided(notice)
    return notice, moved


def _bring_back(notice: Notice, *, actor: User) -> bool:
    """Put the listing back where it was before this notice took it down, unless another notice
    holds it down (open with a takedown, or upheld). True if it came back."""
    if notice.taken_down_at is None:
        return False
    others = (
        Notice.objects.filter(listing_id=notice.listing_id)
        .exclude(pk=notice.pk)
        .filter(status=NoticeStatus.UPHELD)
        .exists()
        or Notice.objects.filter(listing_id=notice.listing_id, taken_down_at__isnull=False)
        .exclude(pk=notice.pk)
        .exclude(status__in=[NoticeStatus.RESTORED, NoticeStatus.UNFOUNDED])
        .exists()
    )
    if others:
        audit_record(action="notice.listing_kept_down", obj=notice, actor=actor, listing=notice.listing_id)
        return False
    before = notice.listing_status_before
    to = ListingStatus(before) if before in RESTORABLE else ListingStatus.PUBLISHED
    if to == ListingStatus.PUBLISHED and _seller_erased(notice.listing_id):
        # The seller deleted their account meanwhile (privacy): their listings stay offline.
        to = ListingStatus.UNPUBLISHED
    listing = listing_restore(listing_id=notice.listing_id, to=to, actor=actor, notice=notice.number)
    if listing is None:
        return False
    search_index_later(listing_ids=[listing.pk])
    return True


def _seller_erased(listing_id: int) -> bool:
    return Listing.objects.filter(pk=listing_id, seller__user__erased_at__isnull=False).exists()


@transaction.atomic
def notice_restore(*, notice_id: int, actor: User, note: str = "") -> Notice:
    """Not upheld: the listing comes back if this notice took it down. The reporter hears the
    decision, the seller that their document is back. A second click returns quietly."""
    notice, moved = _decide(notice_id, status=NoticeStatus.RESTORED, actor=actor, note=note)
    if moved:
        back = _bring_back(notice, actor=actor)
        mail_after_commit(partial(reporter_decision_message, notice.pk))
        if back or notice.seller_asked_at is not None:
            mail_after_commit(partial(seller_restored_message, notice.pk))
    return notice


@transaction.atomic
def notice_reject_unfounded(*, notice_id: int, actor: User, note: str = "") -> Notice:
    """Rejected as manifestly unfounded: as a restore, and the reporter gets a strike (DSA
    art. 23(2), counted by trust/strikes.py). A second click returns quietly."""
    notice, moved = _decide(notice_id, status=NoticeStatus.UNFOUNDED, actor=actor, note=note)
    if moved:
        back = _bring_back(notice, actor=actor)
        # Counted by the repeat-offender rules, which warn or suspend (trust/strikes.py).
        strike_record(notice=notice, kind=StrikeKind.UNFOUNDED_NOTICE, actor=actor)
        mail_after_commit(partial(reporter_decision_message, notice.pk))
        if back or notice.seller_asked_at is not None:
            mail_after_commit(partial(seller_restored_message, notice.pk))
    return notice


def notice_uphold(*, notice_id: int, actor: User, note: str = "") -> Notice:
    """Upheld: the listing goes down for good (the seller cannot republish it), the seller gets
    a statement of reasons and a strike, every buyer with access loses it and is refunded
    (payments' refund services, after the commit), the reporter hears the decision.

    A second click finds the notice upheld and only sends what is still pending to the
    refunds again (each line is refunded once: payments.refunds), so a crash halfway is
    finished by clicking again."""
    notice = _notice_uphold(notice_id=notice_id, actor=actor, note=note)
    listing_buyers_refund(notice_id=notice.pk, actor=actor)
    return notice


@transaction.atomic
def _notice_uphold(*, notice_id: int, actor: User, note: str) -> Notice:
    notice, moved = _decide(notice_id, status=NoticeStatus.UPHELD, actor=actor, note=note)
    if moved:
        _take_down(notice, actor=actor)
        statement_issue(notice=notice, measure=Measure.LISTING_REMOVAL, explanation=note, actor=actor)
        strike_record(notice=notice, kind=StrikeKind.INFRINGEMENT, actor=actor)
        mail_after_commit(partial(reporter_decision_message, notice.pk))
    return notice
