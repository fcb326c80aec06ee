"""The whole ledger check (`manage.py ledger_check`): the ledger's own invariants
(ledger.checks) plus the cross-checks of what the ledger booked against the business facts:

- every paid order line has exactly one sale journal, with the line's price, VAT, commission,
  seller and buyer country; no sale journal without a paid line;
- every refunded line and every completed refund or chargeback has exactly one reversal
  journal, of the refund's kind and undoing the line's sale; no reversal without one;
- every payout sent, paid or failed has its payout journal (of its amount, for its seller); a
  paid one its payout_paid journal, a failed one its payout_failure journal, and no payout
  journal names a payout that is not in that state.

Order lines and refunds belong to apps above the ledger (orders, payments), which the ledger
may not read: they arrive as plain facts (``LedgerFacts``), gathered by a collector up there
(payments.ledger_facts); payouts are the ledger's own. The check writes its outcome here, as a
LedgerCheckRun, so the back office only reads. Each violation is one line a person can act on;
an empty list means "ledger balanced".
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext

from studymarket.ledger.checks import ledger_violations
from studymarket.ledger.models import (
    REVERSAL_SOURCES,
    AccountKind,
    Entry,
    Journal,
    JournalSource,
    LedgerCheckRun,
    Payout,
    PayoutStatus,
)


@dataclass(frozen=True)
class PaidLine:
    """An order line of a paid order, as the sale journal must have booked it."""

    line_id: int
    order_number: str
    price_cents: int
    vat_cents: int
    commission_cents: int
    seller_id: int
    country: str  # the buyer's, whose VAT rate applied
    # A platform-funded discount excluding VAT (ADR 0028), booked on platform_discounts; else 0.
    platform_discount_cents: int = 0


@dataclass(frozen=True)
class RefundedLine:
    """An order line that was reversed (refund or chargeback): it needs one reversal journal."""

    line_id: int
    order_number: str


@dataclass(frozen=True)
class CompletedRefund:
    """A refund or chargeback that completed (payments.Refund, status refunded)."""

    refund_id: int
    line_id: int
    chargeback: bool


@dataclass(frozen=True)
class LedgerFacts:
    paid_lines: Sequence[PaidLine]
    refunded_lines: Sequence[RefundedLine]
    refunds: Sequence[CompletedRefund]


PAYOUT_SOURCES = (JournalSource.PAYOUT, JournalSource.PAYOUT_PAID, JournalSource.PAYOUT_FAILURE)


def _sums(journal_ids: list[int]) -> dict[int, dict[str, tuple[int, str]]]:
    """Per journal: per account kind, the signed sum of its entries and the account's key."""
    sums: dict[int, dict[str, tuple[int, str]]] = defaultdict(dict)
    rows = Entry.objects.filter(journal_id__in=journal_ids).values_list(
        "journal_id", "account__kind", "account__key", "amount_cents"
    )
    for journal_id, kind, key, cents in rows.iterator():
        total, _ = sums[journal_id].get(kind, (0, key))
        sums[journal_id][kind] = (total + cents, key)
    return sums


def _cents(sums: dict[str, tuple[int, str]], kind: str) -> int:
    return sums.get(kind, (0, ""))[0]


def _line_name(number: str, line_id: int) -> str:
    return gettext("orderregel %(line)s van bestelling %(order)s") % {"line": line_id, "order": number}


def _sale_mismatch(line: str, found: tuple[int, ...], expected: tuple[int, ...]) -> str:
    """A sale booked otherwise than its line says; the platform's discount (the last amount)
    is named only when one of the two has it."""
    if found[-1] or expected[-1]:
        return gettext(
            "Verkoop van %(line)s: geboekt (prijs, btw, commissie, verkoper, korting van "
            "het platform) %(found)s, maar de orderregel zegt %(expected)s (in centen)."
        ) % {"line": line, "found": found, "expected": expected}
    return gettext(
        "Verkoop van %(line)s: geboekt (prijs, btw, commissie, verkoper) %(found)s, "
        "maar de orderregel zegt %(expected)s (in centen)."
    ) % {"line": line, "found": found[:-1], "expected": expected[:-1]}


def sale_violations(paid_lines: Sequence[PaidLine]) -> list[str]:
    """Paid order lines and their sale journals, one for one, with equal amounts."""
    violations: list[str] = []
    lines = {line.line_id: line for line in sorted(paid_lines, key=lambda line: line.line_id)}
    sales = list(
        Journal.objects.filter(source=JournalSource.SALE)
        .values_list("pk", "source_ref", "order_line_id", "seller_id")
        .order_by("pk")
    )
    sums = _sums([pk for pk, *_ in sales])
    seen: set[int] = set()
    for pk, ref, order_line_id, seller_id in sales:
        if str(order_line_id) != ref:
            violations.append(
                gettext("Verkoopjournaal %(ref)s (#%(pk)s) hoort bij orderregel %(line)s, niet bij %(ref)s.")
                % {"ref": ref, "pk": pk, "line": order_line_id}
            )
        line = lines.get(order_line_id) if order_line_id is not None else None
        if line is None:
            violations.append(
                gettext("Verkoopjournaal %(ref)s (#%(pk)s) hoort niet bij een betaalde orderregel.")
                % {"ref": ref, "pk": pk}
            )
            continue
        seen.add(line.line_id)
        number, line_seller, country = line.order_number, line.seller_id, line.country
        price, vat, commission = line.price_cents, line.vat_cents, line.commission_cents
        platform_discount = line.platform_discount_cents
        booked = sums[pk]
        found = (
            _cents(booked, AccountKind.PROVIDER_CLEARING),
            -_cents(booked, AccountKind.VAT_PAYABLE),
            -_cents(booked, AccountKind.PLATFORM_REVENUE),
            -_cents(booked, AccountKind.SELLER_HELD),
            _cents(booked, AccountKind.PLATFORM_DISCOUNTS),
        )
        expected = (price, vat, commission, price - vat - commission + platform_discount, platform_discount)
        if found != expected:
            violations.append(_sale_mismatch(_line_name(number, line.line_id), found, expected))
        vat_country = booked.get(AccountKind.VAT_PAYABLE, (0, country))[1]
        if vat_country != country:
            violations.append(
                gettext(
                    "Verkoop van %(line)s: btw geboekt voor %(booked)s, maar de koper zit in %(country)s."
                )
                % {"line": _line_name(number, line.line_id), "booked": vat_country, "country": country}
            )
        seller_key = booked.get(AccountKind.SELLER_HELD, (0, str(line_seller)))[1]
        if seller_id != line_seller or seller_key != str(line_seller):
            violations.append(
                gettext("Verkoop van %(line)s staat op naam van een andere verkoper dan de orderregel.")
                % {"line": _line_name(number, line.line_id)}
            )
    for line in lines.values():
        if line.line_id not in seen:
            violations.append(
                gettext("Betaalde %(line)s heeft geen verkoopjournaal.")
                % {"line": _line_name(line.order_number, line.line_id)}
            )
    return violations


def _reversal_mismatch(name: str, found: tuple[int, ...], expected: tuple[int, ...]) -> str:
    if found[-1] or expected[-1]:
        return gettext(
            "Terugboeking %(j)s draait %(found)s terug (bedrag, btw, commissie, verkoper, "
            "korting van het platform), maar de verkoop boekte %(expected)s (in centen)."
        ) % {"j": name, "found": found, "expected": expected}
    return gettext(
        "Terugboeking %(j)s draait %(found)s terug (bedrag, btw, commissie, verkoper), "
        "maar de verkoop boekte %(expected)s (in centen)."
    ) % {"j": name, "found": found[:-1], "expected": expected[:-1]}


def reversal_violations(
    refunded_lines: Sequence[RefundedLine], completed: Sequence[CompletedRefund]
) -> list[str]:
    """Refunded lines and completed refunds each have exactly one reversal journal, which undoes
    the line's sale; no reversal without a refunded line and a completed refund."""
    violations: list[str] = []
    refunded = {
        line.line_id: line.order_number for line in sorted(refunded_lines, key=lambda line: line.line_id)
    }
    refunds = {
        refund.refund_id: (refund.line_id, refund.chargeback)
        for refund in sorted(completed, key=lambda refund: refund.refund_id)
    }
    reversals = list(
        Journal.objects.filter(source__in=REVERSAL_SOURCES)
        .values_list("pk", "source", "source_ref", "order_line_id")
        .order_by("pk")
    )
    sales = dict(
        Journal.objects.filter(
            source=JournalSource.SALE, order_line_id__in=[line_id for *_, line_id in reversals]
        ).values_list("order_line_id", "pk")
    )
    sums = _sums([pk for pk, *_ in reversals] + list(sales.values()))
    by_line: dict[int, list[int]] = defaultdict(list)
    by_refund: dict[int, list[int]] = defaultdict(list)
    for pk, source, ref, line_id in reversals:
        name = f"{source}:{ref} (#{pk})"
        refund = refunds.get(int(ref)) if ref.isdigit() else None
        if refund is None:
            violations.append(
                gettext("Terugboeking %(j)s hoort niet bij een voltooide terugbetaling.") % {"j": name}
            )
        else:
            by_refund[int(ref)].append(pk)
            refund_line, chargeback = refund
            expected = JournalSource.CHARGEBACK if chargeback else JournalSource.REFUND
            if refund_line != line_id:
                violations.append(
                    gettext(
                        "Terugboeking %(j)s gaat over orderregel %(line)s, de terugbetaling over %(other)s."
                    )
                    % {"j": name, "line": line_id, "other": refund_line}
                )
            if source != expected:
                violations.append(
                    gettext(
                        "Terugboeking %(j)s is geboekt als %(source)s, "
                        "maar de terugbetaling is een %(expected)s."
                    )
                    % {"j": name, "source": source, "expected": expected}
                )
        if line_id is None or line_id not in refunded:
            violations.append(
                gettext("Terugboeking %(j)s hoort niet bij een terugbetaalde orderregel.") % {"j": name}
            )
            continue
        by_line[line_id].append(pk)
        sale = sales.get(line_id)
        if sale is None:
            violations.append(
                gettext("Terugboeking %(j)s heeft geen verkoop om terug te draaien.") % {"j": name}
            )
            continue
        sold, back = sums[sale], sums[pk]
        seller_back = sum(
            _cents(back, kind)
            for kind in (AccountKind.SELLER_HELD, AccountKind.SELLER_AVAILABLE, AccountKind.SELLER_DEBT)
        )
        found = (
            -_cents(back, AccountKind.REFUNDS),
            _cents(back, AccountKind.VAT_PAYABLE),
            _cents(back, AccountKind.PLATFORM_REVENUE),
            seller_back,
            -_cents(back, AccountKind.PLATFORM_DISCOUNTS),
        )
        expected_amounts = (
            _cents(sold, AccountKind.PROVIDER_CLEARING),
            -_cents(sold, AccountKind.VAT_PAYABLE),
            -_cents(sold, AccountKind.PLATFORM_REVENUE),
            -_cents(sold, AccountKind.SELLER_HELD),
            _cents(sold, AccountKind.PLATFORM_DISCOUNTS),
        )
        if found != expected_amounts:
            violations.append(_reversal_mismatch(name, found, expected_amounts))
    for line_id, number in refunded.items():
        if len(by_line[line_id]) != 1:
            violations.append(
                gettext("Terugbetaalde %(line)s heeft %(n)s terugboekingen in plaats van één.")
                % {"line": _line_name(number, line_id), "n": len(by_line[line_id])}
            )
    for refund_id in refunds:
        if len(by_refund[refund_id]) != 1:
            violations.append(
                gettext("Voltooide terugbetaling %(refund)s heeft %(n)s terugboekingen in plaats van één.")
                % {"refund": refund_id, "n": len(by_refund[refund_id])}
            )
    return violations


# Which payout journals a payout in each state must have (and may not have others).
_PAYOUT_JOURNALS: dict[str, set[str]] = {
    PayoutStatus.SENT: {JournalSource.PAYOUT},
    PayoutStatus.PAID: {JournalSource.PAYOUT, JournalSource.PAYOUT_PAID},
    PayoutStatus.FAILED: {JournalSource.PAYOUT, JournalSource.PAYOUT_FAILURE},
}


def payout_violations() -> list[str]:
    """Payouts and their journals: the money left "available" once, with the payout's amount,
    and came back only if it failed."""
    violations: list[str] = []
    payouts = {
        pk: (seller_id, amount, status)
        for pk, seller_id, amount, status in Payout.objects.values_list(
            "pk", "seller_id", "amount_cents", "status"
        ).order_by("pk")
    }
    journals = list(
        Journal.objects.filter(source__in=PAYOUT_SOURCES)
        .values_list("pk", "source", "source_ref", "seller_id")
        .order_by("pk")
    )
    sums = _sums([pk for pk, *_ in journals])
    by_payout: dict[int, set[str]] = defaultdict(set)
    for pk, source, ref, seller_id in journals:
        name = f"{source}:{ref} (#{pk})"
        payout = payouts.get(int(ref)) if ref.isdigit() else None
        if payout is None:
            violations.append(
                gettext("Journaal %(j)s hoort niet bij een bestaande uitbetaling.") % {"j": name}
            )
            continue
        payout_seller, amount, _status = payout
        by_payout[int(ref)].add(source)
        in_transit = abs(_cents(sums[pk], AccountKind.PAYOUTS_IN_TRANSIT))
        if in_transit != amount or seller_id != payout_seller:
            violations.append(
                gettext(
                    "Journaal %(j)s boekt %(found)s cent voor verkoper %(seller)s; "
                    "de uitbetaling is %(amount)s cent voor verkoper %(payout_seller)s."
                )
                % {
                    "j": name,
                    "found": in_transit,
                    "seller": seller_id,
                    "amount": amount,
                    "payout_seller": payout_seller,
                }
            )
    for payout_id, (_seller, _amount, status) in payouts.items():
        found = by_payout[payout_id]
        required = _PAYOUT_JOURNALS.get(status)
        if required is None:  # created: booked when made, or not yet; never settled
            allowed = {JournalSource.PAYOUT}
            if found - allowed:
                violations.append(
                    gettext("Uitbetaling %(id)s is nog niet verzonden, maar heeft al journalen %(found)s.")
                    % {"id": payout_id, "found": ", ".join(sorted(found - allowed))}
                )
            continue
        if found != required:
            violations.append(
                gettext(
                    "Uitbetaling %(id)s (%(status)s) heeft journalen %(found)s in plaats van %(required)s."
                )
                % {
                    "id": payout_id,
                    "status": status,
                    "found": ", ".join(sorted(found)) or "-",
                    "required": ", ".join(sorted(required)),
                }
            )
    return violations


def ledger_health_check(*, facts: LedgerFacts, record: bool = True) -> list[str]:
    """Every violation of the ledger's invariants and of its match with ``facts`` (orders and
    refunds) and the payouts; an empty list means the ledger is balanced. ``record`` stores the
    outcome as a LedgerCheckRun for the back office's status."""
    violations = [
        *ledger_violations(),
        *sale_violations(facts.paid_lines),
        *reversal_violations(facts.refunded_lines, facts.refunds),
        *payout_violations(),
    ]
    if record:
        LedgerCheckRun.objects.create(ok=not violations, violations=violations)
    return violations


__all__ = [
    "CompletedRefund",
    "LedgerFacts",
    "PaidLine",
    "RefundedLine",
    "ledger_health_check",
    "payout_violations",
    "reversal_violations",
    "sale_violations",
]
