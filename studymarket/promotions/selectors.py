"""Reads of discount codes: how often a code is used, the seller's own codes, a code's state."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.models import Bundle, BundleStatus, Listing, ListingStatus
from studymarket.orders.models import OrderStatus
from studymarket.promotions.models import DiscountCode, DiscountRedemption

# A use counts while its order may still be paid or was paid; a canceled or expired order frees it.
ACTIVE_ORDER_STATUSES = (OrderStatus.PENDING, OrderStatus.PAID)
_ACTIVE = Q(redemptions__order__status__in=ACTIVE_ORDER_STATUSES)


def redemptions_active(*, code_id: int) -> QuerySet[DiscountRedemption]:
    return DiscountRedemption.objects.filter(code_id=code_id, order__status__in=ACTIVE_ORDER_STATUSES)


def code_uses(*, code_id: int) -> int:
    return redemptions_active(code_id=code_id).count()


def code_buyer_redemption(*, code_id: int, buyer_id: int) -> DiscountRedemption | None:
    """The buyer's use of the code that still counts (its order pending or paid), if any."""
    return (
        redemptions_active(code_id=code_id)
        .filter(buyer_id=buyer_id)
        .select_related("order")
        .order_by("pk")
        .first()
    )


def code_valid_on(code: DiscountCode, day: date) -> bool:
    """Switched on and within its days (both included)."""
    if code.disabled_at is not None or day < code.valid_from:
        return False
    return code.valid_until is None or day <= code.valid_until


def code_get(*, code: str) -> DiscountCode | None:
    """The code as typed (already normalised), valid or not, with what a quote reads of it."""
    return (
        DiscountCode.objects.filter(code=code)
        .select_related("seller")
        .prefetch_related(
            Prefetch("listings", queryset=Listing.objects.only("pk")),
            Prefetch("bundles", queryset=Bundle.objects.only("pk")),
        )
        .first()
    )


@dataclass(frozen=True)
class CodeRow:
    """A seller's code as their list shows it."""

    code: DiscountCode
    uses: int
    remaining: int | None  # None: no maximum
    state: Promise


def code_state(code: DiscountCode, *, uses: int, day: date) -> Promise:
    if code.disabled_at is not None:
        return _("Uitgezet")
    if day < code.valid_from:
        return _("Nog niet geldig")
    if code.valid_until is not None and day > code.valid_until:
        return _("Verlopen")
    if code.max_uses is not None and uses >= code.max_uses:
        return _("Opgebruikt")
    return _("Actief")


def _row(code: DiscountCode, day: date) -> CodeRow:
    uses = int(code.uses)  # type: ignore[attr-defined]  # annotated by the queries below
    remaining = None if code.max_uses is None else max(code.max_uses - uses, 0)
    return CodeRow(code=code, uses=uses, remaining=remaining, state=code_state(code, uses=uses, day=day))


def _seller_codes(seller: SellerProfile) -> QuerySet[DiscountCode]:
    return (
        DiscountCode.objects.filter(seller=seller)
        .annotate(uses=Count("redemptions", filter=_ACTIVE))
        .prefetch_related(
            Prefetch("listings", queryset=Listing.objects.only("pk", "title").order_by("title")),
            Prefetch("bundles", queryset=Bundle.objects.only("pk", "title").order_by("title")),
        )
    )


def seller_code_list(*, seller: SellerProfile, day: date) -> list[CodeRow]:
    return [_row(code, day) for code in _seller_codes(seller).order_by("-created_at", "-pk")]


def seller_code_get(*, seller: SellerProfile, code_id: int, day: date) -> CodeRow:
    """One of the seller's own codes; DiscountCode.DoesNotExist for anyone else's (a 404)."""
    return _row(_seller_codes(seller).get(pk=code_id), day)


def seller_code_choices(*, seller: SellerProfile) -> tuple[list[Listing], list[Bundle]]:
    """What a seller's code may be limited to: their listings and bundles on sale."""
    listings = list(
        Listing.objects.filter(seller=seller, status=ListingStatus.PUBLISHED)
        .only("pk", "title", "price_cents")
        .order_by("title")
    )
    bundles = list(
        Bundle.objects.filter(seller=seller, status=BundleStatus.PUBLISHED)
        .only("pk", "title")
        .order_by("title")
    )
    return listings, bundles
