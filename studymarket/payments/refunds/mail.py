"""The e-mails of refunds, queued after the commit that books them: to the buyer (money back,
access gone; or a rejected request) and to the seller (a sale was refunded, with the buyer's
reason as feedback).

A refund of a line paid twice (origin "duplicate", refunds.duplicates) tells the buyer that the
document was theirs already; the seller, whose sale it never was, gets no e-mail.

At most once each, as the receipt (orders.services.order_receipt_send): the message is claimed
(…_notified_at set) and committed before the mail server is called; a failed send gives the
claim back so the task's retry sends it. The buyer reads it in the language of their checkout
(Order.language); sellers have no stored language, so theirs is the site's (Dutch).
"""

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from studymarket.core.audit import audit_record
from studymarket.core.money import Money
from studymarket.library.models import Entitlement
from studymarket.notifications.models import NotificationKind
from studymarket.notifications.services import notification_create
from studymarket.payments.models import Refund, RefundOrigin, RefundRequest, RefundRequestStatus, RefundStatus


def _message(template: str, context: dict[str, object], to: str, language: str) -> EmailMessage:
    with translation.override(language):
        subject = render_to_string(f"payments/emails/{template}_subject.txt", context).strip()
        body = render_to_string(f"payments/emails/{template}.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[to])


def _send_once(
    model: type[models.Model],
    pk: int,
    field: str,
    ready: Callable[[models.Model], bool],
    build: Callable[[models.Model], EmailMessage],
    action: str,
) -> bool:
    with transaction.atomic():
        obj = model._default_manager.select_for_update().get(pk=pk)
        if getattr(obj, field) is not None or not ready(obj):
            return False
        claimed: datetime = timezone.now()
        setattr(obj, field, claimed)
        obj.save(update_fields=[field])
        audit_record(action=action, obj=obj)
    try:
        build(obj).send()
    except Exception:
        with transaction.atomic():
            model._default_manager.filter(pk=pk, **{field: claimed}).update(**{field: None})
        raise
    return True


def _site(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def _refund_context(refund: Refund) -> dict[str, object]:
    line = refund.order_line
    request = RefundRequest.objects.filter(pk=refund.request_id).first() if refund.request_id else None
    return {
        "refund": refund,
        "line": line,
        "order": line.order,
        "amount": line.price,
        "buyer": line.order.buyer,
        "seller": line.seller,
        "origin": refund.origin,
        "is_chargeback": refund.origin == RefundOrigin.CHARGEBACK,
        "is_request": refund.origin == RefundOrigin.REQUEST,
        "is_duplicate": refund.origin == RefundOrigin.DUPLICATE,
        "held_order_number": _held_order_number(refund) if refund.origin == RefundOrigin.DUPLICATE else "",
        "request": request,
        "reason": request.get_reason_display() if request else "",
        "explanation": request.explanation if request else "",
        "earnings_url": _site(reverse("ledger:earnings")),
    }


def _held_order_number(refund: Refund) -> str:
    """The order through which the buyer holds the document a duplicate line paid for again."""
    line = refund.order_line
    held = (
        Entitlement.objects.filter(
            buyer_id=line.order.buyer_id, document_id=line.listing.document_id, revoked_at__isnull=True
        )
        .order_by("granted_at", "pk")
        .values_list("order_number", flat=True)
        .first()
    )
    return held or ""


def refund_notify(*, refund_id: int) -> tuple[bool, bool]:
    """E-mail buyer and seller about a completed refund, each at most once. Returns whether
    this call sent (buyer, seller). The refunds of a bundle's lines are told as one (below)."""
    refund = Refund.objects.select_related(
        "order_line__order__buyer", "order_line__seller__user", "order_line__listing"
    ).get(pk=refund_id)
    group = _bundle_group(refund)
    if group is None:
        return _refund_tell(refund, title=refund.order_line.title, amount_cents=refund.amount_cents, extra={})
    # Once every refund of the bundle is done, the first of the group holds the "sent" marks:
    # whichever refund completes last sends, and only once.
    if any(member.status != RefundStatus.REFUNDED for member in group):
        return False, False
    first = group[0]
    lines = [member.order_line for member in group]
    bundle = lines[0].bundle
    assert bundle is not None
    total = sum(member.amount_cents for member in group)
    extra = {
        "bundle_title": bundle.title,
        "titles": ", ".join(line.title for line in lines),
        "amount": Money(total, first.currency),
    }
    return _refund_tell(first, title=bundle.title, amount_cents=total, extra=extra)


def _bundle_group(refund: Refund) -> list[Refund] | None:
    """The refunds of a bundle's lines approved together (a guarantee request covers the whole
    bundle): told as one, in one e-mail each to buyer and seller. None for any other refund."""
    line = refund.order_line
    if line.bundle_id is None or refund.origin != RefundOrigin.REQUEST:
        return None
    return list(
        Refund.objects.select_related(
            "order_line__order__buyer", "order_line__seller__user", "order_line__bundle"
        )
        .filter(
            order_line__order_id=line.order_id,
            order_line__bundle_id=line.bundle_id,
            origin=RefundOrigin.REQUEST,
        )
        .order_by("pk")
    )


def _refund_tell(
    refund: Refund, *, title: str, amount_cents: int, extra: dict[str, object]
) -> tuple[bool, bool]:
    """The bell and the e-mails of a completed refund (``refund`` holds the "sent" marks), about
    ``title`` and ``amount_cents``; ``extra`` goes into the e-mails' context."""
    if refund.status == RefundStatus.REFUNDED:
        _refund_notifications_create(refund, title=title, amount_cents=amount_cents)
    order = refund.order_line.order

    def done(obj: models.Model) -> bool:
        return getattr(obj, "status", None) == RefundStatus.REFUNDED

    def seller_told(obj: models.Model) -> bool:
        # A line paid twice never counted as the seller's sale: nothing to tell them.
        return done(obj) and refund.origin != RefundOrigin.DUPLICATE

    def buyer_mail(obj: models.Model) -> EmailMessage:
        with translation.override(order.language):
            context = _refund_context(refund) | extra | {"library_url": _site(reverse("library:index"))}
        return _message("refund_buyer", context, order.buyer.email, order.language)

    def seller_mail(obj: models.Model) -> EmailMessage:
        with translation.override(settings.LANGUAGE_CODE):
            context = _refund_context(refund) | extra
        return _message("refund_seller", context, refund.order_line.seller.user.email, settings.LANGUAGE_CODE)

    buyer = _send_once(Refund, refund.pk, "buyer_notified_at", done, buyer_mail, "refund.buyer_notified")
    seller = _send_once(
        Refund, refund.pk, "seller_notified_at", seller_told, seller_mail, "refund.seller_notified"
    )
    return buyer, seller


def _refund_notifications_create(refund: Refund, *, title: str, amount_cents: int) -> None:
    """The bell's notifications of a completed refund, once each (keyed by the refund): the
    buyer's, and the seller's unless the line was never their sale (a duplicate)."""
    line = refund.order_line
    params = {"title": title, "amount": amount_cents, "currency": refund.currency}
    key = f"refund:{refund.pk}"
    notification_create(
        recipient_id=line.order.buyer_id,
        kind=NotificationKind.REFUND_BUYER,
        params=params,
        url=reverse("library:index"),
        key=key,
    )
    if refund.origin != RefundOrigin.DUPLICATE:
        notification_create(
            recipient_id=line.seller.user_id,
            kind=NotificationKind.REFUND_SELLER,
            params=params,
            url=reverse("ledger:earnings"),
            key=key,
        )


def refund_request_rejected_notify(*, request_id: int) -> bool:
    """E-mail the buyer that staff rejected their request, with staff's note; at most once."""
    request = RefundRequest.objects.select_related("order_line__order__buyer").get(pk=request_id)
    order = request.order_line.order

    def rejected(obj: models.Model) -> bool:
        return getattr(obj, "status", None) == RefundRequestStatus.REJECTED

    def mail(obj: models.Model) -> EmailMessage:
        context = {
            "request": obj,
            "line": request.order_line,
            "order": order,
            "buyer": order.buyer,
            "note": getattr(obj, "decision_note", ""),
            "library_url": _site(reverse("library:index")),
        }
        return _message("request_rejected", context, order.buyer.email, order.language)

    if request.status == RefundRequestStatus.REJECTED:
        notification_create(
            recipient_id=order.buyer_id,
            kind=NotificationKind.REFUND_REJECTED,
            params={"title": request.order_line.title},
            url=reverse("payments:guarantee", args=[request.order_line_id]),
            key=f"refund_request:{request.pk}",
        )
    return _send_once(
        RefundRequest, request.pk, "notified_at", rejected, mail, "refund_request.buyer_notified"
    )


def refund_notices_enqueue(refund_id: int) -> None:
    """After the commit that booked the refund: the task mails buyer and seller."""
    from studymarket.payments.tasks import refund_notify_task  # the task module imports this one

    refund_notify_task.enqueue(refund_id)


def rejection_notice_enqueue(request_id: int) -> None:
    """After the commit that rejected the request: the task mails the buyer."""
    from studymarket.payments.tasks import refund_request_rejected_notify_task

    refund_request_rejected_notify_task.enqueue(request_id)
