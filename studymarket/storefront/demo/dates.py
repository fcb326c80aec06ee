"""Puts right the dates of demo data loaded before they told one story (issue 16): documents and
their first versions dated the day of loading ("Geüpload 6 december 2026" next to a listing
published on 30 juli 2021), accounts that joined after their first upload or purchase.

A fresh load dates everything as it goes (load.py); this only changes rows that are still out
of order, so running it again, or on a fresh load, changes nothing."""

from datetime import datetime, timedelta

from django.db.models import Min

from studymarket.accounts.models import SellerProfile, User
from studymarket.catalog.models import Listing
from studymarket.documents.models import Document, DocumentVersion
from studymarket.orders.models import Order, OrderStatus
from studymarket.storefront.demo.listings import demo_listings
from studymarket.storefront.demo.plan import listing_published_at, listing_uploaded_at

# An account older than its first upload or purchase by at least this much.
_JOINED_BEFORE = timedelta(days=2)


def demo_dates_settle(
    *, listings: dict[str, Listing], users: dict[str, User], joined: dict[str, datetime]
) -> None:
    for spec in demo_listings():
        listing = listings.get(spec.slug)
        if listing is None or listing.published_at is None:
            continue
        published = listing.published_at
        # The plan's processing time (minutes), before this database's publication date.
        processing = listing_published_at(spec, now=published) - listing_uploaded_at(spec, now=published)
        uploaded = published - processing
        Document.objects.filter(pk=listing.document_id, created_at__gt=published).update(
            created_at=uploaded, updated_at=published
        )
        first_version = DocumentVersion.objects.filter(document_id=listing.document_id, number=1)
        first_version.filter(created_at__gt=published).update(
            created_at=uploaded, updated_at=published, processing_started_at=uploaded, processed_at=published
        )
    for key, user in users.items():
        paid = Order.objects.filter(buyer=user, status=OrderStatus.PAID)
        firsts = [
            Document.objects.filter(seller__user=user).aggregate(first=Min("created_at"))["first"],
            paid.aggregate(first=Min("paid_at"))["first"],
        ]
        first = min((moment for moment in firsts if moment is not None), default=None)
        when = joined[key] if first is None or joined[key] < first else first - _JOINED_BEFORE
        User.objects.filter(pk=user.pk, date_joined__gt=when).update(date_joined=when)
        # A seller from the day after joining (load.py), so before their first upload.
        became_seller = when + timedelta(days=1)
        SellerProfile.objects.filter(user=user, created_at__gt=became_seller).update(
            created_at=became_seller, updated_at=became_seller
        )
