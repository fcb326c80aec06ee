from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from studymarket.accounts.models import User
from studymarket.catalog.models import Listing, ListingStatus
from studymarket.catalog.selectors import listing_published_list
from studymarket.checkout.models import CartItem
from studymarket.library.selectors import owned_document_ids
from studymarket.orders.models import Order, OrderLine, OrderStatus
from studymarket.payments.models import Payment, PaymentStatus


def cart_items_spent(*, user: User) -> QuerySet[CartItem]:
    """Items bought after they were put in the cart. Paying is the orders app's business, and
    orders sits below checkout, so a purchase cannot empty the cart itself: the cart treats
    these as gone, and its own writes delete them. A bundle is spent once an order that holds
    it (any of its lines) was paid."""
    paid_since = OrderLine.objects.filter(
        order__buyer=user, order__status=OrderStatus.PAID, order__paid_at__gte=OuterRef("added_at")
    )
    listing_bought = paid_since.filter(listing_id=OuterRef("listing_id"))
    bundle_bought = paid_since.filter(bundle_id=OuterRef("bundle_id"))
    return CartItem.objects.filter(cart__user=user).filter(Exists(listing_bought) | Exists(bundle_bought))


@dataclass(frozen=True, slots=True)
class CartIds:
    """What a cart holds, by id, oldest first; ``count`` counts documents (a bundle's each)."""

    listing_ids: list[int] = field(default_factory=list)
    bundle_ids: list[int] = field(default_factory=list)
    count: int = 0


def cart_ids(*, user: User) -> CartIds:
    """A signed-in buyer's cart (listings on sale, bundles of any state: a bundle gone off sale
    stays, marked, until the buyer takes it out), minus what was bought since
    (cart_items_spent), read in two plain queries (the second only for a cart that holds
    something), since this runs on every page a signed-in buyer sees (the header's count) and
    building the one query with its nested subqueries took a sixth of such a page's time
    (issue 14)."""
    items = list(
        CartItem.objects.filter(cart__user=user)
        .filter(Q(listing__status=ListingStatus.PUBLISHED) | Q(bundle__isnull=False))
        .annotate(documents=Count("bundle__items"))
        .order_by("added_at", "pk")
        .values_list("listing_id", "bundle_id", "added_at", "documents")
    )
    if not items:
        return CartIds()
    # cart_items_spent: bought (paid) at or after the moment it was put in the cart.
    listing_ids = {row[0] for row in items if row[0] is not None}
    bundle_ids = {row[1] for row in items if row[1] is not None}
    paid: dict[tuple[str, int], datetime] = {}
    lines = OrderLine.objects.filter(order__buyer=user, order__status=OrderStatus.PAID).filter(
        Q(listing_id__in=listing_ids) | Q(bundle_id__in=bundle_ids)
    )
    for listing_id, bundle_id, paid_at in lines.values_list("listing_id", "bundle_id", "order__paid_at"):
        for key in (("listing", listing_id), ("bundle", bundle_id)):
            if paid_at is not None and key[1] is not None and (key not in paid or paid_at > paid[key]):
                paid[key] = paid_at
    listing_ids_kept: list[int] = []
    bundle_ids_kept: list[int] = []
    count = 0
    for listing_id, bundle_id, added_at, documents in items:
        key = ("listing", listing_id) if listing_id is not None else ("bundle", bundle_id)
        if key in paid and paid[key] >= added_at:
            continue
        if listing_id is not None:
            listing_ids_kept.append(listing_id)
            count += 1
        else:
            bundle_ids_kept.append(bundle_id)
            count += documents
    return CartIds(listing_ids=listing_ids_kept, bundle_ids=bundle_ids_kept, count=count)


def cart_listing_ids(*, user: User) -> list[int]:
    """The listings in a signed-in buyer's cart bought on their own, oldest first."""
    return cart_ids(user=user).listing_ids


def listings_in_order(ids: Sequence[int]) -> list[Listing]:
    """Published listings with these ids, in the order given (a cart's order)."""
    by_id = {listing.pk: listing for listing in listing_published_list().filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def cart_listing_list(*, user: User) -> list[Listing]:
    return listings_in_order(cart_listing_ids(user=user))


def purchase_refusals(*, user: User, listings: Iterable[Listing]) -> dict[int, str]:
    """listing id → why this user cannot buy it (in words for them), for those they cannot buy:
    their own documents and the ones they already have."""
    owned = owned_document_ids(user=user)
    refusals = {}
    for listing in listings:
        if listing.seller.user_id == user.pk:
            refusals[listing.pk] = _("Dit is je eigen document. Dat kun je niet kopen.")
        elif listing.document_id in owned:
            refusals[listing.pk] = _("Je hebt dit document al gekocht. Je vindt het in Mijn documenten.")
    return refusals


# An order younger than this without a payment is a checkout about to start its payment (the
# order is committed before the provider is called): it holds its documents like one with an
# open payment. Older, it was left behind (the process died in between) and holds nothing.
ORDER_STARTING = timedelta(minutes=5)
# A payment in one of these states may still be paid.
PAYMENT_PAYABLE = (PaymentStatus.OPEN, PaymentStatus.PENDING)


@dataclass(frozen=True, slots=True)
class OpenOrderClaim:
    """A listing of the cart that another pending order of the buyer has too."""

    order: Order
    listing_id: int
    payable: bool  # that order may still be paid: its document is claimed


def open_order_claims(
    *, user: User, listings: Iterable[Listing], exclude_order_id: int | None = None
) -> list[OpenOrderClaim]:
    """The buyer's other pending orders that hold any of ``listings``' documents, each with
    whether it may still be paid (an open or pending payment, or a checkout just starting its
    payment). A claimed document may not go into a second order: both could be paid."""
    by_document = {listing.document_id: listing.pk for listing in listings}
    lines = (
        OrderLine.objects.filter(
            order__buyer=user, order__status=OrderStatus.PENDING, listing__document_id__in=by_document
        )
        .exclude(order_id=exclude_order_id or 0)
        .select_related("order", "listing")
        .order_by("order__created_at", "order_id", "pk")
    )
    payable = Payment.objects.filter(order_id=OuterRef("order_id"), status__in=PAYMENT_PAYABLE)
    any_payment = Payment.objects.filter(order_id=OuterRef("order_id"))
    starting_since = timezone.now() - ORDER_STARTING
    lines = lines.annotate(payable=Exists(payable), paid_for=Exists(any_payment))
    return [
        OpenOrderClaim(
            order=line.order,
            listing_id=by_document[line.listing.document_id],
            payable=line.payable or (not line.paid_for and line.order.created_at >= starting_since),
        )
        for line in lines
    ]


def claim_refusal(claim: OpenOrderClaim) -> str:
    return _(
        "Dit document staat al in je openstaande bestelling %(number)s. Rond die betaling af, "
        "of wacht tot ze verloopt en probeer het dan opnieuw."
    ) % {"number": claim.order.number}


def order_payment_latest(*, order: Order) -> Payment | None:
    return Payment.objects.filter(order=order).order_by("-created_at", "-pk").first()


class PaymentState(StrEnum):
    """What the buyer's return page says about an order."""

    PAID = "paid"
    WAITING = "waiting"  # the provider has not told us the outcome yet
    FAILED = "failed"
    CANCELED = "canceled"
    EXPIRED = "expired"
    NOT_STARTED = "not_started"  # the provider never gave us a checkout page (it was down)


# A payment in one of these states is over: paying again means a new payment.
PAYMENT_ENDED = {
    PaymentStatus.FAILED: PaymentState.FAILED,
    PaymentStatus.CANCELED: PaymentState.CANCELED,
    PaymentStatus.EXPIRED: PaymentState.EXPIRED,
}


def order_payment_state(*, order: Order) -> tuple[PaymentState, Payment | None]:
    payment = order_payment_latest(order=order)
    if order.status == OrderStatus.PAID:
        return PaymentState.PAID, payment
    if payment is None or (payment.status == PaymentStatus.OPEN and not payment.checkout_url):
        return PaymentState.NOT_STARTED, payment
    return PAYMENT_ENDED.get(PaymentStatus(payment.status), PaymentState.WAITING), payment
