"""When an account may not be erased yet, and why, in words the person can act on.

- Staff accounts: never by themselves. Staff hold the back office's keys and their actions are
  the audit trail; another administrator removes them (and hands their open work over).
- An open refund request or a refund under way: the money and the decision are still moving;
  erasing now would leave the refund without anyone to tell. Wait until it is settled.
- A payout on its way: the bank may still return it (a wrong IBAN), and the seller must be
  reachable to fix it. Wait until it has arrived.
- Earnings still due: held in the guarantee window, or available at or above the payout
  minimum. Erasing would walk away from money we owe; ask for the payout (or wait for the
  window) first. A remainder below the minimum cannot be paid out and does not block: the
  page says so (the ledger keeps it, staff can still pay it on request).
"""

from django.conf import settings
from django.utils.translation import gettext as _

from studymarket.accounts.models import SellerProfile, User
from studymarket.core.formatting import money_display
from studymarket.core.money import Money
from studymarket.ledger.models import Payout, PayoutStatus
from studymarket.ledger.selectors import seller_balance
from studymarket.payments.models import Refund, RefundRequest, RefundRequestStatus, RefundStatus


def erasure_refusal(*, user: User) -> str | None:
    """Why ``user``'s account cannot be erased now, or None when it can."""
    if user.is_staff or user.is_superuser:
        return _(
            "Een account van een medewerker kun je niet zelf verwijderen. Vraag een andere beheerder "
            "om je account te verwijderen."
        )
    if user.erased_at is not None:
        return _("Dit account is al verwijderd.")
    open_request = RefundRequest.objects.filter(buyer=user, status=RefundRequestStatus.REQUESTED).exists()
    refund_under_way = Refund.objects.filter(
        order_line__order__buyer=user, status=RefundStatus.PENDING
    ).exists()
    if open_request or refund_under_way:
        return _(
            "Je hebt nog een verzoek om geld terug dat in behandeling is. Wacht tot het is afgehandeld "
            "(je krijgt er een e-mail over) en verwijder daarna je account."
        )
    seller = SellerProfile.objects.filter(user=user).first()
    if seller is not None:
        return _seller_refusal(seller)
    return None


def _seller_refusal(seller: SellerProfile) -> str | None:
    in_flight = Payout.objects.filter(seller=seller, status__in=[PayoutStatus.CREATED, PayoutStatus.SENT])
    if in_flight.exists():
        return _(
            "Er is een uitbetaling onderweg naar je rekening. Verwijder je account als die is "
            "aangekomen, zodat we je kunnen bereiken als de bank haar terugstuurt."
        )
    balance = seller_balance(seller_id=seller.pk)
    if balance.pending.cents > 0:
        return _(
            "Je hebt nog %(amount)s aan verdiensten in de garantietermijn. Zodra dat bedrag beschikbaar "
            "is en uitbetaald, kun je je account verwijderen."
        ) % {"amount": money_display(balance.pending)}
    if balance.available.cents >= settings.PAYOUT_MINIMUM_CENTS:
        return _(
            "Je hebt nog %(amount)s beschikbaar. Vraag eerst een uitbetaling aan op Mijn verdiensten; "
            "daarna kun je je account verwijderen."
        ) % {"amount": money_display(balance.available)}
    return None


def erasure_unpaid_remainder(*, user: User) -> Money | None:
    """A seller's available money below the payout minimum, which erasing leaves behind."""
    seller = SellerProfile.objects.filter(user=user).first()
    if seller is None:
        return None
    available = seller_balance(seller_id=seller.pk).available
    return available if available.cents > 0 else None
