"""A backup taken while the site writes: threads keep selling (orders paid, entitlements
granted, sale journals posted) while `manage.py backup` runs. The snapshot is one moment of the
database: SQLite finds it whole, it holds some but not all of the sales, and after a restore
the ledger (every paid line against its journal) is balanced and the buyer downloads."""

import io
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection

from studymarket.operations import backup
from studymarket.operations.manifest import DATABASE_NAME
from studymarket.orders.models import Order, OrderStatus
from tests.factories import PaidOrderFactory, UserFactory
from tests.operations.snapshots import manage, restored_facts, snapshot_count

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="backup and restore are the embedded profile's"),
]

WRITERS = 2


def _paid_orders() -> int:
    return Order.objects.filter(status=OrderStatus.PAID).count()


def test_backup_during_concurrent_sales_restores_balanced(
    data_dir, order_line, buyer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    listing = order_line.listing
    copied = backup._file_copy
    waited: list[int] = []

    def file_copy_after_a_sale(*args, **kwargs):
        # The database is copied by now: wait (once) for a sale committed after that, so this
        # backup certainly runs while the site writes, whatever the machine's speed.
        if not waited:
            waited.append(_paid_orders())
            deadline = time.monotonic() + 30
            while _paid_orders() <= waited[0] and time.monotonic() < deadline:
                time.sleep(0.01)
        return copied(*args, **kwargs)

    monkeypatch.setattr(backup, "_file_copy", file_copy_after_a_sale)
    stop = threading.Event()
    errors: list[BaseException] = []

    def sell() -> None:
        try:
            while not stop.is_set():
                PaidOrderFactory(buyer=UserFactory(), listings=[listing])
        except BaseException as error:  # shown by the assertion below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    writers = [threading.Thread(target=sell) for _ in range(WRITERS)]
    for writer in writers:
        writer.start()
    try:
        while _paid_orders() < 3 and not errors:
            time.sleep(0.01)
        before = _paid_orders()
        snapshot = tmp_path / "snapshot"
        call_command("backup", "--to", str(snapshot), stdout=io.StringIO())
        after = _paid_orders()
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=60)
    assert errors == []
    # Sales were committed while the backup ran; the snapshot holds those before its database copy.
    assert before <= waited[0] < after
    in_snapshot = snapshot_count(snapshot / DATABASE_NAME, "orders_order")
    assert before <= in_snapshot <= waited[0]

    restored = tmp_path / "restored"
    result = manage("restore", str(snapshot), data_dir=restored)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "ledger balanced" in result.stdout.splitlines()
    assert "files_check: 0 problem(s)" in result.stdout.splitlines()
    facts = restored_facts(data_dir=restored, email=buyer.email)
    assert (facts["download"], facts["pdf"], facts["integrity"]) == (200, "%PDF-", "ok")
