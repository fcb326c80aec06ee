"""What the money back office reads: orders with their history and journals, the queues of
refund requests and payouts, the ledger check's runs. Reads only; every change goes through
the services of the app that owns the data (support writes no model itself)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from studymarket.accounts.models import SellerProfile
from studymarket.core.models import AuditEvent
from studymarket.core.money import Money
from studymarket.ledger.models import (
    Account,
    AccountKind,
    Entry,
    Journal,
    JournalSource,
    LedgerCheckRun,
    Payout,
    PayoutBatch,
    PayoutStatus,
)
from studymarket.library.models import Download, Entitlement, StampedCopy
from studymarket.orders.models import Order, OrderLine
from studymarket.payments.models import Refund, RefundRequest, RefundRequestStatus, RefundStatus
from studymarket.payments.selectors import RefundRequestGroup, refund_request_groups
from studymarket.reviews.models import Review
from studymarket.support.selectors import held_upload_list

ORDER_SEARCH_LIMIT = 50

# What staff read for each audit action; an action not listed here shows its code alone.
ACTION_LABELS = {
    "order.created": _("Bestelling aangemaakt"),
    "order.paid": _("Bestelling betaald"),
    "order.withdrawal_consent": _("Toestemming directe levering, afstand herroepingsrecht"),
    "order.receipt_sent": _("Ontvangstbewijs verstuurd"),
    "order.receipt_failed": _("Ontvangstbewijs niet verstuurd"),
    "order_line.refunded": _("Orderregel terugbetaald"),
    "payment.created": _("Betaling gestart"),
    "payment.registered": _("Betaling aangemeld bij de betaaldienst"),
    "payment.pending": _("Betaling in behandeling"),
    "payment.paid": _("Betaling ontvangen"),
    "payment.failed": _("Betaling mislukt"),
    "payment.canceled": _("Betaling geannuleerd"),
    "payment.expired": _("Betaling verlopen"),
    "payment.amount_mismatch": _("Betaald bedrag wijkt af"),
    "payment.paid_unneeded": _("Betaald terwijl dat niet meer nodig was"),
    "entitlement.granted": _("Toegang verleend"),
    "entitlement.revoked": _("Toegang ingetrokken"),
    "stamped_copy.requested": _("Eigen pdf aangevraagd"),
    "stamped_copy.ready": _("Eigen pdf klaar"),
    "stamped_copy.failed": _("Eigen pdf mislukt"),
    "stamped_copy.retried": _("Eigen pdf opnieuw geprobeerd"),
    "download.recorded": _("Pdf gedownload"),
    "review.created": _("Review geplaatst"),
    "review.refunded": _("Review gemarkeerd als terugbetaald"),
    "refund_request.created": _("Terugbetaling aangevraagd"),
    "approval.proposed": _("Voorgesteld voor een tweede goedkeuring"),
    "approval.approved": _("Goedgekeurd door een tweede medewerker"),
    "approval.rejected": _("Voorstel afgewezen"),
    "refund_request.approved": _("Terugbetalingsverzoek goedgekeurd"),
    "refund_request.rejected": _("Terugbetalingsverzoek afgewezen"),
    "refund.created": _("Terugbetaling gestart"),
    "refund.refunded": _("Terugbetaald"),
    "refund.failed": _("Terugbetaling mislukt"),
    "refund.unmatched": _("Terugbetaling niet te koppelen"),
    "payout.created": _("Uitbetaling aangemaakt"),
    "payout.sent": _("Uitbetaling verzonden"),
    "payout.paid": _("Uitbetaald"),
    "payout.failed": _("Uitbetaling mislukt"),
    "payout_batch.created": _("SEPA-bestand gemaakt"),
    "payout_batch.downloaded": _("SEPA-bestand gedownload"),
    "ledger.adjustment_posted": _("Correctie geboekt"),
}

# The object types an order's history is made of, as AuditEvent.object_type spells them.
_ORDER = "orders.order"
_ORDER_LINE = "orders.orderline"
_PAYMENT = "payments.payment"
_REFUND = "payments.refund"
_REFUND_REQUEST = "payments.refundrequest"
_ENTITLEMENT = "library.entitlement"
_STAMPED_COPY = "library.stampedcopy"
_DOWNLOAD = "library.download"
_REVIEW = "reviews.review"
_PAYOUT = "ledger.payout"
_JOURNAL = "ledger.journal"

_OBJECT_LABELS = {
    _ORDER: _("Bestelling"),
    _ORDER_LINE: _("Orderregel"),
    _PAYMENT: _("Betaling"),
    _REFUND: _("Terugbetaling"),
    _REFUND_REQUEST: _("Verzoek"),
    _ENTITLEMENT: _("Toegang"),
    _STAMPED_COPY: _("Eigen pdf"),
    _DOWNLOAD: _("Download"),
    _REVIEW: _("Review"),
    _PAYOUT: _("Uitbetaling"),
    _JOURNAL: _("Journaal"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


# ---------------------------------------------------------------------------------------------
# Orders


def order_search(*, query: str, limit: int = ORDER_SEARCH_LIMIT) -> QuerySet[Order]:
    """Orders by order number (whole, any case) or by (part of) the buyer's e-mail address,
    newest first; without a query, the newest orders."""
    orders = (
        Order.objects.select_related("buyer")
        .annotate(line_count=Count("lines"))
        .order_by("-created_at", "-pk")
    )
    query = query.strip()
    if query:
        orders = orders.filter(Q(number__iexact=query) | Q(buyer__email__icontains=query))
    return orders[:limit]


def order_get(*, number: str) -> Order:
    """The order with its lines, payments and what hangs off each line. Raises Order.DoesNotExist."""
    return (
        Order.objects.select_related("buyer")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("seller", "listing").order_by("pk")),
            "payments",
        )
        .get(number__iexact=number)
    )


@dataclass(frozen=True)
class EntryRow:
    account: str
    debit: Money | None
    credit: Money | None


@dataclass(frozen=True)
class JournalView:
    journal: Journal
    entries: list[EntryRow]

    @property
    def source_label(self) -> str:
        return str(JournalSource(self.journal.source).label)


@dataclass
class OrderLineView:
    line: OrderLine
    entitlement: Entitlement | None
    downloads: int
    refund_request: RefundRequest | None
    refunds: list[Refund]
    review: Review | None
    journals: list[JournalView] = field(default_factory=list)


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    label: str
    action: str  # the audit action code, or "journal.<source>"
    subject: str  # e.g. "Betaling 12"
    actor: str  # the staff member's or user's e-mail; "" for the system
    details: dict[str, object]


def account_label(account: Account) -> str:
    label = str(AccountKind(account.kind).label)
    if account.kind == AccountKind.VAT_PAYABLE:
        return f"{label} {account.key}"
    if account.seller is not None:
        return f"{label} · {account.seller.display_name}"
    return label


def journal_views(journals: Iterable[Journal]) -> list[JournalView]:
    """Journals with their entries as debit/credit rows (debit > 0, credit < 0 in the ledger)."""
    views = []
    for journal in journals:
        rows = [
            EntryRow(
                account=account_label(entry.account),
                debit=Money(entry.amount_cents, entry.currency) if entry.amount_cents > 0 else None,
                credit=Money(-entry.amount_cents, entry.currency) if entry.amount_cents < 0 else None,
            )
            for entry in journal.entries.all()
        ]
        views.append(JournalView(journal=journal, entries=rows))
    return views


def _journals_with_entries() -> QuerySet[Journal]:
    return Journal.objects.select_related("actor", "seller").prefetch_related(
        Prefetch("entries", queryset=Entry.objects.select_related("account__seller").order_by("pk"))
    )


def order_lines_view(*, order: Order) -> list[OrderLineView]:
    """Each line with its entitlement, downloads, refund request, refunds, review and journals."""
    lines = list(order.lines.select_related("entitlement", "seller", "bundle"))
    line_ids = [line.pk for line in lines]
    entitlements = {line.pk: line.entitlement for line in lines if line.entitlement is not None}
    download_counts = dict(
        Download.objects.filter(entitlement__order_line__in=line_ids)
        .values_list("entitlement__order_line")
        .annotate(n=Count("pk"))
        .values_list("entitlement__order_line", "n")
    )
    requests = {
        r.order_line_id: r
        for r in RefundRequest.objects.filter(order_line_id__in=line_ids).select_related("decided_by")
    }
    refunds: dict[int, list[Refund]] = {}
    for refund in Refund.objects.filter(order_line_id__in=line_ids).order_by("created_at", "pk"):
        refunds.setdefault(refund.order_line_id, []).append(refund)
    reviews = {r.order_line_id: r for r in Review.objects.filter(order_line_id__in=line_ids)}
    journals_by_line: dict[int, list[JournalView]] = {}
    refund_line = {refund.pk: refund.order_line_id for rs in refunds.values() for refund in rs}
    payout_line = {
        pk: int(line_id or 0)  # never None: filtered by line
        for pk, line_id in Payout.objects.filter(order_line_id__in=line_ids).values_list(
            "pk", "order_line_id"
        )
    }
    for view in journal_views(
        _journals_with_entries()
        .filter(_order_journals_q(line_ids, list(refund_line), list(payout_line)))
        .order_by("created_at", "pk")
    ):
        ref = int(view.journal.source_ref)
        source = view.journal.source
        if view.journal.order_line_id is not None:
            line_id = int(view.journal.order_line_id)
        elif source in (JournalSource.SALE, JournalSource.RELEASE):
            line_id = ref
        elif source in (JournalSource.REFUND, JournalSource.CHARGEBACK):
            line_id = refund_line[ref]
        else:
            line_id = payout_line[ref]
        journals_by_line.setdefault(line_id, []).append(view)
    return [
        OrderLineView(
            line=line,
            entitlement=entitlements.get(line.pk),
            downloads=download_counts.get(line.pk, 0),
            refund_request=requests.get(line.pk),
            refunds=refunds.get(line.pk, []),
            review=reviews.get(line.pk),
            journals=journals_by_line.get(line.pk, []),
        )
        for line in lines
    ]


def _order_journals_q(line_ids: list[int], refund_ids: list[int], payout_ids: list[int]) -> Q:
    """The journals of an order: its lines' sales and releases, its refunds' reversals and the
    payouts routed per line (mollie_route)."""
    return (
        Q(order_line_id__in=line_ids)
        | Q(source__in=[JournalSource.SALE, JournalSource.RELEASE], source_ref__in=[str(i) for i in line_ids])
        | Q(
            source__in=[JournalSource.REFUND, JournalSource.CHARGEBACK],
            source_ref__in=[str(i) for i in refund_ids],
        )
        | Q(
            source__in=[JournalSource.PAYOUT, JournalSource.PAYOUT_PAID, JournalSource.PAYOUT_FAILURE],
            source_ref__in=[str(i) for i in payout_ids],
        )
    )


def order_timeline(*, order: Order) -> list[TimelineItem]:
    """Everything that happened to an order, oldest first: the audit events of the order, its
    lines, payments, refund requests, refunds, entitlements, stamped copies, downloads, reviews
    and routed payouts, and the journals posted for it (when they were written)."""
    line_ids = list(order.lines.values_list("pk", flat=True))
    entitlement_ids = list(Entitlement.objects.filter(order_line__in=line_ids).values_list("pk", flat=True))
    refund_ids = list(Refund.objects.filter(order_line_id__in=line_ids).values_list("pk", flat=True))
    payout_ids = list(Payout.objects.filter(order_line_id__in=line_ids).values_list("pk", flat=True))
    objects: dict[str, list[int]] = {
        _ORDER: [order.pk],
        _ORDER_LINE: line_ids,
        _PAYMENT: list(order.payments.values_list("pk", flat=True)),
        _REFUND_REQUEST: list(
            RefundRequest.objects.filter(order_line_id__in=line_ids).values_list("pk", flat=True)
        ),
        _REFUND: refund_ids,
        _ENTITLEMENT: entitlement_ids,
        _STAMPED_COPY: list(
            StampedCopy.objects.filter(entitlement_id__in=entitlement_ids).values_list("pk", flat=True)
        ),
        _DOWNLOAD: list(
            Download.objects.filter(entitlement_id__in=entitlement_ids).values_list("pk", flat=True)
        ),
        _REVIEW: list(Review.objects.filter(order_line_id__in=line_ids).values_list("pk", flat=True)),
        _PAYOUT: payout_ids,
    }
    journals = list(
        Journal.objects.filter(_order_journals_q(line_ids, refund_ids, payout_ids)).select_related("actor")
    )
    objects[_JOURNAL] = [journal.pk for journal in journals]
    wanted = Q(pk__in=[])
    for object_type, ids in objects.items():
        if ids:
            wanted |= Q(object_type=object_type, object_id__in=[str(i) for i in ids])
    items = [
        TimelineItem(
            at=event.created_at,
            label=action_label(event.action),
            action=event.action,
            subject=f"{_OBJECT_LABELS.get(event.object_type, event.object_type)} {event.object_id}",
            actor=event.actor.email if event.actor else "",
            details=dict(event.data),
        )
        for event in AuditEvent.objects.filter(wanted).select_related("actor")
    ]
    items += [
        TimelineItem(
            at=journal.created_at,
            label=str(_("Geboekt: %(source)s") % {"source": JournalSource(journal.source).label}),
            action=f"journal.{journal.source}",
            subject=f"{_OBJECT_LABELS[_JOURNAL]} {journal.pk}",
            actor=journal.actor.email if journal.actor else "",
            details={
                "booked_at": journal.booked_at.isoformat(),
                **({"reason": journal.reason} if journal.reason else {}),
            },
        )
        for journal in journals
    ]
    items.sort(key=lambda item: item.at)
    return items


def seller_find(*, text: str) -> SellerProfile | None:
    """A seller by display name or by their account's e-mail address (any case)."""
    return (
        SellerProfile.objects.filter(display_name__iexact=text).first()
        or SellerProfile.objects.filter(user__email__iexact=text).first()
    )


# ---------------------------------------------------------------------------------------------
# Queues


def refund_request_queue() -> QuerySet[RefundRequest]:
    """Requests waiting for a staff decision, oldest first (a bundle's: one per document)."""
    return (
        RefundRequest.objects.filter(status=RefundRequestStatus.REQUESTED)
        .select_related("order_line__order", "order_line__seller", "order_line__bundle", "buyer")
        .order_by("created_at", "pk")
    )


def refund_queue() -> list[RefundRequestGroup]:
    """What waits for staff, one entry per decision: a bundle's requests (one per document,
    ADR 0028) are one entry, decided at once. Two queries, however long the queue."""
    return refund_request_groups(requests=refund_request_queue())


def refund_queue_count() -> int:
    """The number of decisions waiting: a bundle's requests count once."""
    waiting = RefundRequest.objects.filter(status=RefundRequestStatus.REQUESTED)
    alone = waiting.filter(order_line__bundle__isnull=True).count()
    bundles = (
        waiting.filter(order_line__bundle__isnull=False)
        .values("order_line__order_id", "order_line__bundle_id")
        .distinct()
        .count()
    )
    return alone + bundles


def refund_request_decided_list(*, limit: int = 20) -> list[RefundRequestGroup]:
    """The latest decisions, newest first; a bundle's requests, decided together, are one."""
    decided = (
        RefundRequest.objects.exclude(status=RefundRequestStatus.REQUESTED)
        .select_related("order_line__order", "order_line__bundle", "buyer", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )
    return refund_request_groups(requests=decided)


def refund_request_get(*, request_id: int) -> RefundRequest:
    return RefundRequest.objects.select_related("order_line__order", "order_line__seller", "buyer").get(
        pk=request_id
    )


def refund_problem_list() -> QuerySet[Refund]:
    """Refunds the provider refused (failed), newest first: staff look at each one."""
    return (
        Refund.objects.filter(status=RefundStatus.FAILED)
        .select_related("order_line__order")
        .order_by("-created_at", "-pk")
    )


def payout_send_queue() -> QuerySet[Payout]:
    """SEPA payouts made and not yet in a batch file: the next file takes them."""
    return (
        Payout.objects.filter(status=PayoutStatus.CREATED, provider="sepa")
        .select_related("seller")
        .order_by("created_at", "pk")
    )


def payout_sent_list() -> QuerySet[Payout]:
    """Payouts in a file the bank has (sent), waiting for staff to mark them paid or failed."""
    return (
        Payout.objects.filter(status=PayoutStatus.SENT)
        .select_related("seller", "batch")
        .order_by("batch_id", "pk")
    )


def payout_failed_list(*, limit: int = 100) -> QuerySet[Payout]:
    return (
        Payout.objects.filter(status=PayoutStatus.FAILED)
        .select_related("seller")
        .order_by("-failed_at", "-pk")[:limit]
    )


def payout_batch_list(*, limit: int = 20) -> QuerySet[PayoutBatch]:
    return (
        PayoutBatch.objects.select_related("created_by")
        .annotate(payout_count=Count("payouts"))
        .order_by("-created_at", "-pk")[:limit]
    )


def payout_batch_get(*, batch_id: int) -> PayoutBatch:
    return PayoutBatch.objects.get(pk=batch_id)


# ---------------------------------------------------------------------------------------------
# Ledger check


def ledger_check_run_list(*, limit: int = 10) -> list[LedgerCheckRun]:
    return list(LedgerCheckRun.objects.order_by("-created_at", "-pk")[:limit])


@dataclass(frozen=True)
class DashboardCounts:
    refund_requests: int
    refund_problems: int
    payouts_to_send: int
    payouts_sent: int
    payouts_failed: int
    uploads_held: int
    last_check: LedgerCheckRun | None


def dashboard_counts() -> DashboardCounts:
    runs = ledger_check_run_list(limit=1)
    return DashboardCounts(
        refund_requests=refund_queue_count(),
        refund_problems=refund_problem_list().count(),
        payouts_to_send=payout_send_queue().count(),
        payouts_sent=payout_sent_list().count(),
        payouts_failed=Payout.objects.filter(status=PayoutStatus.FAILED).count(),
        uploads_held=held_upload_list().count(),
        last_check=runs[0] if runs else None,
    )


def payout_get(*, payout_id: int) -> Payout:
    return Payout.objects.select_related("seller", "batch").get(pk=payout_id)
