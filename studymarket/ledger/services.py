"""The ledger's write services, by their house names (CONVENTIONS.md §1). They live in
``postings`` (what each business event books) and ``journals`` (the one way entries get in)."""

from studymarket.ledger.journals import Line, journal_post
from studymarket.ledger.postings import (
    AdjustmentAlreadyPosted,
    AdjustmentRefused,
    InsufficientAvailable,
    PayoutNotPosted,
    adjustment_post,
    earning_release,
    earnings_release_due,
    payout_failure_post,
    payout_paid_post,
    payout_post,
    reversal_post,
    sale_post,
)

__all__ = [
    "AdjustmentAlreadyPosted",
    "AdjustmentRefused",
    "InsufficientAvailable",
    "Line",
    "PayoutNotPosted",
    "adjustment_post",
    "earning_release",
    "earnings_release_due",
    "journal_post",
    "payout_failure_post",
    "payout_paid_post",
    "payout_post",
    "reversal_post",
    "sale_post",
]
