"""Bundles (issue 17, ADR 0028): the seller groups two or more of their own published listings of
one course and sells them together below their summed price.

The rules, checked on every write and again when the bundle goes on sale:
- at least two different listings, all the seller's own and all on sale;
- all of one course (the bundle's course);
- a price of at least the lowest price a listing may have, and below the listings' summed price.

A rule broken raises ValidationError keyed by the field the seller can change ("listing_ids",
"price_cents", "title"): the form and the API show it at that field. A bundle's state machine
(docs/state-machines.md): draft → published ⇄ withdrawn; "already there" returns quietly.
"""

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.models import (
    LISTING_MIN_PRICE_CENTS,
    Bundle,
    BundleItem,
    BundleStatus,
    Listing,
    ListingStatus,
)
from studymarket.core.audit import audit_record
from studymarket.core.formatting import money_display
from studymarket.core.money import Money
from studymarket.core.page_cache import public_pages_changed

BUNDLE_MIN_ITEMS = 2
# A bundle is a handful of documents for one course, not a shop: the cart and the page stay small.
BUNDLE_MAX_ITEMS = 20
_SLUG_MAX = Bundle._meta.get_field("slug").max_length or 220

S = BundleStatus
# To a state (key) from these states. A bundle is created as a draft (bundle_create).
ALLOWED: dict[str, frozenset[str]] = {
    S.PUBLISHED: frozenset({S.DRAFT, S.WITHDRAWN}),
    S.WITHDRAWN: frozenset({S.PUBLISHED}),
}


def bundle_create(
    *,
    seller: SellerProfile,
    title: str,
    description: str,
    price_cents: int,
    listing_ids: Sequence[int],
) -> Bundle:
    """A draft bundle of the seller's listings, in the order given; bundle_publish puts it on sale."""
    with transaction.atomic():
        listings = _listings_checked(seller=seller, listing_ids=listing_ids, price_cents=price_cents)
        bundle = Bundle(seller=seller, course_id=listings[0].course_id, price_cents=price_cents)
        _describe(bundle, title=title, description=description)
        bundle.save()
        _items_set(bundle, listings)
        audit_record(
            action="bundle.created",
            obj=bundle,
            actor=seller.user,
            price_cents=price_cents,
            listing_ids=[listing.pk for listing in listings],
        )
    return bundle


def bundle_update(
    *,
    bundle_id: int,
    seller: SellerProfile,
    title: str,
    description: str,
    price_cents: int,
    listing_ids: Sequence[int],
) -> Bundle:
    """New title, description, price or documents for the seller's own bundle, in any state.

    Raises Bundle.DoesNotExist for a bundle that is not the seller's (a 404, not a refusal)."""
    with transaction.atomic():
        bundle = Bundle.objects.select_for_update().get(pk=bundle_id, seller=seller)
        listings = _listings_checked(seller=seller, listing_ids=listing_ids, price_cents=price_cents)
        bundle.course_id = listings[0].course_id
        bundle.price_cents = price_cents
        _describe(bundle, title=title, description=description)
        bundle.save()
        _items_set(bundle, listings)
        audit_record(
            action="bundle.updated",
            obj=bundle,
            actor=seller.user,
            price_cents=price_cents,
            listing_ids=[listing.pk for listing in listings],
        )
        public_pages_changed()  # the bundle's page, its listings' pages, course, seller, search
    return bundle


def bundle_publish(*, bundle_id: int, seller: SellerProfile) -> Bundle:
    """Draft or withdrawn → published, once the rules still hold (a listing may have gone
    offline since the bundle was made). Raises Bundle.DoesNotExist for another seller's bundle."""

    def check(bundle: Bundle) -> None:
        listing_ids = list(bundle.items.order_by("position", "pk").values_list("listing_id", flat=True))
        listings = _listings_checked(seller=seller, listing_ids=listing_ids, price_cents=bundle.price_cents)
        if listings[0].course_id != bundle.course_id:
            raise ValidationError(
                {"listing_ids": _("Alle documenten in een bundel horen bij hetzelfde vak.")}
            )

    return _transition(bundle_id=bundle_id, seller=seller, to=S.PUBLISHED, check=check)


def bundle_withdraw(*, bundle_id: int, seller: SellerProfile, reason: str = "") -> Bundle:
    """Published → withdrawn: no longer sold or shown; its page says so (410). Earlier buyers
    keep their documents. Raises Bundle.DoesNotExist for another seller's bundle."""
    return _transition(bundle_id=bundle_id, seller=seller, to=S.WITHDRAWN, reason=reason)


def _transition(
    *, bundle_id: int, seller: SellerProfile, to: BundleStatus, check: Any = None, **details: Any
) -> Bundle:
    with transaction.atomic():
        bundle = Bundle.objects.select_for_update().get(pk=bundle_id, seller=seller)
        before = bundle.status
        if before == to or before not in ALLOWED[to]:
            return bundle
        if check is not None:
            check(bundle)
        bundle.status = to
        fields = ["status", "updated_at"]
        if to == S.PUBLISHED and bundle.published_at is None:
            bundle.published_at = timezone.now()
            fields.append("published_at")
        bundle.save(update_fields=fields)
        audit_record(action=f"bundle.{to}", obj=bundle, actor=seller.user, before=before, **details)
        public_pages_changed()
    return bundle


def _describe(bundle: Bundle, *, title: str, description: str) -> None:
    bundle.title = title.strip()
    bundle.description = description.strip()
    bundle.slug = slugify(bundle.title)[:_SLUG_MAX].strip("-") or "bundel"
    if not bundle.title:
        raise ValidationError({"title": _("Geef je bundel een titel.")})
    bundle.full_clean(exclude=["seller", "course", "price_cents"])


def _items_set(bundle: Bundle, listings: list[Listing]) -> None:
    bundle.items.all().delete()
    BundleItem.objects.bulk_create(
        BundleItem(bundle=bundle, listing=listing, position=position)
        for position, listing in enumerate(listings)
    )


def _listings_checked(
    *, seller: SellerProfile, listing_ids: Sequence[int], price_cents: int
) -> list[Listing]:
    """The listings in the order given, if they and the price keep the rules; else ValidationError."""
    ids = list(dict.fromkeys(listing_ids))  # the same document twice counts once
    if len(ids) < BUNDLE_MIN_ITEMS:
        raise ValidationError({"listing_ids": _("Kies minstens twee documenten voor je bundel.")})
    if len(ids) > BUNDLE_MAX_ITEMS:
        raise ValidationError(
            {"listing_ids": _("Een bundel heeft hoogstens %(max)d documenten.") % {"max": BUNDLE_MAX_ITEMS}}
        )
    found = Listing.objects.filter(pk__in=ids, seller=seller).in_bulk()
    if len(found) != len(ids):
        raise ValidationError({"listing_ids": _("Je kunt alleen je eigen documenten bundelen.")})
    listings = [found[pk] for pk in ids]
    offline = [listing.title for listing in listings if listing.status != ListingStatus.PUBLISHED]
    if offline:
        message = _(
            "Alleen documenten die online staan kun je bundelen. Zet ze eerst online of haal ze uit "
            "de bundel: %(titles)s."
        ) % {"titles": ", ".join(offline)}
        raise ValidationError({"listing_ids": message})
    if len({listing.course_id for listing in listings}) > 1:
        raise ValidationError(
            {
                "listing_ids": _(
                    "Alle documenten in een bundel horen bij hetzelfde vak. Maak per vak een bundel."
                )
            }
        )
    total = sum(listing.price_cents for listing in listings)
    if price_cents < LISTING_MIN_PRICE_CENTS:
        raise ValidationError(
            {
                "price_cents": _("De bundelprijs is minimaal %(min)s.")
                % {"min": money_display(Money(LISTING_MIN_PRICE_CENTS))}
            }
        )
    if price_cents >= total:
        raise ValidationError(
            {
                "price_cents": _(
                    "Maak de bundel goedkoper dan de documenten los: die kosten samen %(total)s."
                )
                % {"total": money_display(Money(total))}
            }
        )
    return listings
