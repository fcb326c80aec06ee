"""The seller's money (scope "sell"): sales, earnings (ledger.selectors.seller_balance, as the
site's "Mijn verdiensten" shows them) and payouts."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Router
from ninja.pagination import PageNumberPagination, paginate

from studymarket.api.auth import request_seller, token_auth
from studymarket.api.pages import PAGE_SIZE, PAGE_SIZE_MAX, MappedPage
from studymarket.api.present import money_text
from studymarket.api.schemas import EarningsOut, PayoutOut, SaleOut
from studymarket.api.selectors import seller_payout_page, seller_sale_list
from studymarket.ledger.models import Payout
from studymarket.ledger.selectors import seller_balance
from studymarket.orders.models import OrderLine

router = Router(auth=token_auth, tags=[gettext_noop("verkopen: geld")])


def _sale(line: OrderLine) -> dict[str, Any]:
    share = line.seller_share.cents
    return {
        "id": line.pk,
        "date": line.order.paid_at,
        "title": line.title,
        "listing_id": line.listing_id,
        "price_cents": line.price_cents,
        "price": money_text(line.price_cents),
        "seller_share_cents": share,
        "seller_share": money_text(share),
        "refunded": line.refunded_at is not None,
    }


@router.get("/seller/sales", response=list[SaleOut], summary=gettext_noop("Mijn verkopen"))
@paginate(PageNumberPagination, page_size=PAGE_SIZE, max_page_size=PAGE_SIZE_MAX)
def sales(request: HttpRequest) -> Any:
    return MappedPage(seller_sale_list(seller=request_seller(request)), _sale)


@router.get("/seller/earnings", response=EarningsOut, summary=gettext_noop("Mijn verdiensten"))
def earnings(request: HttpRequest) -> dict[str, Any]:
    balance = seller_balance(seller_id=request_seller(request).pk)
    return {
        "held_cents": balance.pending.cents,
        "available_cents": balance.available.cents,
        "debt_cents": balance.debt.cents,
        "paid_out_cents": balance.paid_out.cents,
        "currency": settings.CURRENCY,
    }


def _payout(payout: Payout) -> dict[str, Any]:
    return {
        "id": payout.pk,
        "amount_cents": payout.amount_cents,
        "amount": money_text(payout.amount_cents),
        "currency": payout.currency,
        "status": payout.status,
        "status_text": str(payout.get_status_display()),
        "created_at": payout.created_at,
        "paid_at": payout.paid_at,
        "failure_reason": payout.failure_reason,
    }


@router.get("/seller/payouts", response=list[PayoutOut], summary=gettext_noop("Mijn uitbetalingen"))
@paginate(PageNumberPagination, page_size=PAGE_SIZE, max_page_size=PAGE_SIZE_MAX)
def payouts(request: HttpRequest) -> Any:
    return MappedPage(seller_payout_page(seller=request_seller(request)), _payout)
