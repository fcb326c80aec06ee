"""Make tests/upgrade/fixtures/previous-main.sqlite3.gz and previous-main.json: a database
made by an earlier commit of `main` (the demo data, one purchase kept, one purchase reviewed and
then refunded under the guarantee), for tests/upgrade/test_previous_main.py to migrate forward.

    .venv/bin/python scripts/make-previous-main-fixture.py [--commit 3b5b793]

It checks the commit out in a temporary git worktree (the checkout you work in is not touched),
runs that code with this virtualenv on a fresh data folder (SQLite, tasks inline, the simulated
payment provider), and keeps only the database. The purchases go through the old code's own
services, the way a buyer and the guarantee make them: cart, checkout, the provider's "paid",
payment_sync; a review; refund_request_create (approved at once: within the window, never
downloaded), the refund executed at the simulated provider. `ledger_check` must say "ledger
balanced" there before anything is stored. The facts recorded next to the database are read by
tests/upgrade/facts.py, the same file the test reads them with after migrating.
"""

import argparse
import gzip
import json
import os
import runpy
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "upgrade" / "fixtures"
FACTS = ROOT / "tests" / "upgrade" / "facts.py"
DEFAULT_COMMIT = "3b5b793"
BUYER = "demo-buyer-1@studymarket.localhost"


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")


def _run(args: list[str], *, cwd: Path, env: dict[str, str]) -> str:
    _say("$ " + " ".join(args))
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        _say(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"failed ({done.returncode}): {' '.join(args)}")
    return done.stdout


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "STUDYMARKET_ENV")}
    env.update(
        DATA_DIR=str(data_dir),
        TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        PAYMENT_PROVIDER="simulated",
        SEARCH_BACKEND="tantivy",
        CACHE_URL="locmemcache://previous-main-fixture",
        EMAIL_URL="",
        LOG_LEVEL="WARNING",
    )
    return env


def make(*, commit: str, out: Path) -> None:
    full = _run(["git", "rev-parse", "--verify", f"{commit}^{{commit}}"], cwd=ROOT, env=dict(os.environ))
    full = full.strip()
    with tempfile.TemporaryDirectory(prefix="previous-main-") as tmp:
        tree, data_dir = Path(tmp) / "tree", Path(tmp) / "data"
        data_dir.mkdir()
        env = _environment(data_dir)
        _run(["git", "worktree", "add", "--detach", str(tree), full], cwd=ROOT, env=env)
        try:
            python = [sys.executable]
            _run([*python, "manage.py", "migrate", "--verbosity", "0"], cwd=tree, env=env)
            _say(_run([*python, "manage.py", "demo_data"], cwd=tree, env=env).strip())
            _say(_run([*python, str(Path(__file__).resolve()), "--scenario"], cwd=tree, env=env).strip())
            balanced = _run([*python, "manage.py", "ledger_check", "--no-record"], cwd=tree, env=env).strip()
            if balanced != "ledger balanced":
                raise SystemExit(f"ledger_check on the previous main said: {balanced}")
            shell = f"import runpy; runpy.run_path({str(FACTS)!r}, run_name='__main__')"
            facts_read = runpy.run_path(str(FACTS))["facts_read"]
            facts = facts_read(_run([*python, "manage.py", "shell", "-c", shell], cwd=tree, env=env))
            _store(database=data_dir / "studymarket.sqlite3", out=out, facts={"commit": full, **facts})
        finally:
            _run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, env=env)


def _store(*, database: Path, out: Path, facts: dict[str, object]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    snapshot = database.with_name("snapshot.sqlite3")
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        # One self-contained file (no -wal beside it), compacted; then back to a rollback journal
        # so that copying the one file is all a test needs.
        connection.execute("VACUUM INTO ?", (str(snapshot),))
    with sqlite3.connect(snapshot) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
    target = out / "previous-main.sqlite3.gz"
    with snapshot.open("rb") as raw, gzip.GzipFile(target, "wb", compresslevel=9, mtime=0) as packed:
        shutil.copyfileobj(raw, packed)
    (out / "previous-main.json").write_text(
        json.dumps(facts, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    _say(f"{target.relative_to(ROOT)}: {snapshot.stat().st_size:,} bytes, {target.stat().st_size:,} gzipped")


# --- Inside the previous main (cwd = its worktree): the buyer's purchases and the refund --------


def scenario() -> None:
    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.utils import translation

    from studymarket.accounts.models import User
    from studymarket.catalog.models import Listing, ListingStatus
    from studymarket.checkout.selectors import purchase_refusals
    from studymarket.checkout.services import cart_item_add, checkout_start
    from studymarket.orders.models import OrderLine, OrderStatus
    from studymarket.payments.models import RefundReason, RefundStatus
    from studymarket.payments.providers.simulated import simulated_payment_decide
    from studymarket.payments.refunds import refund_request_create
    from studymarket.payments.services import payment_sync
    from studymarket.reviews.models import Review
    from studymarket.reviews.services import review_create
    from studymarket.storefront.demo.listings import reference_listing

    translation.activate("nl")
    buyer = User.objects.get(email=BUYER)
    candidates = (
        Listing.objects.filter(status=ListingStatus.PUBLISHED)
        .exclude(slug=reference_listing().slug)
        .select_related("seller")
        .order_by("pk")
    )
    refused = purchase_refusals(user=buyer, listings=candidates)
    kept, refunded = [listing for listing in candidates if listing.pk not in refused][:2]

    def buy(listing: Listing, token: str) -> OrderLine:
        cart_item_add(user=buyer, listing=listing)
        payment = checkout_start(user=buyer, checkout_token=token, method="ideal", language="nl")
        assert payment.provider_id
        simulated_payment_decide(simulated_id=payment.provider_id, status="paid")
        payment_sync(payment_id=payment.pk)
        line = OrderLine.objects.select_related("order").get(order=payment.order, listing=listing)
        assert line.order.status == OrderStatus.PAID, line.order.status
        return line

    buy(kept, "previous-main-fixture-kept")
    line = buy(refunded, "previous-main-fixture-refunded")
    review_create(author=buyer, order_line=line, rating=2, text="Viel tegen; ik heb mijn geld teruggevraagd.")
    request = refund_request_create(
        buyer=buyer, order_line=line, reason=RefundReason.POOR_QUALITY, explanation="Te weinig uitgewerkt."
    )
    line.refresh_from_db()
    refund = line.refunds.get()
    assert request.status == "approved", request.status
    assert refund.status == RefundStatus.REFUNDED, refund.status
    assert line.refunded_at is not None
    assert not line.entitlement.is_active
    assert Review.objects.get(order_line=line).is_refunded
    sys.stdout.write(f"bought {kept.slug!r}; bought, reviewed and refunded {refunded.slug!r}\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--commit", default=DEFAULT_COMMIT, help="the previous main (default %(default)s)")
    parser.add_argument("--out", type=Path, default=FIXTURES, help="where to write (default %(default)s)")
    parser.add_argument("--scenario", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.scenario:
        scenario()
    else:
        make(commit=arguments.commit, out=arguments.out)
