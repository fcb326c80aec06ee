"""What the satisfaction guarantee ("Tevredenheidsgarantie") allows: who may ask, for what,
with which words, and when the rule approves by itself (within GUARANTEE_WINDOW_DAYS of the
payment and never downloaded; reading online is fine). No writes here."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext

from studymarket.accounts.models import User
from studymarket.core import clock
from studymarket.core.errors import ApplicationError
from studymarket.library.models import Download
from studymarket.library.selectors import guarantee_deadline
from studymarket.orders.models import OrderLine, OrderStatus
from studymarket.payments.models import (
    Refund,
    RefundReason,
    RefundRequest,
    RefundRequestStatus,
    RefundStatus,
)

EXPLANATION_MAX = 2000


class RefundRefused(ApplicationError):
    """The refund (request) cannot be made; the message says what the user can do."""


@dataclass(frozen=True)
class GuaranteeCheck:
    """What the guarantee's rule sees for one purchase now."""

    deadline: datetime  # the end of the window
    within_window: bool
    downloaded: bool

    @property
    def automatic(self) -> bool:
        return self.within_window and not self.downloaded


def guarantee_check(*, order_line: OrderLine) -> GuaranteeCheck:
    """Within the window (counted from the payment, by the business clock) and never
    downloaded: reading online does not count, a download of the PDF does. A line bought as
    part of a bundle is judged with the rest of its bundle (one request covers them all): a
    download of any of its documents counts."""
    paid_at = order_line.order.paid_at
    if paid_at is None:
        raise ValueError(f"Order line {order_line.pk} is not paid")
    deadline = guarantee_deadline(paid_at)
    if order_line.bundle_id is None:
        entitlements = [order_line.entitlement_id]
    else:
        entitlements = list(
            OrderLine.objects.filter(
                order_id=order_line.order_id, bundle_id=order_line.bundle_id
            ).values_list("entitlement_id", flat=True)
        )
    held = [pk for pk in entitlements if pk is not None]
    return GuaranteeCheck(
        deadline=deadline,
        within_window=clock.now() <= deadline,
        downloaded=bool(held) and Download.objects.filter(entitlement_id__in=held).exists(),
    )


def bundle_line_ids(line: OrderLine) -> list[int]:
    """The ids of the lines one guarantee request covers, in id order (the order their rows
    are locked in): the line itself, or every line of its bundle in its order that is still
    the buyer's (not paid twice, not refunded or being refunded)."""
    if line.bundle_id is None:
        return [line.pk]
    siblings = (
        OrderLine.objects.filter(order_id=line.order_id, bundle_id=line.bundle_id, already_held=False)
        .filter(refunded_at__isnull=True)
        .exclude(refunds__status__in=[RefundStatus.PENDING, RefundStatus.REFUNDED])
        .values_list("pk", flat=True)
    )
    return sorted({line.pk, *siblings})


def request_allowed(*, buyer: User, line: OrderLine, reason: str, explanation: str) -> str:
    """Check a buyer's request for ``line`` (locked) and return the explanation as kept.
    Raises RefundRefused with what the buyer can do."""
    if line.order.buyer_id != buyer.pk:
        raise RefundRefused(
            gettext("Je kunt alleen geld terugvragen voor documenten die je zelf hebt gekocht.")
        )
    if line.order.status != OrderStatus.PAID:
        raise RefundRefused(gettext("Deze bestelling is niet betaald: er is niets terug te betalen."))
    if reason not in RefundReason.values:
        raise RefundRefused(gettext("Kies een reden."))
    explanation = explanation.strip()
    if reason == RefundReason.OTHER and not explanation:
        raise RefundRefused(gettext("Vertel kort wat er mis is, dan kunnen we je verzoek beoordelen."))
    if len(explanation) > EXPLANATION_MAX:
        raise RefundRefused(gettext("Je toelichting is te lang: houd het onder de 2000 tekens."))
    _refuse_if_settled(line)
    return explanation


def _refuse_if_settled(line: OrderLine) -> None:
    """Refuse a second request, or one for a line whose money already went back."""
    existing = RefundRequest.objects.filter(order_line=line).first()
    if existing is not None:
        if existing.status == RefundRequestStatus.REQUESTED:
            raise RefundRefused(
                gettext(
                    "Je hebt voor dit document al geld terug gevraagd. Je verzoek is in behandeling; "
                    "je hoort het per e-mail."
                )
            )
        if existing.status == RefundRequestStatus.APPROVED:
            raise RefundRefused(
                gettext("Je verzoek voor dit document is al goedgekeurd; je geld komt terug.")
            )
        raise RefundRefused(
            gettext(
                "Je verzoek voor dit document is afgewezen. Ben je het er niet mee eens? "
                "Antwoord dan op onze e-mail, dan kijkt een collega opnieuw."
            )
        )
    if line_settled(line):
        raise RefundRefused(gettext("Dit document is al terugbetaald; je hebt er geen toegang meer toe."))


def line_settled(line: OrderLine) -> bool:
    """The line's money went back already, or a refund of it is on its way: nothing is paid
    twice (a chargeback or a dashboard refund may have come before the guarantee's)."""
    return (
        line.refunded_at is not None
        or Refund.objects.filter(order_line=line).exclude(status=RefundStatus.FAILED).exists()
    )


def staff_required(actor: User, message: str) -> None:
    """Raise RefundRefused(``message``) unless ``actor`` is signed-in staff."""
    if not (actor.is_authenticated and actor.is_staff):
        raise RefundRefused(message)
