"""The listing's state machine (docs/state-machines.md): one function moves a listing, under a
row lock, from the states the table allows; "already there" returns quietly. Every change of
``Listing.status`` after creation goes through ``listing_transition``."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from studymarket.catalog.models import Listing, ListingStatus
from studymarket.core.audit import audit_record
from studymarket.core.page_cache import public_pages_changed

S = ListingStatus

# To a state (key) from these states. A listing is created as a draft (listing_create).
ALLOWED: dict[str, frozenset[str]] = {
    # On sale: once described and its document accepted; again after being taken offline.
    S.PUBLISHED: frozenset({S.DRAFT, S.UNPUBLISHED}),
    # Taken offline: no longer found, listed or sold; earlier buyers keep their copies.
    S.UNPUBLISHED: frozenset({S.PUBLISHED}),
    # Taken offline by staff on a notice (trust/services): from any state, so a seller cannot
    # dodge it by unpublishing first. Only staff move it on (trust: restore → the state it was
    # in, recorded in the notice's audit trail); the seller's publish is not allowed from here.
    S.TAKEN_DOWN: frozenset({S.DRAFT, S.PUBLISHED, S.UNPUBLISHED}),
}

# The states a listing goes back to when staff restore it after a takedown.
RESTORABLE = frozenset({S.DRAFT, S.PUBLISHED, S.UNPUBLISHED})


def listing_transition(
    *,
    listing_id: int,
    to: ListingStatus,
    actor: Any = None,
    published_at: datetime | None = None,
    check: Callable[[Listing], None] | None = None,
    **details: Any,
) -> tuple[Listing, str | None]:
    """Move the listing to ``to`` if the table allows it from where it is.

    Returns the listing as it now is and the state it came from, or None when it did not move
    (already there, or not allowed from where it is: no error, a retry is harmless). ``check``
    runs under the lock before the write and may raise to refuse. Going on sale sets
    ``published_at`` (the upload date buyers see): the one given, else the first, else now.
    ``details`` go into the audit record ``listing.<to>``.
    """
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing_id)
        before = listing.status
        if before == to or before not in ALLOWED[to]:
            return listing, None
        if check is not None:
            check(listing)
        listing.status = to
        fields = ["status", "updated_at"]
        if to == S.PUBLISHED:
            listing.published_at = published_at or listing.published_at or timezone.now()
            fields.append("published_at")
        listing.save(update_fields=fields)
        audit_record(action=f"listing.{to}", obj=listing, actor=actor, **details)
        public_pages_changed()  # on sale or gone: every public page shows it at once
    return listing, before


def listing_restore(
    *, listing_id: int, to: ListingStatus, actor: Any = None, **details: Any
) -> Listing | None:
    """Taken down → ``to`` (one of RESTORABLE): staff bring a listing back after a notice. Kept
    apart from listing_transition so that the seller's own publish can never leave TAKEN_DOWN.
    Returns the listing if it moved, None when it was not taken down (a retry is harmless)."""
    if to not in RESTORABLE:
        raise ValueError(f"A listing is not restored to {to}")
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing_id)
        if listing.status != S.TAKEN_DOWN:
            return None
        listing.status = to
        listing.save(update_fields=["status", "updated_at"])
        audit_record(action="listing.restored", obj=listing, actor=actor, to=str(to), **details)
        public_pages_changed()
    return listing
