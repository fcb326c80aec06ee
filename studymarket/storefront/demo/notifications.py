"""The demo's notifications (the header's bell and the page "Meldingen"): what the demo's own
history would have told the demo seller and the demo buyer, so that their page is not empty.

Loading the history tells no one (orders are marked paid without the sellers hearing of it,
reviews with a date of their own notify nobody): a load must not ring ninety bells. So they are
made here, for two people only, through notifications' own service, with the kind, sentence
values, address and key the producers use (orders._sellers_notify, reviews.review_create,
catalog.follows._followers_notify): a producer that runs again for the same event tells no one
twice, and neither does a second load.

- The demo seller (demo-seller): the three sales of the reference listing and its review,
  unread (unread notifications are kept, read ones older than half a year are cleaned up).
- The demo buyer (demo-reviewer): follows SamenvattingenSanne since shortly before her
  second-newest document and was told of the documents she published since; the newest unread,
  the others read the day after.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.urls import reverse

from studymarket.accounts.models import User
from studymarket.catalog.follows import follow_create
from studymarket.catalog.models import Follow, Listing
from studymarket.notifications.models import Notification, NotificationKind
from studymarket.notifications.services import notification_create, notifications_mark_read
from studymarket.orders.models import OrderLine, OrderStatus
from studymarket.reviews.models import Review
from studymarket.storefront.demo.people import BUYERS, REFERENCE_REVIEWER, REFERENCE_SELLER

# The seller the demo buyer follows, and how long before her second-newest document.
FOLLOWED_SELLER = "demo-sanne"
FOLLOWED_BEFORE = timedelta(days=12, hours=3)
# A follower hears of a new document when the task runs, minutes after publication.
TOLD_AFTER_PUBLICATION = timedelta(minutes=2)
# A notification the demo buyer read: the day after it came.
READ_AFTER = timedelta(days=1, hours=2)


@dataclass(frozen=True)
class _Told:
    recipient: User
    kind: NotificationKind
    params: dict[str, Any]
    url: str
    key: str
    at: datetime
    read: bool = False


def demo_notifications_present() -> bool:
    """The demo seller and the demo buyer each have a notification (load.py's quick check).
    Once both have read all of theirs and the cleanup removed them, the next load brings the
    demo's back, as a fresh demo would have them."""
    emails = [REFERENCE_SELLER.email, REFERENCE_REVIEWER.email]
    have = Notification.objects.filter(recipient__email__in=emails).values("recipient_id").distinct()
    return have.count() == len(emails)


def demo_notifications_load(*, users: dict[str, User], listings: dict[str, Listing], now: datetime) -> int:
    """Make the demo's notifications that are missing (by recipient, kind and key), dated when
    their event happened; returns how many. ``users`` and ``listings``: the demo's by key and
    slug (load.py)."""
    told = [*_seller_told(users[REFERENCE_SELLER.key]), *_buyer_told(users, listings, now=now)]
    have = set(
        Notification.objects.filter(recipient_id__in={t.recipient.pk for t in told}).values_list(
            "recipient_id", "kind", "key"
        )
    )
    created = 0
    for t in told:
        if (t.recipient.pk, t.kind, t.key) in have:
            continue  # made before; the person may have read it since
        notification_create(recipient_id=t.recipient.pk, kind=t.kind, params=t.params, url=t.url, key=t.key)
        made = Notification.objects.filter(recipient=t.recipient, kind=t.kind, key=t.key)
        if t.read:
            notifications_mark_read(user=t.recipient, ids=made.values_list("pk", flat=True))
        # Demo history, not an event of today: dated when it happened (and was read).
        made.update(created_at=t.at, read_at=t.at + READ_AFTER if t.read else None)
        created += 1
    return created


def _seller_told(seller: User) -> list[_Told]:
    """The sales and reviews the demo's buyers made of the seller's documents (the reference
    listing), as orders and reviews tell its seller."""
    buyer_emails = [spec.email for spec in BUYERS.values()]
    lines = (
        OrderLine.objects.filter(
            seller__user=seller, order__status=OrderStatus.PAID, order__buyer__email__in=buyer_emails
        )
        .select_related("order")
        .order_by("order__paid_at", "pk")
    )
    told = [
        _Told(
            recipient=seller,
            kind=NotificationKind.SALE,
            params={"title": line.title, "amount": line.price_cents, "currency": line.order.currency},
            url=reverse("ledger:earnings"),
            key=f"order_line:{line.pk}",
            at=line.order.paid_at,
        )
        for line in lines
        if line.order.paid_at is not None
    ]
    reviews = (
        Review.objects.filter(listing__seller__user=seller, author__email__in=buyer_emails)
        .select_related("order_line", "listing")
        .order_by("created_at", "pk")
    )
    told.extend(
        _Told(
            recipient=seller,
            kind=NotificationKind.REVIEW,
            params={"title": review.order_line.title, "rating": review.rating},
            url=review.listing.get_absolute_url() + "#reviews",
            key=f"review:{review.pk}",
            at=review.created_at,
        )
        for review in reviews
        if review.order_line is not None
    )
    return told


def _buyer_told(users: dict[str, User], listings: dict[str, Listing], *, now: datetime) -> list[_Told]:
    """The demo buyer follows a seller: the documents she published since, as catalog.follows
    tells a follower (named after the seller)."""
    buyer, seller = users[REFERENCE_REVIEWER.key], users[FOLLOWED_SELLER].seller_profile
    published = sorted(
        (listing.published_at, listing.pk, listing)
        for listing in listings.values()
        if listing.seller_id == seller.pk and listing.published_at is not None
    )
    if len(published) < 2:
        return []
    followed_at = published[-2][0] - FOLLOWED_BEFORE
    _follow_ensure(buyer=buyer, seller_user=users[FOLLOWED_SELLER], followed_at=followed_at)
    new = [(at, listing) for at, _pk, listing in published if at > followed_at]
    newest = new[-1][1]
    return [
        _Told(
            recipient=buyer,
            kind=NotificationKind.NEW_LISTING_FROM_FOLLOWED,
            params={"title": listing.title, "source": seller.display_name, "seller_id": seller.pk},
            url=listing.get_absolute_url(),
            key=f"listing:{listing.pk}",
            at=at + TOLD_AFTER_PUBLICATION,
            # The newest is waiting in the bell; the others were read, the day after.
            read=listing.pk != newest.pk and at + TOLD_AFTER_PUBLICATION + READ_AFTER < now,
        )
        for at, listing in new
    ]


def _follow_ensure(*, buyer: User, seller_user: User, followed_at: datetime) -> None:
    """The buyer follows the seller since ``followed_at`` (made once: an existing follow keeps
    its date)."""
    if Follow.objects.filter(user=buyer, seller=seller_user.seller_profile).exists():
        return
    follow = follow_create(user=buyer, seller=seller_user.seller_profile)
    # Demo history: followed before the documents it was told of, not at the load.
    Follow.objects.filter(pk=follow.pk).update(created_at=followed_at)
