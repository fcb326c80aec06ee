"""Discount codes (ADR 0028): what a code takes off an order (discount_quote), recording its use
inside checkout's transaction (discount_redeem), and the seller's codes (made and switched off).

Guessing is made useless three ways: generated codes are long and random (codes.py); an unknown,
switched-off, not yet valid or expired code all get one and the same answer, so a guess learns
nothing more than "no"; and codes that do not exist are counted per account and per client IP
(settings.RATE_LIMITS "discount_code_user" / "discount_code_ip"), and refused once over."""

from collections.abc import Sequence
from datetime import date
from fractions import Fraction

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from studymarket.accounts.models import SellerProfile, User
from studymarket.catalog.models import Bundle, BundleItem, Listing
from studymarket.core import clock
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.core.money import Money
from studymarket.core.pricing import FUNDER_PLATFORM, FUNDER_SELLER, max_discount_cents, split_cents
from studymarket.core.ratelimits import rate_limit_hit, rate_limit_peek
from studymarket.core.security_log import security_event
from studymarket.orders.models import Order, OrderStatus
from studymarket.promotions.codes import code_generate, code_normalise, code_well_formed
from studymarket.promotions.models import (
    PERCENT_MAX,
    PERCENT_MIN,
    DiscountCode,
    DiscountKind,
    DiscountRedemption,
)
from studymarket.promotions.quotes import DiscountQuote, Funder, QuoteLine
from studymarket.promotions.selectors import code_buyer_redemption, code_get, code_uses, code_valid_on

LIMIT_USER = "discount_code_user"
LIMIT_IP = "discount_code_ip"
GENERATE_ATTEMPTS = 5
# An error about the code the seller chose: the form shows it next to that field.
CODE_FIELD: dict[str, object] = {"field": "code"}


def _unknown() -> str:
    # One answer for unknown, switched off, not yet valid and expired: no enumeration.
    return _("Deze kortingscode kennen we niet of hij is niet (meer) geldig.")


def _too_many() -> str:
    return _("Te veel onjuiste codes geprobeerd. Probeer het over een uur opnieuw.")


def today() -> date:
    """The day in the site's time zone by the application's clock: codes are valid in whole days."""
    return timezone.localdate(clock.now())


# --- Counting wrong codes ---------------------------------------------------------------------


def _attempt_keys(*, user_id: int | None, ip: str | None) -> list[tuple[str, str]]:
    keys = []
    if user_id is not None:
        keys.append((LIMIT_USER, f"user:{user_id}"))
    if ip and ip not in settings.RATE_LIMIT_EXEMPT_IPS:
        keys.append((LIMIT_IP, f"ip:{ip}"))
    return keys


def _attempts_check(keys: list[tuple[str, str]]) -> None:
    """Refuse before looking anything up once a key has had its wrong codes: a right code is
    refused too then, or guessing could go on until one was right."""
    for name, key in keys:
        usage = rate_limit_peek(name=name, key=key)
        if usage is not None and usage.limited:
            security_event("discount_code_limited", limit=name)
            raise ApplicationError(_too_many(), extra={"retry_after": usage.retry_after})


def _attempt_wrong(keys: list[tuple[str, str]]) -> None:
    for name, key in keys:
        rate_limit_hit(name=name, key=key)
    security_event("discount_code_wrong")  # never the code itself


def _user_id(user: User | AnonymousUser | None) -> int | None:
    return user.pk if user is not None and user.is_authenticated else None


# --- Quote ------------------------------------------------------------------------------------


def discount_quote(
    *,
    code: str,
    buyer: User | AnonymousUser | None,
    lines: Sequence[QuoteLine],
    ip: str | None = None,
    country: str = "NL",
) -> DiscountQuote:
    """What ``code`` takes off each of ``lines`` (aligned), each line capped so a seller never
    gets less than nothing (core.pricing.max_discount_cents). Raises ApplicationError with a
    message the buyer can act on. ``ip`` (core.ratelimits.client_ip of the request) adds the
    per-IP count of wrong codes to the per-account one; a buyer not signed in is only counted by
    IP, and "one use per buyer" is checked again, signed in, by discount_redeem."""
    user_id = _user_id(buyer)
    keys = _attempt_keys(user_id=user_id, ip=ip)
    _attempts_check(keys)
    typed = code_normalise(code)
    found = code_get(code=typed) if code_well_formed(typed) else None
    if found is None:
        # Only a code that does not exist is a guess. One that expired or was switched off (a
        # buyer's cart keeps its code and asks again on every visit) gets the same answer
        # without costing an attempt.
        _attempt_wrong(keys)
        raise ApplicationError(_unknown())
    if not code_valid_on(found, today()):
        raise ApplicationError(_unknown())
    return _quote(found, user_id=user_id, lines=lines, country=country)


def _quote(
    code: DiscountCode, *, user_id: int | None, lines: Sequence[QuoteLine], country: str
) -> DiscountQuote:
    funder: Funder = FUNDER_PLATFORM if code.seller_id is None else FUNDER_SELLER  # type: ignore[assignment]
    if code.seller is not None and user_id == code.seller.user_id:
        raise ApplicationError(_("Je eigen kortingscode is voor je kopers; je kunt hem zelf niet gebruiken."))
    covered = _covered_lines(code, lines)
    if not covered:
        raise ApplicationError(
            _(
                "Deze kortingscode geldt alleen voor documenten van één verkoper, en die zitten niet "
                "in je winkelwagen."
            )
            if code.seller_id is not None
            else _("Deze kortingscode geldt niet voor de documenten in je winkelwagen.")
        )
    _uses_check(code, user_id=user_id)
    per_line = [0] * len(lines)
    prices = [lines[i].list_price_cents for i in covered]
    if code.kind == DiscountKind.PERCENT:
        assert code.percent is not None
        wanted = [
            Money(price, settings.CURRENCY).times(Fraction(code.percent, 100)).cents for price in prices
        ]
    else:
        assert code.amount_cents is not None
        wanted = split_cents(code.amount_cents, prices)
    for i, price, cents in zip(covered, prices, wanted, strict=True):
        per_line[i] = min(
            cents, max_discount_cents(Money(price, settings.CURRENCY), funder=funder, country=country)
        )
    total = sum(per_line)
    if total <= 0:
        raise ApplicationError(_("Deze kortingscode geeft geen korting op de documenten in je winkelwagen."))
    return DiscountQuote(
        code_id=code.pk, code=code.code, funder=funder, per_line=tuple(per_line), total_cents=total
    )


def _covered_lines(code: DiscountCode, lines: Sequence[QuoteLine]) -> list[int]:
    """The indexes of the lines the code discounts. A platform campaign: all. A seller's code:
    that seller's lines; limited to some listings and bundles, a bundle's documents count when
    the bundle is named, or every document of the bundle is."""
    if code.seller_id is None:
        return list(range(len(lines)))
    listing_ids = {listing.pk for listing in code.listings.all()}
    bundle_ids = {bundle.pk for bundle in code.bundles.all()}
    own = [i for i, line in enumerate(lines) if line.seller_id == code.seller_id]
    if not listing_ids and not bundle_ids:
        return own
    in_bundles: dict[int, set[int]] = {}
    asked = {lines[i].bundle_id for i in own} - {None} - bundle_ids
    items = BundleItem.objects.filter(bundle_id__in=asked).values_list("bundle_id", "listing_id")
    for item_bundle_id, item_listing_id in items:
        in_bundles.setdefault(item_bundle_id, set()).add(item_listing_id)
    covered = []
    for i in own:
        bundle_id = lines[i].bundle_id
        if bundle_id is None:
            hit = lines[i].listing_id in listing_ids
        else:
            documents = in_bundles.get(bundle_id, set())
            hit = bundle_id in bundle_ids or (bool(documents) and documents <= listing_ids)
        if hit:
            covered.append(i)
    return covered


def _uses_check(code: DiscountCode, *, user_id: int | None) -> None:
    """One use per buyer, and no more uses than the maximum (only for a valid code)."""
    if user_id is not None:
        mine = code_buyer_redemption(code_id=code.pk, buyer_id=user_id)
        if mine is not None:
            if mine.order.status == OrderStatus.PENDING:
                raise ApplicationError(
                    _(
                        "Je hebt deze kortingscode al gebruikt voor bestelling %(number)s, die nog op je "
                        "betaling wacht. Rond die bestelling af, of wacht tot hij verloopt."
                    )
                    % {"number": mine.order.number}
                )
            raise ApplicationError(
                _("Je hebt deze kortingscode al gebruikt. Elke koper kan hem één keer gebruiken.")
            )
    if code.max_uses is not None and code_uses(code_id=code.pk) >= code.max_uses:
        raise ApplicationError(_("Deze kortingscode is op: hij is al zo vaak gebruikt als kan."))


# --- Redeem -----------------------------------------------------------------------------------


def _code_lock(code_id: int) -> DiscountCode:
    """The code's row, locked until the transaction ends: redemptions of one code queue here."""
    return DiscountCode.objects.select_for_update().get(pk=code_id)


@transaction.atomic
def discount_redeem(*, code_id: int, buyer: User, order_id: int, total_cents: int) -> DiscountRedemption:
    """Record the use of a quoted code for ``order_id``: called by checkout inside the
    transaction that makes the order. Under the code's row lock the maximum and "one use per
    buyer" are checked again (two checkouts at once: the second is refused). The same order
    redeemed again returns its redemption. Raises ApplicationError."""
    code = _code_lock(code_id)
    if not Order.objects.filter(pk=order_id, buyer_id=buyer.pk).exists():
        raise ValueError(f"Order {order_id} is not buyer {buyer.pk}'s")
    if total_cents <= 0:
        raise ValueError(f"A redemption takes something off, not {total_cents} cents")
    existing = DiscountRedemption.objects.filter(order_id=order_id).first()
    if existing is not None:
        if existing.code_id == code.pk and existing.total_cents == total_cents:
            return existing
        raise ApplicationError(
            _("Er staat al een kortingscode op deze bestelling. Je kunt één code per bestelling gebruiken.")
        )
    if not code_valid_on(code, today()):
        raise ApplicationError(_unknown())
    _uses_check(code, user_id=buyer.pk)
    redemption = DiscountRedemption.objects.create(
        code=code, buyer=buyer, order_id=order_id, total_cents=total_cents
    )
    audit_record(
        action="discount_code.redeemed",
        obj=code,
        actor=buyer,
        order_id=order_id,
        total_cents=total_cents,
    )
    return redemption


# --- The seller's codes -----------------------------------------------------------------------


def _code_taken_check(*, code: str, user_id: int) -> None:
    """A chosen code that exists already is refused, and counted as a wrong code: otherwise
    choosing codes would tell which ones exist."""
    keys = _attempt_keys(user_id=user_id, ip=None)
    _attempts_check(keys)
    if DiscountCode.objects.filter(code=code).exists():
        _attempt_wrong(keys)
        raise ApplicationError(_code_taken(), extra=CODE_FIELD)


def _code_taken() -> str:
    return _(
        "Deze code is al in gebruik. Kies een andere, of laat het veld leeg voor een code die we "
        "voor je maken."
    )


def _value_check(*, kind: str, percent: int | None, amount_cents: int | None) -> None:
    if kind == DiscountKind.PERCENT:
        if percent is None or not PERCENT_MIN <= percent <= PERCENT_MAX or amount_cents is not None:
            raise ApplicationError(
                _("Kies een percentage van %(min)d tot en met %(max)d.")
                % {"min": PERCENT_MIN, "max": PERCENT_MAX}
            )
    elif kind == DiscountKind.AMOUNT:
        if amount_cents is None or amount_cents < 1 or percent is not None:
            raise ApplicationError(_("Vul een bedrag in van minimaal € 0,01."))
    else:
        raise ValueError(f"Unknown discount kind {kind!r}")


@transaction.atomic
def discount_code_create(
    *,
    seller: SellerProfile | None,
    created_by: User,
    code: str = "",
    kind: str,
    percent: int | None = None,
    amount_cents: int | None = None,
    valid_from: date,
    valid_until: date | None = None,
    max_uses: int | None = None,
    listing_ids: Sequence[int] = (),
    bundle_ids: Sequence[int] = (),
) -> DiscountCode:
    """A new code: ``code`` as chosen (6–20 letters and digits) or, empty, a generated one.
    ``seller`` None: a platform campaign (staff only), for every document."""
    _value_check(kind=kind, percent=percent, amount_cents=amount_cents)
    if valid_until is not None and valid_until < valid_from:
        raise ApplicationError(_("De laatste geldige dag ligt vóór de eerste. Kies een latere einddatum."))
    if max_uses is not None and max_uses < 1:
        raise ApplicationError(_("Een code moet minstens één keer te gebruiken zijn."))
    listings = list(Listing.objects.filter(pk__in=listing_ids, seller=seller)) if listing_ids else []
    bundles = list(Bundle.objects.filter(pk__in=bundle_ids, seller=seller)) if bundle_ids else []
    if seller is None and (listing_ids or bundle_ids):
        raise ValueError("A platform campaign covers every document")
    if len(listings) != len(set(listing_ids)) or len(bundles) != len(set(bundle_ids)):
        raise ApplicationError(_("Je kunt een code alleen aan je eigen documenten en bundels koppelen."))
    chosen = code_normalise(code)
    if chosen:
        if not code_well_formed(chosen):
            raise ApplicationError(
                _("Een code heeft 6 tot 20 letters en cijfers, zonder spaties of tekens."), extra=CODE_FIELD
            )
        _code_taken_check(code=chosen, user_id=created_by.pk)
    discount = DiscountCode(
        seller=seller,
        kind=kind,
        percent=percent,
        amount_cents=amount_cents,
        valid_from=valid_from,
        valid_until=valid_until,
        max_uses=max_uses,
        created_by=created_by,
    )
    for attempt in range(1 if chosen else GENERATE_ATTEMPTS):
        discount.code = chosen or code_generate()
        try:
            with transaction.atomic():
                discount.save()
            break
        except IntegrityError:
            if chosen or attempt == GENERATE_ATTEMPTS - 1:
                raise ApplicationError(_code_taken(), extra=CODE_FIELD) from None
    discount.listings.set(listings)
    discount.bundles.set(bundles)
    audit_record(
        action="discount_code.created",
        obj=discount,
        actor=created_by,
        kind=kind,
        percent=percent,
        amount_cents=amount_cents,
        platform=seller is None,
    )
    return discount


@transaction.atomic
def discount_code_disable(*, code_id: int, seller: SellerProfile | None, actor: User) -> DiscountCode:
    """Switch a code off for good; uses already made stay. Already off: returned as it is.
    DiscountCode.DoesNotExist when it is not ``seller``'s (None: a platform campaign)."""
    code = DiscountCode.objects.select_for_update().get(pk=code_id, seller=seller)
    if code.disabled_at is not None:
        return code
    code.disabled_at = timezone.now()
    code.save(update_fields=["disabled_at", "updated_at"])
    audit_record(action="discount_code.disabled", obj=code, actor=actor)
    return code
