"""What the payout services share: the SEPA reference and statement text of a payout, and the
two locks every payout takes (the seller's available balance, the payout's row)."""

from django.conf import settings

from studymarket.core.money import Money
from studymarket.ledger.journals import account_for, accounts_lock, seller_key
from studymarket.ledger.models import AccountKind, Payout

# Used when settings.PAYOUT_MINIMUM_CENTS is not set (it is, in config/settings_business.py).
DEFAULT_MINIMUM_CENTS = 1000


def payout_minimum() -> Money:
    return Money(int(getattr(settings, "PAYOUT_MINIMUM_CENTS", DEFAULT_MINIMUM_CENTS)), settings.CURRENCY)


def payout_reference(payout: Payout) -> str:
    """The SEPA end-to-end id (at most 35 characters of the SEPA set): what the bank's statement
    quotes back, so staff can find the payout."""
    return f"SM-PAYOUT-{payout.pk}"


def payout_description(payout: Payout) -> str:
    # On the seller's bank statement; SEPA's remittance field takes 140 characters.
    return f"studymarket uitbetaling {payout.pk}"


def seller_available_lock(seller_id: int) -> int:
    """Lock the seller's available account and payouts in transit (id order, as journal_post
    takes them); the available balance in cents as the seller reads it (positive).

    Both ways of making a payout (a SEPA request, a route) take this lock, and so does a
    refund's reversal: whichever comes second sees the other's balance."""
    available = account_for(kind=AccountKind.SELLER_AVAILABLE, key=seller_key(seller_id))
    in_transit = account_for(kind=AccountKind.PAYOUTS_IN_TRANSIT)
    locked = accounts_lock([available, in_transit])
    return -locked[available.pk].balance_cents


def payout_locked(payout_id: int) -> Payout:
    """The payout with its row locked (call inside a transaction), its seller loaded."""
    return Payout.objects.select_for_update(of=("self",)).select_related("seller").get(pk=payout_id)
