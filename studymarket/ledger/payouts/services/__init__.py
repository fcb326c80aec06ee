"""Payouts: a seller's available balance leaves the ledger for their bank (docs/adr/0008-payouts.md).

Split by concern:
- ``requests``: a SEPA payout of the whole available balance, on the seller's request;
- ``weekly``: the weekly run of those for sellers on the weekly schedule;
- ``batches``: the SEPA file of created payouts, and the bank's answer (paid / failed) by hand;
- ``routes``: Mollie's delayed routing of each released sale (PAYOUT_PROVIDER=mollie_route);
- ``common``: the locks and references they share.
Every status change is one step of the state machine in ``ledger.payouts.states``.

Making a payout takes the whole available balance under a row lock of the seller's available
account (and of ``payouts_in_transit``, both in id order as ``journal_post`` takes them, so that
a payout and a failure of another payout never deadlock). A refund's reversal takes the same
lock on the available account, so whichever comes second sees the other's balance: two
requests at once make one payout, and a refund racing a payout never takes "available" below
zero (the reversal books the rest as the seller's debt).

The names below are the services' public face; import them from here.
"""

from studymarket.ledger.payouts.errors import PayoutRefused
from studymarket.ledger.payouts.services.batches import (
    payout_batch_create,
    payout_batch_downloaded,
    payout_mark_failed,
    payout_mark_paid,
)
from studymarket.ledger.payouts.services.common import payout_minimum, payout_reference
from studymarket.ledger.payouts.services.requests import payout_request
from studymarket.ledger.payouts.services.routes import (
    RouteResult,
    payout_routes_run,
    route_payout_create,
    route_payout_send,
)
from studymarket.ledger.payouts.services.weekly import payouts_weekly_create, weekly_payout_day

__all__ = [
    "PayoutRefused",
    "RouteResult",
    "payout_batch_create",
    "payout_batch_downloaded",
    "payout_mark_failed",
    "payout_mark_paid",
    "payout_minimum",
    "payout_reference",
    "payout_request",
    "payout_routes_run",
    "payouts_weekly_create",
    "route_payout_create",
    "route_payout_send",
    "weekly_payout_day",
]
