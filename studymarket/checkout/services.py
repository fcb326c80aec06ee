from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from studymarket.accounts.models import User
from studymarket.catalog.models import Listing
from studymarket.checkout.bundles import cart_bundle_holding, cart_bundle_put, in_bundle_refusal
from studymarket.checkout.contents import (
    CartContents,
    PlannedLine,
    bundle_refusal,
    cart_bundles,
    cart_contents,
)
from studymarket.checkout.models import Cart, CartItem
from studymarket.checkout.prune import cart_prune
from studymarket.checkout.selectors import (
    PAYMENT_PAYABLE,
    cart_ids,
    claim_refusal,
    listings_in_order,
    open_order_claims,
    order_payment_latest,
    purchase_refusals,
)
from studymarket.checkout.totals import Discounts, lines_discounted
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.library.selectors import owned_document_ids
from studymarket.orders.models import Order, OrderStatus
from studymarket.orders.selectors import order_get_for_buyer, order_line_list
from studymarket.orders.services import order_cancel, order_create
from studymarket.orders.specs import LineSpec
from studymarket.orders.states import order_lock
from studymarket.payments.models import Payment, PaymentMethod
from studymarket.payments.services import payment_start
from studymarket.promotions.services import discount_redeem


def _cart_locked(*, user: User) -> Cart:
    """The buyer's cart row, locked until the transaction ends: two checkouts of one cart
    (two tabs, a double click) run one after the other, and the second finds the first's order."""
    cart, _created = Cart.objects.select_for_update().get_or_create(user=user)
    return cart


@transaction.atomic
def cart_item_add(*, user: User, listing: Listing) -> bool:
    """Put a listing in the buyer's cart; False if it was there already. Refuses (ApplicationError)
    the buyer's own documents, those they already have, and one that is in a bundle in the cart."""
    refusals = purchase_refusals(user=user, listings=[listing])
    if refusals:
        raise ApplicationError(refusals[listing.pk])
    cart, _created = Cart.objects.get_or_create(user=user)
    cart_prune(user=user)
    bundle = cart_bundle_holding(bundle_ids=cart_ids(user=user).bundle_ids, listing_id=listing.pk)
    if bundle is not None:
        raise ApplicationError(in_bundle_refusal(bundle))
    _item, created = CartItem.objects.get_or_create(cart=cart, listing=listing)
    return created


def cart_item_remove(*, user: User, listing_id: int) -> None:
    CartItem.objects.filter(cart__user=user, listing_id=listing_id).delete()


@transaction.atomic
def cart_merge(
    *, user: User, listing_ids: Sequence[int], bundle_ids: Sequence[int] = (), discount_code: str = ""
) -> list[tuple[str, str]]:
    """Move a visitor's session cart into their account's cart (at login or sign-up). Returns
    what was left out (its title, the reason): the buyer's own, ones they already have, a
    listing that is in a bundle of the cart (the bundle stays: it is the better buy). The
    visitor's code replaces none the account had; it is quoted again when the cart is shown."""
    cart, _created = Cart.objects.get_or_create(user=user)
    cart_prune(user=user)
    left_out: list[tuple[str, str]] = []
    for cart_bundle in cart_bundles(bundle_ids, owned=owned_document_ids(user=user)):
        try:
            cart_bundle_put(user=user, cart=cart, cart_bundle=cart_bundle)
        except ApplicationError as exc:
            left_out.append((cart_bundle.bundle.title, exc.message))
    listings = listings_in_order(listing_ids)
    refusals = purchase_refusals(user=user, listings=listings)
    in_cart_bundles = cart_ids(user=user).bundle_ids
    for listing in listings:
        bundle = cart_bundle_holding(bundle_ids=in_cart_bundles, listing_id=listing.pk)
        if listing.pk in refusals:
            left_out.append((listing.title, refusals[listing.pk]))
        elif bundle is not None:
            left_out.append((listing.title, in_bundle_refusal(bundle)))
        else:
            CartItem.objects.get_or_create(cart=cart, listing=listing)
    cart.refresh_from_db(fields=["discount_code"])
    if discount_code and not cart.discount_code:
        cart.discount_code = discount_code
        cart.save(update_fields=["discount_code", "updated_at"])
    return left_out


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
    cart = _cart_locked(user=user)
    existing = Order.objects.filter(checkout_token=checkout_token).first()
    if existing is not None:
        if existing.buyer_id != user.pk:
            raise ApplicationError(
                _("Deze betaalpagina is verlopen. Open je winkelwagen en probeer het opnieuw.")
            )
        return existing
    cart_prune(user=user)
    cart.refresh_from_db(fields=["discount_code"])
    ids = cart_ids(user=user)
    # Prices are read now, not taken from the page the buyer saw.
    contents = cart_contents(listing_ids=ids.listing_ids, bundle_ids=ids.bundle_ids, user=user)
    if not contents:
        raise ApplicationError(_("Je winkelwagen is leeg."))
    _refuse_unbuyable_cart(user=user, contents=contents)
    lines = contents.lines()
    discounts = _discounts_at_checkout(user=user, lines=lines, code=cart.discount_code)
    pending = discounts.pending
    _claim(user=user, listings=[line.listing for line in lines], keep=pending)
    if pending is not None:
        return pending
    funder = discounts.funder
    specs = [
        LineSpec(
            listing=line.listing,
            bundle_id=line.bundle_id,
            list_price_cents=line.list_price_cents,
            discount_cents=discount,
            discount_funder=funder if discount else "",
        )
        for line, discount in zip(lines, discounts.per_line, strict=True)
    ]
    quote = discounts.quote
    order = order_create(
        buyer=user,
        lines=specs,
        checkout_token=checkout_token,
        language=language,
        discount_code=quote.code if quote is not None else "",
    )
    if quote is not None:
        # In this transaction: a code used up meanwhile (its last use, or this buyer's one use
        # in another tab) undoes the order, and the buyer gets the reason.
        try:
            discount_redeem(
                code_id=quote.code_id, buyer=user, order_id=order.pk, total_cents=quote.total_cents
            )
        except ApplicationError as exc:
            raise _code_refused(code=quote.code, reason=exc.message) from exc
    return order


def _discounts_at_checkout(*, user: User, lines: list[PlannedLine], code: str) -> Discounts:
    """The code quoted again on today's prices ("" for none); its refusal says what to do."""
    try:
        return lines_discounted(user=user, lines=lines, code=code)
    except ApplicationError as exc:
        raise _code_refused(code=code, reason=exc.message) from exc


def _code_refused(*, code: str, reason: str) -> ApplicationError:
    return ApplicationError(
        _(
            "Kortingscode %(code)s: %(reason)s Verwijder de code in je winkelwagen om zonder "
            "korting af te rekenen."
        )
        % {"code": code, "reason": reason}
    )


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


def _refuse_unbuyable_cart(*, user: User, contents: CartContents) -> None:
    """The cart's own listings as before; a bundle as a whole (its documents the buyer has
    already are simply left out of the order)."""
    _refuse_unbuyable(user=user, listings=contents.listings)
    reasons = []
    for cart_bundle in contents.bundles:
        refusal = bundle_refusal(user=user, cart_bundle=cart_bundle)
        if refusal:
            reasons.append(f"{cart_bundle.bundle.title}: {refusal}")
    listing_ids = [line.listing.pk for line in contents.lines()]
    if not reasons and len(set(listing_ids)) != len(listing_ids):
        # The cart's writes keep this from happening; an order has one line per document.
        reasons.append(_("Een document staat twee keer in je winkelwagen. Haal een bundel of document weg."))
    if reasons:
        raise ApplicationError(" ".join(reasons))


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
