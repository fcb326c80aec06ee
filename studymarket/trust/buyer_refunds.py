"""Refunding every buyer of a listing whose notice was upheld (the document was illegal: the
buyers lose their access and get their money back), through the refund services of
payments.refunds (ADR 0009), so each line's money goes back once, access ends at approval, and
buyer and seller hear of it as for any refund.

Each paid line that still has access gets a guarantee request on the buyer's behalf (reason
"Iets anders", the notice named in the explanation), approved by the staff member who upheld
the notice; within the guarantee window and never downloaded, the rule approves it by itself.
A line whose earlier request was rejected cannot get a second one (one request per line): its
access ends here and staff settle its money by hand (audit "notice.refund_by_hand", in the
notice's timeline). Never inside a transaction: the refund services own theirs and call the
provider after their commit.
"""

import logging

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from studymarket.accounts.models import User
from studymarket.core.audit import audit_record
from studymarket.core.models import AuditEvent
from studymarket.orders.models import OrderLine, OrderStatus
from studymarket.orders.services import order_line_access_end
from studymarket.payments.models import RefundReason, RefundRequest, RefundRequestStatus
from studymarket.payments.refunds import RefundRefused, refund_request_approve, refund_request_create
from studymarket.payments.refunds.policy import line_settled
from studymarket.trust.models import Notice, NoticeStatus

logger = logging.getLogger(__name__)


def listing_lines_to_refund(*, listing_id: int) -> list[OrderLine]:
    """The paid lines of the listing whose money has not gone back (nor is on its way)."""
    lines = (
        OrderLine.objects.filter(
            listing_id=listing_id, order__status=OrderStatus.PAID, refunded_at__isnull=True
        )
        .select_related("order__buyer")
        .order_by("pk")
    )
    return [line for line in lines if not line_settled(line)]


def listing_buyers_refund(*, notice_id: int, actor: User) -> int:
    """Refund each buyer of the upheld notice's listing; how many lines were started now. A
    second run starts only what the first left (a crash, a provider that was down), and two
    runs at once (a double click) meet on each line's lock in payments.refunds."""
    notice = Notice.objects.get(pk=notice_id)
    if notice.status != NoticeStatus.UPHELD:
        return 0
    started = 0
    for line in listing_lines_to_refund(listing_id=notice.listing_id):
        try:
            if _line_refund(line, notice=notice, actor=actor):
                started += 1
        except RefundRefused as refused:
            line.refresh_from_db()
            if line_settled(line):
                continue  # another run refunded it meanwhile
            # Cannot be refunded automatically (no payment found): for staff, in the timeline.
            _by_hand(notice, line=line, actor=actor, reason=refused.message)
    return started


def _line_refund(line: OrderLine, *, notice: Notice, actor: User) -> bool:
    request = RefundRequest.objects.filter(order_line=line).first()
    made = False
    if request is None:
        with translation.override(line.order.language):
            explanation = _(
                "Dit document is offline gehaald na melding %(number)s: je krijgt je geld terug."
            ) % {"number": notice.number}
        try:
            request = refund_request_create(
                buyer=line.order.buyer, order_line=line, reason=RefundReason.OTHER, explanation=explanation
            )
            made = True
        except RefundRefused:
            # Another run made the request a moment ago: go on from where it stands.
            request = RefundRequest.objects.filter(order_line=line).first()
            if request is None:
                raise
    if request.status == RefundRequestStatus.REQUESTED:
        refund_request_approve(
            request_id=request.pk,
            actor=actor,
            note=_("Melding %(number)s gegrond") % {"number": notice.number},
        )
        return True
    if request.status == RefundRequestStatus.APPROVED:
        return made  # approved by the rule just now (made), or before: on its way
    # Rejected earlier: no second request. Access ends now; the money is settled by hand.
    _by_hand(notice, line=line, actor=actor)
    return False


def _by_hand(notice: Notice, *, line: OrderLine, actor: User, reason: str = "") -> None:
    """End the line's access and flag it for staff to refund by hand, once per line."""
    with transaction.atomic():
        Notice.objects.select_for_update().get(pk=notice.pk)
        if AuditEvent.objects.filter(
            action="notice.refund_by_hand",
            object_type=Notice._meta.label_lower,
            object_id=str(notice.pk),
            data__order_line=line.pk,
        ).exists():
            return
        order_line_access_end(order_line_id=line.pk, reason="notice_upheld")
        details = {"reason": reason} if reason else {}
        audit_record(action="notice.refund_by_hand", obj=notice, actor=actor, order_line=line.pk, **details)
