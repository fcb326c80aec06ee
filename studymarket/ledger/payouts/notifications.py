"""The e-mail a seller gets about their payouts."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from studymarket.core.money import Money
from studymarket.ledger.models import Payout, PayoutStatus


def payout_failed_mail_send(*, payout_id: int) -> bool:
    """E-mail the seller that a payout failed and the money is back on their balance, with the
    bank's reason and what to do (check the IBAN). False when the payout is not failed."""
    payout = Payout.objects.select_related("seller__user").get(pk=payout_id)
    if payout.status != PayoutStatus.FAILED:
        return False
    seller = payout.seller
    context = {
        "seller": seller,
        "payout": payout,
        "amount": Money(payout.amount_cents, payout.currency),
        "iban_end": payout.iban[-4:],
        "earnings_url": settings.SITE_URL.rstrip("/") + reverse("ledger:earnings"),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("ledger/emails/payout_failed_subject.txt", context).split())
        body = render_to_string("ledger/emails/payout_failed.txt", context)
    send_mail(subject, body, None, [seller.user.email])
    return True
