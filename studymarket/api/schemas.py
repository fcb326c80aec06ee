"""The shapes the API sends and takes (pydantic, through ninja). Amounts are integer cents,
with the amount as people read it beside them ("€ 4,99"); addresses are absolute URLs."""

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field


class Problem(Schema):
    """An error, as RFC 9457 problem details (application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, object]] | None = None  # field errors of a 422, when there are some


class CourseOut(Schema):
    id: int
    name: str
    code: str
    institution: str
    programme: str
    url: str


class SearchItemOut(Schema):
    type: Literal["listing", "bundle"]
    id: int
    title: str
    price_cents: int
    price: str
    url: str
    course: CourseOut


class ListingOut(Schema):
    id: int
    title: str
    description: str
    price_cents: int
    price: str
    url: str
    course: CourseOut
    seller: str
    document_type: str
    language: str
    academic_year: str
    page_count: int
    preview_page_count: int
    published_at: datetime | None
    sold_count: int
    review_count: int


class BundleListingOut(Schema):
    id: int
    title: str
    price_cents: int
    url: str


class BundleOut(Schema):
    id: int
    title: str
    description: str
    price_cents: int
    price: str
    url: str
    course: CourseOut
    seller: str
    listings: list[BundleListingOut]


class MeOut(Schema):
    id: int
    name: str
    email: str
    scopes: list[str]
    seller: bool


class LibraryItemOut(Schema):
    listing_id: int
    title: str
    order_number: str
    granted_at: datetime
    version: int | None
    download_url: str
    # Until when downloading ends the satisfaction guarantee (refund), as on the site's button;
    # None once that no longer applies.
    guarantee_until: datetime | None
    guarantee_note: str  # the site's note beside "Download PDF", "" when guarantee_until is None


class DownloadPendingOut(Schema):
    status: Literal["pending"]
    detail: str
    retry_after: int
    guarantee_until: datetime | None


SellerStatus = Literal["processing", "ready", "refused", "held", "failed"]


class SellerDocumentOut(Schema):
    id: int
    status: SellerStatus
    status_text: str
    listing_id: int | None
    published: bool
    url: str
    title: str
    price_cents: int | None
    refusal_reason: str
    version: int
    page_count: int


class SellerDocumentPatch(Schema):
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    course_id: int | None = None
    document_type: str | None = None
    language: str | None = None
    academic_year: str | None = None
    price_cents: int | None = None
    preview_page_count: int | None = None


class SaleOut(Schema):
    id: int
    date: datetime | None
    title: str
    listing_id: int
    price_cents: int
    price: str
    seller_share_cents: int
    seller_share: str
    refunded: bool


class EarningsOut(Schema):
    held_cents: int
    available_cents: int
    debt_cents: int
    paid_out_cents: int
    currency: str


class PayoutOut(Schema):
    id: int
    amount_cents: int
    amount: str
    currency: str
    status: str
    status_text: str
    created_at: datetime
    paid_at: datetime | None
    failure_reason: str
