"""The cart of a visitor, kept in the session (merged into the account at login
by the buying issue). Holds listing ids only; prices are read fresh."""

from django.contrib.sessions.backends.base import SessionBase

_KEY = "cart_listing_ids"


def cart_listing_ids(session: SessionBase) -> list[int]:
    return list(session.get(_KEY, []))


def cart_add(session: SessionBase, *, listing_id: int) -> bool:
    """Add once; True if it was not in the cart yet (a double click adds nothing)."""
    ids = cart_listing_ids(session)
    if listing_id in ids:
        return False
    session[_KEY] = [*ids, listing_id]
    return True


def cart_remove(session: SessionBase, *, listing_id: int) -> None:
    session[_KEY] = [i for i in cart_listing_ids(session) if i != listing_id]
