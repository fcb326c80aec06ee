"""The facts a migrated database must keep, read the same way by the old code and the new.

The fixture maker (scripts/make-previous-main-fixture.py) runs this file inside the previous
`main` and stores what it prints as previous-main.json; tests/upgrade/test_previous_main.py
runs it inside the current code after `manage.py migrate` and compares. So it imports nothing
of ours: models are found by class name, wherever an app move has put them, and every read is
an ORM lookup that means the same before and after the restructuring (the entitlement's order
line and "refunded" are read through relations that either side can store).

Run it as `manage.py shell -c "import runpy; runpy.run_path('<this file>', run_name='__main__')"`:
it prints one line, MARKER and a JSON object (the shell may print other lines); facts_read
finds it.
"""

import json
import sys
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db.models import Count, Model, Sum

MARKER = "migration-facts: "


def facts_read(output: str) -> dict[str, Any]:
    """The facts in the output of the shell command above."""
    (line,) = [line for line in output.splitlines() if line.startswith(MARKER)]
    facts: dict[str, Any] = json.loads(line.removeprefix(MARKER))
    return facts


def model(name: str) -> type[Model]:
    """The one installed model class called ``name``, in whichever app holds it now."""
    found = [m for m in apps.get_models() if m.__name__ == name]
    if len(found) != 1:
        raise LookupError(f"{len(found)} installed models are called {name}: {found}")
    return found[0]


def _by(name: str, field: str) -> dict[str, int]:
    rows = model(name)._default_manager.values_list(field).annotate(n=Count("pk")).order_by(field)
    return {str(value): n for value, n in rows}


def _choices(name: str, field: str) -> list[str]:
    """The values the field may hold now: a renamed status shows up here (see the test)."""
    choices = getattr(model(name)._meta.get_field(field), "choices", None) or []
    return sorted(str(value) for value, _label in choices)


def _reviews_reading_refunded() -> list[int] | None:
    """The reviews whose ``is_refunded`` reads true (a field before, perhaps a property after);
    None when Review has no such attribute any more."""
    Review = model("Review")
    if not hasattr(Review, "is_refunded"):
        return None
    reviews = Review._default_manager.select_related("order_line").order_by("pk")
    return [review.pk for review in reviews if getattr(review, "is_refunded", False)]


def _pairs(rows: Iterable[tuple[Any, ...]]) -> list[list[Any]]:
    return sorted([list(row) for row in rows], key=lambda row: [str(v) for v in row])


def facts_collect() -> dict[str, Any]:
    counted = [
        "User",
        "SellerProfile",
        "Course",
        "Listing",
        "Document",
        "DocumentVersion",
        "DocumentPage",
        "TocEntry",
        "Order",
        "OrderLine",
        "Payment",
        "Entitlement",
        "Refund",
        "RefundRequest",
        "Review",
        "Account",
        "Journal",
        "Entry",
    ]
    Entitlement = model("Entitlement")
    Review = model("Review")
    OrderLine = model("OrderLine")
    Entry = model("Entry")
    Listing = model("Listing")
    counters = Listing._default_manager.aggregate(
        views=Sum("view_count"), sold=Sum("sold_count"), reviews=Sum("review_count"), rating=Sum("rating_sum")
    )
    by_status = {
        "orders_by_status": ("Order", "status"),
        "payments_by_status": ("Payment", "status"),
        "refunds_by_status": ("Refund", "status"),
        "refund_requests_by_status": ("RefundRequest", "status"),
        "listings_by_status": ("Listing", "status"),
        "document_versions_by_status": ("DocumentVersion", "status"),
        "journals_by_source": ("Journal", "source"),
    }
    return {
        **{key: _by(name, field) for key, (name, field) in by_status.items()},
        "choices": {key: _choices(name, field) for key, (name, field) in by_status.items()},
        "reviews_reading_refunded": _reviews_reading_refunded(),
        "counts": {name: model(name)._default_manager.count() for name in counted},
        "order_lines_refunded": OrderLine._default_manager.filter(refunded_at__isnull=False).count(),
        "entitlements": {
            "active": Entitlement._default_manager.filter(revoked_at__isnull=True).count(),
            "revoked": Entitlement._default_manager.filter(revoked_at__isnull=False).count(),
        },
        # [entitlement pk, order line pk]: read through the relation, whichever side stores it.
        "entitlement_order_lines": _pairs(Entitlement._default_manager.values_list("pk", "order_line__pk")),
        # [review pk, order line pk] of every review whose purchase was refunded.
        "reviews_refunded": _pairs(
            Review._default_manager.filter(order_line__refunded_at__isnull=False).values_list(
                "pk", "order_line__pk"
            )
        ),
        "listing_counters": counters,
        # [account pk, sum of its entries]: the ledger's balances, derived.
        "account_entry_sums": _pairs(
            Entry._default_manager.values_list("account").annotate(total=Sum("amount_cents")).order_by()
        ),
    }


if __name__ == "__main__":
    sys.stdout.write(MARKER + json.dumps(facts_collect(), sort_keys=True) + "\n")
