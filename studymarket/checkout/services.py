from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from studymarket.accounts.models import User
from studymarket.catalog.models import Listing
from studymarket.checkout.models import Cart, CartItem
from studymarket.checkout.selectors import (
    PAYMENT_PAYABLE,
    cart_items_spent,
    cart_listing_list,
    claim_refusal,
    listings_in_order,
    open_order_claims,
    order_payment_latest,
    purchase_refusals,
)
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.orders.models import Order, OrderStatus
from studymarket.orders.selectors import order_get_for_buyer, order_line_list, order_pending_matching
from studymarket.orders.services import order_cancel, order_create
from studymarket.orders.states import order_lock
from studymarket.payments.models import Payment, PaymentMethod
from studymarket.payments.services import payment_start


def _cart_locked(*, user: User) -> Cart:
    """The buyer's cart row, locked until the transaction ends: two checkouts of one cart
    (two tabs, a double click) run one after the other, and the second finds the first's order."""
    cart, _created = Cart.objects.select_for_update().get_or_create(user=user)
    return cart


def _cart_prune(*, user: User) -> None:
    cart_items_spent(user=user).delete()


@transaction.atomic
def cart_item_add(*, user: User, listing: Listing) -> bool:
    """Put a listing in the buyer's cart; False if it was there already. Refuses (ApplicationError)
    the buyer's own documents and those they already have."""
    refusals = purchase_refusals(user=user, listings=[listing])
    if refusals:
        raise ApplicationError(refusals[listing.pk])
    cart, _created = Cart.objects.get_or_create(user=user)
    _cart_prune(user=user)
    _item, created = CartItem.objects.get_or_create(cart=cart, listing=listing)
    return created


def cart_item_remove(*, user: User, listing_id: int) -> None:
    CartItem.objects.filter(cart__user=user, listing_id=listing_id).delete()


@transaction.atomic
def cart_merge(*, user: User, listing_ids: Sequence[int]) -> list[tuple[Listing, str]]:
    """Move a visitor's session cart into their account's cart (at login or sign-up). Returns
    the listings left out, each with the reason: the buyer's own, or ones they already have."""
    listings = listings_in_order(listing_ids)
    refusals = purchase_refusals(user=user, listings=listings)
    cart, _created = Cart.objects.get_or_create(user=user)
    _cart_prune(user=user)
    for listing in listings:
        if listing.pk not in refusals:
            CartItem.objects.get_or_create(cart=cart, listing=listing)
    return [(listing, refusals[listing.pk]) for listing in listings if listing.pk in refusals]


def checkout_start(
    *,
    user: User,
    checkout_token: str,
    method: str,
    withdrawal_consent: bool,
    language: str | None = None,
) -> Payment:
    """Turn the buyer's cart into an order and start paying it; returns the payment to send the
    buyer to (its checkout_url), or the paid one if this checkout was paid already.

    Idempotent by ``checkout_token`` (one per rendering of the checkout page): a double click or
    a resubmitted form finds the order it made, and the payment that is still open. The
    provider is called after the order is committed, never inside the transaction.

    ``withdrawal_consent``: the buyer ticked both boxes of the checkout form (consent to
    delivery at once, acknowledgement that the right of withdrawal then ends; CheckoutForm
    refuses "Betalen" without them). It is stored on the order, with the time and the legal
    texts' version, in the transaction that makes or continues the order.
    """
    if not withdrawal_consent:
        # No order and no payment without it (CRD art. 16(m)); any caller, not only the form.
        raise ApplicationError(
            _(
                "Vink beide vakjes aan om te betalen: zonder je toestemming kunnen we de documenten "
                "niet direct leveren. Je winkelwagen blijft bewaard."
            )
        )
    if method not in PaymentMethod.values:
        raise ApplicationError(_("Kies een betaalmethode."))
    order = _checkout_order(
        user=user, checkout_token=checkout_token, language=language, withdrawal_consent=withdrawal_consent
    )
    return _payment_for(order=order, method=method)


@transaction.atomic
def _checkout_order(
    *, user: User, checkout_token: str, language: str | None, withdrawal_consent: bool
) -> Order:
    order = _checkout_order_find_or_create(user=user, checkout_token=checkout_token, language=language)
    if withdrawal_consent:
        _withdrawal_consent_record(order_id=order.pk, user=user)
        order.refresh_from_db()
    return order


def _checkout_order_find_or_create(*, user: User, checkout_token: str, language: str | None) -> Order:
    _cart_locked(user=user)
    existing = Order.objects.filter(checkout_token=checkout_token).first()
    if existing is not None:
        if existing.buyer_id != user.pk:
            raise ApplicationError(
                _("Deze betaalpagina is verlopen. Open je winkelwagen en probeer het opnieuw.")
            )
        return existing
    _cart_prune(user=user)
    listings = cart_listing_list(user=user)
    if not listings:
        raise ApplicationError(_("Je winkelwagen is leeg."))
    _refuse_unbuyable(user=user, listings=listings)
    pending = order_pending_matching(buyer=user, listings=listings)
    _claim(user=user, listings=listings, keep=pending)
    if pending is not None:
        return pending
    return order_create(buyer=user, listings=listings, checkout_token=checkout_token, language=language)


def _withdrawal_consent_record(*, order_id: int, user: User) -> None:
    """Store the buyer's consent and acknowledgement on an order not paid yet, once: a double
    submit or a second checkout of the same cart keeps the first (the one given before the
    first payment could start). In the caller's transaction, under the order's row lock."""
    order = order_lock(order_id)
    if order.immediate_delivery_consent_at is not None or order.status != OrderStatus.PENDING:
        return
    now = timezone.now()
    order.immediate_delivery_consent_at = now
    order.withdrawal_waiver_acknowledged_at = now
    order.legal_texts_version = settings.LEGAL_TEXTS_VERSION
    order.save(
        update_fields=[
            "immediate_delivery_consent_at",
            "withdrawal_waiver_acknowledged_at",
            "legal_texts_version",
            "updated_at",
        ]
    )
    audit_record(
        action="order.withdrawal_consent",
        obj=order,
        actor=user,
        consent_at=now.isoformat(),
        acknowledged_at=now.isoformat(),
        legal_texts_version=order.legal_texts_version,
    )


def checkout_retry(*, user: User, order_number: str, method: str) -> Payment:
    """The "Opnieuw proberen" button: a new payment for the same order (same lines and prices)
    after the last one failed, was canceled or expired. Raises Order.DoesNotExist for an order
    that is not this buyer's."""
    if method not in PaymentMethod.values:
        raise ApplicationError(_("Kies een betaalmethode."))
    order = order_get_for_buyer(number=order_number, buyer=user)
    if order.status == OrderStatus.PENDING:
        _retry_claim(user=user, order=order)
        order.refresh_from_db()
    return _payment_for(order=order, method=method)


@transaction.atomic
def _retry_claim(*, user: User, order: Order) -> None:
    _cart_locked(user=user)  # one claim at a time per buyer, as in checkout_start
    listings = [line.listing for line in order_line_list(order=order)]
    _refuse_unbuyable(user=user, listings=listings)
    _claim(user=user, listings=listings, keep=order)


def _claim(*, user: User, listings: list[Listing], keep: Order | None) -> None:
    """Make ``keep`` (or the order about to be made) the only open order for its documents, so
    that a buyer never pays twice for one (issue 12). Another pending order that may still be
    paid (an open or pending payment: an open tab, an iDEAL confirmation on its way) claims its
    documents: refused, with what the buyer can do. One that can no longer be paid (its
    payments ended) is canceled, so that it is not retried into a second payment. Under the
    buyer's cart lock; each order checked again under its own row lock, which payment_start
    takes too before it adds a payment."""
    claims = open_order_claims(user=user, listings=listings, exclude_order_id=keep.pk if keep else None)
    titles = {listing.pk: listing.title for listing in listings}
    refused: dict[int, str] = {}
    for claim in claims:
        if claim.payable or not _order_supersede(order_id=claim.order.pk):
            refused.setdefault(claim.listing_id, claim_refusal(claim))
    if refused:
        raise ApplicationError(" ".join(f"{titles[pk]}: {reason}" for pk, reason in refused.items()))


def _order_supersede(*, order_id: int) -> bool:
    """Cancel a pending order none of whose payments can be paid any more; False if one can
    (a payment started since the claims were read)."""
    order = order_lock(order_id)
    if order.status != OrderStatus.PENDING:
        # Canceled by an earlier claim of this checkout: done. Paid meanwhile: the buyer has it.
        return order.status != OrderStatus.PAID
    if Payment.objects.filter(order_id=order_id, status__in=PAYMENT_PAYABLE).exists():
        return False
    order_cancel(order_id=order_id, reason="superseded by a new checkout")
    return True


def _refuse_unbuyable(*, user: User, listings: list[Listing]) -> None:
    refusals = purchase_refusals(user=user, listings=listings)
    if refusals:
        titles = {listing.pk: listing.title for listing in listings}
        raise ApplicationError(" ".join(f"{titles[pk]}: {reason}" for pk, reason in refusals.items()))


def _payment_for(*, order: Order, method: str) -> Payment:
    if order.status == OrderStatus.PAID:
        paid = order_payment_latest(order=order)
        if paid is not None:
            return paid
    if order.status != OrderStatus.PENDING:
        raise ApplicationError(_("Deze bestelling kan niet meer betaald worden. Reken opnieuw af."))
    # payment_start hands back the payment still open for this method (or still pending at the
    # bank), and otherwise starts the next attempt: a double click gets one payment.
    return payment_start(order=order, method=method)
