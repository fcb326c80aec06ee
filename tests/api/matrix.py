"""Every route of the API × every kind of caller, and the status each must get: the table
test_access_matrix.py checks and test_openapi_schema.py validates the answers of.

The world: a seller with a published listing (and a second one, the two in a bundle), a buyer
who bought the first, another seller, a user with a "sell" token but no seller profile, and a
revoked token. A route missing from ROUTES fails the matrix test."""

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from studymarket.accounts.tokens import token_create, token_revoke
from studymarket.catalog.models import Bundle, BundleItem, BundleStatus, Listing
from tests.factories import ListingFactory, SellerFactory, UserFactory
from tests.purchases import listing_with_pdf, purchase

ROLES = ("anonymous", "read", "sell_no_profile", "seller", "other_seller", "revoked")


@dataclass(frozen=True)
class World:
    tokens: dict[str, str | None]
    ids: dict[str, int]


def world_make() -> World:
    listing: Listing = listing_with_pdf(title="Account Management Samenvatting", pages=3)
    seller = listing.seller
    second = ListingFactory(seller=seller, course=listing.course, title="Account Management Oefentoetsen")
    bundle = Bundle.objects.create(
        seller=seller,
        course=listing.course,
        title="Account Management compleet",
        slug="account-management-compleet",
        price_cents=1500,
        status=BundleStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    BundleItem.objects.create(bundle=bundle, listing=listing, position=0)
    BundleItem.objects.create(bundle=bundle, listing=second, position=1)
    buyer = UserFactory(first_name="Anna", last_name="de Vries")
    purchase(buyer=buyer, listing=listing)
    other = SellerFactory()
    revoked = token_create(user=seller.user, name="oud", scopes=["read", "sell"])
    token_revoke(user=seller.user, token_id=revoked.token.pk)
    tokens: dict[str, str | None] = {
        "anonymous": None,
        "read": token_create(user=buyer, name="lezen", scopes=["read"]).secret,
        "sell_no_profile": token_create(user=UserFactory(), name="verkopen", scopes=["sell"]).secret,
        "seller": token_create(user=seller.user, name="cli", scopes=["read", "sell"]).secret,
        "other_seller": token_create(user=other.user, name="cli", scopes=["read", "sell"]).secret,
        "revoked": revoked.secret,
    }
    ids = {
        "listing": listing.pk,
        "document": listing.document_id,
        "bundle": bundle.pk,
        "course": listing.course_id,
    }
    return World(tokens=tokens, ids=ids)


@dataclass(frozen=True)
class Route:
    expected: dict[str, int]  # role → status
    args: dict[str, str] | None = None  # path parameter → key of World.ids
    json: dict[str, Any] | None = None
    query: str = ""


def _public() -> dict[str, int]:
    # No token needed, and one that is sent is not looked at (not even a revoked one).
    return dict.fromkeys(ROLES, 200)


def _any_token() -> dict[str, int]:
    return {**dict.fromkeys(ROLES, 200), "anonymous": 401, "revoked": 401}


def _read(ok: int = 200, seller: int = 200) -> dict[str, int]:
    return {
        "anonymous": 401,
        "read": ok,
        "sell_no_profile": 403,  # no "read" scope
        "seller": seller,
        "other_seller": seller,
        "revoked": 401,
    }


def _sell(own: int = 200, other: int = 200) -> dict[str, int]:
    return {
        "anonymous": 401,
        "read": 403,  # no "sell" scope
        "sell_no_profile": 403,  # no seller profile
        "seller": own,
        "other_seller": other,
        "revoked": 401,
    }


DOCUMENT = {"document_id": "document"}

ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/api/v1/search"): Route(_public(), query="q=account"),
    ("GET", "/api/v1/listings/{listing_id}"): Route(_public(), args={"listing_id": "listing"}),
    ("GET", "/api/v1/bundles/{bundle_id}"): Route(_public(), args={"bundle_id": "bundle"}),
    ("GET", "/api/v1/courses"): Route(_public(), query="q=account"),
    ("GET", "/api/v1/courses/{course_id}"): Route(_public(), args={"course_id": "course"}),
    ("GET", "/api/v1/me"): Route(_any_token()),
    ("GET", "/api/v1/library"): Route(_read()),
    # The buyer's PDF is being made (202); nobody else bought it (404, as on the site).
    ("GET", "/api/v1/library/{listing_id}/download"): Route(
        _read(ok=202, seller=404), args={"listing_id": "listing"}
    ),
    ("GET", "/api/v1/seller/documents"): Route(_sell()),
    # Without a file: the checks of who may upload come first, then "send the file" (422).
    ("POST", "/api/v1/seller/documents"): Route(_sell(own=422, other=422)),
    ("GET", "/api/v1/seller/documents/{document_id}"): Route(_sell(other=404), args=DOCUMENT),
    ("PATCH", "/api/v1/seller/documents/{document_id}"): Route(
        _sell(other=404), args=DOCUMENT, json={"price_cents": 999}
    ),
    # Already on sale: publishing again changes nothing (200).
    ("POST", "/api/v1/seller/documents/{document_id}/publish"): Route(_sell(other=404), args=DOCUMENT),
    ("POST", "/api/v1/seller/documents/{document_id}/versions"): Route(
        _sell(own=422, other=404), args=DOCUMENT
    ),
    ("GET", "/api/v1/seller/sales"): Route(_sell()),
    ("GET", "/api/v1/seller/earnings"): Route(_sell()),
    ("GET", "/api/v1/seller/payouts"): Route(_sell()),
}


def route_path(template: str, route: Route, world: World) -> str:
    path = template
    for name, key in (route.args or {}).items():
        path = path.replace("{" + name + "}", str(world.ids[key]))
    return f"{path}?{route.query}" if route.query else path


def request_kwargs(route: Route) -> dict[str, Any]:
    if route.json is None:
        return {}
    import json

    return {"data": json.dumps(route.json), "content_type": "application/json"}
