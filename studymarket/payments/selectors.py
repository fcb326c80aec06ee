from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from studymarket.core.money import Money
from studymarket.library.models import Download
from studymarket.orders.models import OrderLine, OrderStatus
from studymarket.payments.models import (
    Payment,
    Refund,
    RefundRequest,
    RefundStatus,
    SimulatedPayment,
    UnmatchedReversal,
    UnmatchedReversalStatus,
)


def payment_id_by_provider_id(*, provider: str, provider_id: str) -> int | None:
    return (
        Payment.objects.filter(provider=provider, provider_id=provider_id)
        .values_list("pk", flat=True)
        .first()
    )


def payment_order_number(*, payment_id: int) -> str:
    return Payment.objects.values_list("order__number", flat=True).get(pk=payment_id)


def simulated_payment_get(*, simulated_id: str) -> SimulatedPayment | None:
    return SimulatedPayment.objects.filter(pk=simulated_id).first()


def guarantee_line_get(*, user: Any, order_line_id: int) -> OrderLine | None:
    """The user's own paid order line (the satisfaction guarantee's page), or None: another
    buyer's line, an unpaid one, or no user at all get the same answer."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        OrderLine.objects.filter(pk=order_line_id, order__buyer=user, order__status=OrderStatus.PAID)
        .select_related("order", "listing", "seller")
        .first()
    )


@dataclass(frozen=True)
class GuaranteeBundle:
    """What one guarantee request for a line bought in a bundle covers: the bundle's lines of
    that order (payments.refunds.requests makes, approves and refunds them together)."""

    title: str
    amount: Money  # what the buyer paid for them, back in full
    titles: tuple[str, ...]


def guarantee_bundle_get(*, order_line: OrderLine) -> GuaranteeBundle | None:
    """The bundle ``order_line`` was bought in, as the guarantee page names it; None for a
    line bought on its own."""
    if order_line.bundle_id is None:
        return None
    lines = list(
        OrderLine.objects.filter(
            order_id=order_line.order_id, bundle_id=order_line.bundle_id, already_held=False
        )
        .select_related("bundle", "order")
        .order_by("pk")
    )
    if not lines:
        return None
    bundle = lines[0].bundle
    assert bundle is not None
    return GuaranteeBundle(
        title=bundle.title,
        amount=Money(sum(line.price_cents for line in lines), order_line.order.currency),
        titles=tuple(line.title for line in lines),
    )


def refund_request_of_line(*, order_line: OrderLine) -> RefundRequest | None:
    return RefundRequest.objects.filter(order_line=order_line).first()


def refund_of_line(*, order_line: OrderLine) -> Refund | None:
    """The line's refund that did not fail (there is at most one), if any."""
    return Refund.objects.filter(order_line=order_line).exclude(status=RefundStatus.FAILED).first()


def unmatched_reversal_list(*, status: str = UnmatchedReversalStatus.OPEN) -> QuerySet[UnmatchedReversal]:
    """Refunds and chargebacks made at the provider that payment_sync could not book by itself,
    oldest first: the back office's queue (status open)."""
    return (
        UnmatchedReversal.objects.filter(status=status)
        .select_related("payment__order")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class RefundRequestDocument:
    """One document a refund request covers, as staff judge it."""

    line: OrderLine
    downloaded: bool  # the buyer has downloaded its PDF (reading online does not count)


@dataclass(frozen=True)
class RefundRequestGroup:
    """The requests one staff decision covers (payments.refunds.requests decides them
    together): a document's own request, or those of every line of one bundle in one order."""

    requests: tuple[RefundRequest, ...]  # in order-line order
    documents: tuple[RefundRequestDocument, ...]  # one per request, in the same order

    @property
    def request(self) -> RefundRequest:
        """The request a decision names; deciding it decides the others with it."""
        return self.requests[0]

    @property
    def request_ids(self) -> frozenset[int]:
        return frozenset(request.pk for request in self.requests)

    @property
    def bundle_title(self) -> str:
        """The bundle's title, or "" for a document bought on its own."""
        bundle = self.request.order_line.bundle
        return bundle.title if bundle is not None else ""

    @property
    def total(self) -> Money:
        """What goes back to the buyer when the group is approved: what they paid for it."""
        cents = sum(document.line.price_cents for document in self.documents)
        return Money(cents, self.request.order_line.order.currency)


def refund_request_groups(*, requests: Iterable[RefundRequest]) -> list[RefundRequestGroup]:
    """``requests`` grouped the way staff decide them, each group where its first request
    came. Groups only what it is given: a queue by status holds all of a bundle's requests or
    none (they change status together). Expects order_line__order and order_line__bundle
    selected; reads the downloads of all lines in one query."""
    grouped: dict[tuple[int, int | None, int | None], list[RefundRequest]] = {}
    for request in requests:
        line = request.order_line
        key = (line.order_id, line.bundle_id, None if line.bundle_id else line.pk)
        grouped.setdefault(key, []).append(request)
    entitlement_ids = [
        request.order_line.entitlement_id
        for group in grouped.values()
        for request in group
        if request.order_line.entitlement_id is not None
    ]
    downloaded = set(
        Download.objects.filter(entitlement_id__in=entitlement_ids)
        .values_list("entitlement_id", flat=True)
        .distinct()
    )
    groups = []
    for group in grouped.values():
        ordered = sorted(group, key=lambda request: request.order_line_id)
        documents = tuple(
            RefundRequestDocument(
                line=request.order_line, downloaded=request.order_line.entitlement_id in downloaded
            )
            for request in ordered
        )
        groups.append(RefundRequestGroup(requests=tuple(ordered), documents=documents))
    return groups
