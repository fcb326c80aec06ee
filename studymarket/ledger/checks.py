"""The ledger's own invariants, checked from the database (DESIGN.md rule 5).

``ledger_violations`` looks only at the ledger's tables; ``ledger.health`` adds the
cross-checks against payouts and against the orders and refunds above the ledger (handed down
as plain facts).
Each violation is one line a person can act on; none means the ledger is balanced.
"""

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext

from studymarket.ledger.models import Account, AccountKind, Entry, Journal, JournalSource


def journal_violations() -> list[str]:
    """Every journal has entries, in one currency, summing to zero."""
    violations = []
    rows = (
        Journal.objects.annotate(
            total=Sum("entries__amount_cents"),
            lines=Count("entries"),
            currencies=Count("entries__currency", distinct=True),
        )
        .filter(~Q(total=0) | Q(total__isnull=True) | Q(currencies__gt=1))
        .order_by("pk")
        .values_list("pk", "source", "source_ref", "total", "lines", "currencies")
    )
    for pk, source, ref, total, lines, currencies in rows:
        if not lines:
            violations.append(
                gettext("Journaal %(j)s heeft geen boekingen.") % {"j": f"{source}:{ref} (#{pk})"}
            )
        elif currencies > 1:
            violations.append(
                gettext("Journaal %(j)s mengt munteenheden.") % {"j": f"{source}:{ref} (#{pk})"}
            )
        else:
            violations.append(
                gettext("Journaal %(j)s telt op tot %(total)s cent in plaats van 0.")
                % {"j": f"{source}:{ref} (#{pk})", "total": total}
            )
    mismatched = (
        Entry.objects.exclude(currency=F("account__currency"))
        .values_list("journal__source", "journal__source_ref", "account__kind", "account__key")
        .order_by("pk")
    )
    for source, ref, kind, key in mismatched:
        violations.append(
            gettext("Journaal %(j)s boekt op rekening %(account)s in een andere munteenheid.")
            % {"j": f"{source}:{ref}", "account": f"{kind}:{key}" if key else kind}
        )
    return violations


def balance_violations() -> list[str]:
    """Every account's cached balance equals the sum of its entries; no seller's available
    balance is below zero (for them: above zero as booked); the platform's discounts are an
    expense, never a credit."""
    violations = []
    accounts = Account.objects.annotate(entries_total=Sum("entries__amount_cents")).order_by("pk")
    for account in accounts:
        total = account.entries_total or 0
        if account.balance_cents != total:
            violations.append(
                gettext(
                    "Rekening %(account)s: saldo %(balance)s cent, maar de boekingen tellen op tot %(total)s."
                )
                % {"account": str(account), "balance": account.balance_cents, "total": total}
            )
        if account.kind == AccountKind.SELLER_AVAILABLE and total > 0:
            violations.append(
                gettext("Rekening %(account)s: beschikbaar saldo van de verkoper negatief (%(total)s cent).")
                % {"account": str(account), "total": -total}
            )
        if account.kind == AccountKind.PLATFORM_DISCOUNTS and total < 0:
            violations.append(
                gettext("Rekening %(account)s: er is meer korting teruggedraaid dan er ooit gegeven werd.")
                % {"account": str(account)}
            )
        if account.kind == AccountKind.SELLER_HELD and total > 0:
            violations.append(
                gettext("Rekening %(account)s: er staat meer vrijgegeven dan er ooit vastgehouden werd.")
                % {"account": str(account)}
            )
    return violations


def adjustment_violations() -> list[str]:
    """Staff corrections name who made them and why."""
    rows = (
        Journal.objects.filter(source=JournalSource.ADJUSTMENT)
        .filter(Q(actor__isnull=True) | Q(reason=""))
        .order_by("pk")
        .values_list("source_ref", flat=True)
    )
    return [gettext("Correctie %(ref)s heeft geen medewerker of geen reden.") % {"ref": ref} for ref in rows]


def ledger_violations() -> list[str]:
    """All of the ledger's own invariants; an empty list means balanced."""
    return [*journal_violations(), *balance_violations(), *adjustment_violations()]
