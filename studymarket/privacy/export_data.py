"""Everything the platform holds about one person, as plain JSON-ready data (GDPR art. 15 and
art. 20): one function per part, each reading the apps below through their models.

Left out on purpose, and said so in the README of the export: the payment provider's keys and
checkout links (secrets of the payment, no data about the person), the invisible mark in a
stamped copy (telling it would defeat leak tracing, which protects the sellers' rights; art.
15(4)), and other people's data (a seller sees what was sold, never to whom).
"""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db.models import Model, Q

from studymarket.accounts.models import TRADER_FIELDS, SellerProfile, User
from studymarket.accounts.tokens import token_list
from studymarket.catalog.models import Follow, Listing
from studymarket.core.models import AuditEvent
from studymarket.ledger.models import Payout
from studymarket.library.models import Download, Entitlement, StampedCopy
from studymarket.notifications.models import Notification
from studymarket.notifications.texts import notification_text
from studymarket.orders.models import Order, OrderLine
from studymarket.payments.models import Payment, Refund, RefundRequest
from studymarket.promotions.models import DiscountCode, DiscountRedemption
from studymarket.reviews.models import Review
from studymarket.trust.models import Appeal, Notice, StatementOfReasons, Strike

Data = dict[str, Any]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return None
    return value


def _row(obj: Model, fields: Iterable[str]) -> Data:
    row: Data = {}
    for name in fields:
        value = getattr(obj, name)
        if hasattr(value, "name") and hasattr(value, "storage"):  # a file: its name in the ZIP, if any
            value = value.name or None
        row[name] = _plain(value)
    return row


def profile_data(user: User) -> Data:
    account = _row(
        user,
        ["email", "first_name", "last_name", "date_joined", "last_login", "is_active", "suspended_until"],
    )
    seller = SellerProfile.objects.filter(user=user).first()
    seller_data = None
    if seller is not None:
        seller_data = _row(
            seller,
            [
                "display_name",
                "slug",
                "bio",
                "avatar",
                "created_at",
                "payout_account_holder",
                "payout_iban",
                "payout_bic",
                "payout_schedule",
                "mollie_organization_id",
                "seller_kind",
                *TRADER_FIELDS,
                "trader_self_certified_at",
            ],
        )
    return {"account": account, "seller_profile": seller_data}


_PAYMENT_FIELDS = ["id", "provider", "method", "amount_cents", "currency", "status", "created_at", "paid_at"]


def orders_data(user: User) -> list[Data]:
    orders = Order.objects.filter(buyer=user).prefetch_related("lines", "payments").order_by("created_at")
    result = []
    for order in orders:
        row = _row(
            order,
            [
                "number",
                "status",
                "buyer_country",
                "currency",
                "total_cents",
                "created_at",
                "paid_at",
                "language",
                "discount_code",
                "discount_cents",
            ],
        )
        row["lines"] = [
            _row(
                line,
                [
                    "id",
                    "title",
                    "listing_id",
                    "bundle_id",
                    "list_price_cents",
                    "discount_cents",
                    "discount_funder",
                    "price_cents",
                    "vat_cents",
                    "vat_rate_percent",
                    "refunded_at",
                ],
            )
            for line in order.lines.all()
        ]
        # Without the provider's idempotency key and checkout link: secrets of the payment.
        row["payments"] = [_row(payment, _PAYMENT_FIELDS) for payment in order.payments.all()]
        result.append(row)
    return result


def library_data(user: User) -> Data:
    entitlements = Entitlement.objects.filter(buyer=user).select_related("document__listing").order_by("pk")
    copies = StampedCopy.objects.filter(entitlement__buyer=user).order_by("pk")
    downloads = Download.objects.filter(entitlement__buyer=user).order_by("pk")
    return {
        "entitlements": [
            {
                **_row(e, ["id", "order_number", "granted_at", "revoked_at", "revoke_reason"]),
                "title": getattr(getattr(e.document, "listing", None), "title", ""),
            }
            for e in entitlements
        ],
        # The invisible mark is left out (see the module's docstring).
        "stamped_copies": [
            _row(c, ["id", "entitlement_id", "version_id", "status", "created_at", "built_at", "size_bytes"])
            for c in copies
        ],
        "downloads": [
            _row(d, ["entitlement_id", "stamped_copy_id", "downloaded_at", "ip_hash", "user_agent"])
            for d in downloads
        ],
    }


def reviews_data(user: User) -> list[Data]:
    reviews = Review.objects.filter(author=user).select_related("listing").order_by("created_at")
    return [{**_row(r, ["rating", "text", "created_at"]), "listing": r.listing.title} for r in reviews]


def refunds_data(user: User) -> Data:
    requests = RefundRequest.objects.filter(buyer=user).order_by("pk")
    refunds = Refund.objects.filter(order_line__order__buyer=user).order_by("pk")
    return {
        "refund_requests": [
            _row(
                r,
                [
                    "id",
                    "order_line_id",
                    "reason",
                    "explanation",
                    "status",
                    "created_at",
                    "decided_at",
                    "decision_note",
                ],
            )
            for r in requests
        ],
        "refunds": [
            _row(r, ["id", "order_line_id", "origin", "amount_cents", "currency", "status", "completed_at"])
            for r in refunds
        ],
    }


def seller_data(user: User) -> Data | None:
    """What the person sold and was paid, as a seller; the buyers stay out of it."""
    seller = SellerProfile.objects.filter(user=user).first()
    if seller is None:
        return None
    listings = Listing.objects.filter(seller=seller).order_by("pk")
    sales = OrderLine.objects.filter(seller=seller, order__paid_at__isnull=False).select_related("order")
    payouts = Payout.objects.filter(seller=seller).order_by("pk")
    return {
        "listings": [
            _row(
                listing,
                ["id", "title", "description", "status", "price_cents", "academic_year", "published_at"],
            )
            for listing in listings
        ],
        "sales": [
            {
                **_row(
                    line,
                    [
                        "id",
                        "title",
                        "bundle_id",
                        "list_price_cents",
                        "discount_cents",
                        "discount_funder",
                        "price_cents",
                        "vat_cents",
                        "commission_cents",
                        "refunded_at",
                    ],
                ),
                "seller_share_cents": line.seller_share.cents,
                "paid_at": _plain(line.order.paid_at),
            }
            for line in sales.order_by("order__paid_at", "pk")
        ],
        "payouts": [
            _row(
                p,
                [
                    "id",
                    "amount_cents",
                    "currency",
                    "status",
                    "trigger",
                    "account_holder",
                    "iban",
                    "bic",
                    "created_at",
                    "sent_at",
                    "paid_at",
                    "failed_at",
                    "failure_reason",
                ],
            )
            for p in payouts
        ],
    }


def follows_data(user: User) -> list[Data]:
    follows = Follow.objects.filter(user=user).select_related("seller", "course").order_by("pk")
    return [
        {
            "seller": f.seller.display_name if f.seller else None,
            "course": f.course.name if f.course else None,
            "created_at": _plain(f.created_at),
        }
        for f in follows
    ]


def notifications_data(user: User) -> list[Data]:
    """The notifications of the site's bell, with their sentence as the person read it."""
    notifications = Notification.objects.filter(recipient=user).order_by("created_at", "pk")
    return [
        {
            **_row(n, ["kind", "params", "url", "created_at", "read_at"]),
            "text": notification_text(n.kind, n.params),
        }
        for n in notifications
    ]


def reports_data(user: User) -> Data:
    """Notices (DSA art. 16) the person filed and the appeals (art. 20) they lodged, by account
    or by their e-mail address (a notice needs no account); the statements of reasons (art. 17)
    they were sent and the strikes (art. 23) counted against them."""
    notices = Notice.objects.filter(Q(reporter=user) | Q(reporter_email__iexact=user.email)).order_by("pk")
    appeals = Appeal.objects.filter(Q(appellant=user) | Q(appellant_email__iexact=user.email)).order_by("pk")
    statements = StatementOfReasons.objects.filter(seller=user).order_by("pk")
    strikes = Strike.objects.filter(Q(user=user) | Q(email__iexact=user.email)).order_by("pk")
    return {
        "notices": [
            _row(
                n,
                [
                    "number",
                    "listing_id",
                    "location",
                    "kind",
                    "explanation",
                    "reporter_name",
                    "reporter_email",
                    "status",
                    "created_at",
                    "decided_at",
                ],
            )
            for n in notices
        ],
        "statements_of_reasons": [
            _row(
                st, ["id", "listing_id", "measure", "scope", "ends_at", "facts", "explanation", "created_at"]
            )
            for st in statements
        ],
        "strikes": [_row(st, ["kind", "created_at", "voided_at"]) for st in strikes],
        "appeals": [
            _row(
                a,
                [
                    "id",
                    "notice_id",
                    "statement_id",
                    "appellant_email",
                    "text",
                    "status",
                    "created_at",
                    "outcome",
                ],
            )
            for a in appeals
        ],
    }


def audit_data(user: User) -> list[Data]:
    """The audit events about the person: what they did, and what happened to their account,
    seller profile, orders and data requests."""
    about = Q(actor=user) | Q(object_type="accounts.user", object_id=str(user.pk))
    seller = SellerProfile.objects.filter(user=user).values_list("pk", flat=True).first()
    if seller is not None:
        about |= Q(object_type="accounts.sellerprofile", object_id=str(seller))
    order_ids = [str(pk) for pk in Order.objects.filter(buyer=user).values_list("pk", flat=True)]
    if order_ids:
        about |= Q(object_type="orders.order", object_id__in=order_ids)
    events = AuditEvent.objects.filter(about).order_by("created_at", "pk")
    return [_row(e, ["created_at", "action", "object_type", "object_id", "data"]) for e in events]


def payments_data(user: User) -> list[Data]:
    payments = Payment.objects.filter(order__buyer=user).select_related("order").order_by("pk")
    return [{**_row(p, _PAYMENT_FIELDS), "order": p.order.number} for p in payments]


def discount_codes_data(user: User) -> Data:
    """The codes the person used at checkout, and (as a seller) the codes they made."""
    used = DiscountRedemption.objects.filter(buyer=user).select_related("code", "order").order_by("pk")
    made = DiscountCode.objects.filter(seller__user=user).order_by("pk")
    code_fields = ["code", "kind", "percent", "amount_cents", "valid_from", "valid_until", "max_uses"]
    return {
        "used": [
            {"code": r.code.code, "order": r.order.number, **_row(r, ["total_cents", "created_at"])}
            for r in used
        ],
        "made": [_row(c, [*code_fields, "disabled_at", "created_at"]) for c in made],
    }


def api_tokens_data(user: User) -> list[Data]:
    """The person's API tokens as the settings page shows them; never the hash (slice "api")."""
    fields = ["name", "prefix", "scopes", "created_at", "last_used_at", "expires_at", "revoked_at"]
    return [_row(token, fields) for token in token_list(user=user)]


def person_data(user: User) -> dict[str, Any]:
    """Every part, by the file name it gets in the ZIP."""
    return {
        "profile.json": profile_data(user),
        "orders.json": orders_data(user),
        "payments.json": payments_data(user),
        "library.json": library_data(user),
        "reviews.json": reviews_data(user),
        "refunds.json": refunds_data(user),
        "discount_codes.json": discount_codes_data(user),
        "selling.json": seller_data(user),
        "follows.json": follows_data(user),
        "notifications.json": notifications_data(user),
        "api_tokens.json": api_tokens_data(user),
        "reports.json": reports_data(user),
        "audit.json": audit_data(user),
    }
