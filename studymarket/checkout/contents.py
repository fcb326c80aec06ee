"""What a cart holds, as the order will have it: its listings at their own price, and its
bundles, each document at its share of the bundle price (core.pricing.split_cents over the
listings' own prices, ADR 0028). A document of a bundle the buyer owns already is left out:
they pay only the shares of the others. Prices are read fresh every time."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from studymarket.accounts.models import User
from studymarket.catalog.bundle_selectors import bundle_buyable_ids, bundle_listing_list
from studymarket.catalog.models import Bundle, BundleItem, Listing
from studymarket.checkout.selectors import listings_in_order
from studymarket.core.money import Money
from studymarket.core.pricing import split_cents
from studymarket.library.selectors import owned_document_ids
from studymarket.promotions.quotes import QuoteLine


@dataclass(frozen=True, slots=True)
class BundleDocument:
    listing: Listing
    share_cents: int  # its part of the bundle price
    owned: bool  # the buyer has it already: not bought again, not paid for

    @property
    def share(self) -> Money:
        return Money(self.share_cents, settings.CURRENCY)


@dataclass(frozen=True, slots=True)
class CartBundle:
    bundle: Bundle
    documents: tuple[BundleDocument, ...]
    buyable: bool  # offered now (bundle_on_sale): on sale, its documents too, and it saves money

    @property
    def pk(self) -> int:
        return self.bundle.pk

    @property
    def to_buy(self) -> list[BundleDocument]:
        return [document for document in self.documents if not document.owned]

    @property
    def owned_count(self) -> int:
        return len(self.documents) - len(self.to_buy)

    @property
    def price(self) -> Money:
        """What the buyer pays for it before a code: the shares of the documents they lack."""
        return Money(sum(document.share_cents for document in self.to_buy), settings.CURRENCY)

    @property
    def list_sum(self) -> Money:
        return Money(sum(d.listing.price_cents for d in self.documents), settings.CURRENCY)

    @property
    def saving(self) -> Money:
        """Against buying its documents one by one."""
        return Money(max(self.list_sum.cents - self.bundle.price_cents, 0), settings.CURRENCY)


@dataclass(frozen=True, slots=True)
class PlannedLine:
    """One line the order will have."""

    listing: Listing
    bundle_id: int | None
    list_price_cents: int

    def quote_line(self) -> QuoteLine:
        return QuoteLine(
            listing_id=self.listing.pk,
            bundle_id=self.bundle_id,
            seller_id=self.listing.seller_id,
            list_price_cents=self.list_price_cents,
        )


@dataclass(frozen=True)
class CartContents:
    listings: list[Listing] = field(default_factory=list)  # bought on their own
    bundles: list[CartBundle] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.listings or self.bundles)

    def lines(self) -> list[PlannedLine]:
        """The order's lines: the listings, then each bundle's documents the buyer lacks."""
        lines = [
            PlannedLine(listing=listing, bundle_id=None, list_price_cents=listing.price_cents)
            for listing in self.listings
        ]
        for cart_bundle in self.bundles:
            lines += [
                PlannedLine(listing=d.listing, bundle_id=cart_bundle.pk, list_price_cents=d.share_cents)
                for d in cart_bundle.to_buy
            ]
        return lines

    def all_listings(self) -> list[Listing]:
        """Every listing in the cart, bundles' documents included (owned ones too)."""
        return [*self.listings, *(d.listing for b in self.bundles for d in b.documents)]


def cart_bundles(bundle_ids: Sequence[int], *, owned: set[int]) -> list[CartBundle]:
    """The bundles with these ids (in this order; gone ones left out), priced for a buyer who
    owns the documents ``owned``: two queries for all of them."""
    items = BundleItem.objects.select_related(
        "listing__seller", "listing__course__programme__institution"
    ).order_by("position", "pk")
    bundles = {
        bundle.pk: bundle
        for bundle in Bundle.objects.filter(pk__in=bundle_ids)
        .select_related("seller")
        .prefetch_related(Prefetch("items", queryset=items))
    }
    buyable = bundle_buyable_ids(list(bundles))  # the rule every public place reads
    result = []
    for pk in bundle_ids:
        bundle = bundles.get(pk)
        listings = bundle_listing_list(bundle) if bundle is not None else []
        if bundle is None or not listings:
            continue
        shares = split_cents(bundle.price_cents, [listing.price_cents for listing in listings])
        documents = tuple(
            BundleDocument(listing=listing, share_cents=share, owned=listing.document_id in owned)
            for listing, share in zip(listings, shares, strict=True)
        )
        result.append(CartBundle(bundle=bundle, documents=documents, buyable=bundle.pk in buyable))
    return result


def cart_contents(
    *, listing_ids: Sequence[int], bundle_ids: Sequence[int], user: User | None
) -> CartContents:
    owned = owned_document_ids(user=user) if user is not None else set()
    return CartContents(
        listings=listings_in_order(listing_ids), bundles=cart_bundles(bundle_ids, owned=owned)
    )


def bundle_refusal(*, user: User | None, cart_bundle: CartBundle) -> str | None:
    """Why this buyer cannot buy this bundle (in words for them), or None."""
    if user is not None and cart_bundle.bundle.seller.user_id == user.pk:
        return _("Dit is je eigen bundel. Die kun je niet kopen.")
    if not cart_bundle.buyable:
        return bundle_gone_refusal()
    if not cart_bundle.to_buy:
        return _("Je hebt alle documenten van deze bundel al.")
    return None


def bundle_gone_refusal() -> str:
    return _("Deze bundel is niet meer te koop.")
