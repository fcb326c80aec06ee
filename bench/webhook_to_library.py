"""From Mollie's "paid" webhook to the buyer's PDF: "Download PDF" answering with the file (issue 14).

The site runs the way `make run` runs it: `manage.py serve` (granian and the task workers it
starts), SQLite and the file cache in a temporary data folder, PAYMENT_PROVIDER=mollie against
the Mollie stand-in (tests/fakes/mollie.py) in this process. For each purchase (a new buyer, an
open payment, logged in: not timed) the clock starts when the stand-in is told "paid"; it posts
the webhook to the site, which asks the stand-in back (mollie-api-python), marks the order paid
and grants the entitlement, which queues the stamped copy. Then the buyer's "Download PDF"
(a POST, as the button sends it) is asked every 50 ms until it answers 200 with a PDF; the clock
stops there. The browser's own page polls every 2 s on top of this.

Cases, in one run, each over --repeat purchases:
- reference: nothing else queued;
- backlog: --backlog search index tasks (real ones, for the bench's listings) queued before each
  purchase, topped up so that the queue holds that many when the webhook arrives;
- long task: the same backlog, and a bulk task that keeps one worker busy (bench/busy_task.py,
  --long-seconds of pure-Python work, standing for an index rebuild) running when it arrives.
Figures: p50 and p95 (nearest rank) per case; the goal is p95 ≤ 3 s in both loaded cases.
Also the queue left behind each purchase (the backlog was still there) and the resident memory
of `serve`'s processes at the end.

    .venv/bin/python bench/webhook_to_library.py [--quick] [--repeat 20] [--backlog 1000]
"""

import argparse
import math
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.recording import write  # noqa: E402
from bench.serving import free_port, serve_start, serve_stop, site_environment  # noqa: E402
from tests.fakes.mollie import API_KEY, MollieStandIn  # noqa: E402

PAGES = 30
LISTINGS = 20  # the backlog's index tasks cycle over these
GOAL_P95_SECONDS = 3.0
POLL_SECONDS = 0.05
GIVE_UP_SECONDS = 600
READY_SECONDS = 120
# Before issue 14 (one worker, every task priority 0, oldest first), this script with --quick
# (3 purchases, 200 index tasks queued, a 10 s long task) on 2026-12-07: an index task takes
# ~0.3 s here, so at the full 1,000 a purchase would wait about 5 minutes.
BEFORE_QUICK = {
    "reference": {"p50_s": 0.448, "p95_s": 0.606},
    "backlog": {"p50_s": 65.392, "p95_s": 74.034},
    "long_task": {"p50_s": 74.48, "p95_s": 79.007},
}


def _pdf(pages: int) -> bytes:
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    width, height = A4
    for number in range(1, pages + 1):
        canvas.setFont("Helvetica-Bold", 16)
        canvas.drawString(60, height - 70, f"Hoofdstuk {number}: marketing en strategie")
        canvas.setFont("Helvetica", 10)
        for line in range(50):
            canvas.drawString(
                60, height - 100 - 14 * line, f"Regel {line} van pagina {number}: klant, markt, waarde."
            )
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _environment(data_dir: str, port: int, mollie_url: str) -> dict[str, str]:
    return site_environment(
        data_dir,
        port,
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        PAYMENT_PROVIDER="mollie",
        MOLLIE_API_KEY=API_KEY,
        MOLLIE_API_ENDPOINT=mollie_url,
        MOLLIE_TIMEOUT_SECONDS="10",
    )


def _setup_django(environment: dict[str, str]) -> None:
    for name in ("DATABASE_URL", "CACHE_URL", "STUDYMARKET_ENV", "EMAIL_URL"):
        os.environ.pop(name, None)
    keys = ("DATA_DIR", "SITE_URL", "DJANGO_SETTINGS_MODULE", "STUDYMARKET_TESTING", "TASKS_BACKEND")
    os.environ.update({key: environment[key] for key in keys})
    os.environ.update(
        {key: environment[key] for key in ("PAYMENT_PROVIDER", "MOLLIE_API_KEY", "MOLLIE_API_ENDPOINT")}
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _listings() -> list[Any]:
    from django.core.files.base import ContentFile

    from studymarket.accounts.services import seller_profile_create, user_create
    from studymarket.catalog.services import (
        course_create,
        institution_create,
        listing_create,
        programme_create,
    )
    from studymarket.documents.services import document_create, document_version_extract
    from studymarket.selling.services import listing_publish

    seller = seller_profile_create(
        user=user_create(email="seller@bench.test", password="bench-wachtwoord-2026"), display_name="bench"
    )
    course = course_create(
        programme=programme_create(
            institution=institution_create(name="Hogeschool Bench", country="BE"), name="Bachelor Bench"
        ),
        name="Marketing",
    )
    pdf = _pdf(PAGES)
    listings = []
    for n in range(LISTINGS):
        document = document_create(
            seller=seller, file=ContentFile(pdf, name=f"bench{n}.pdf"), original_name=f"bench{n}.pdf"
        )
        assert document.current_version is not None
        document_version_extract(version=document.current_version, preview_page_count=3)
        listing = listing_create(
            seller=seller,
            document=document,
            course=course,
            title=f"Samenvatting Marketing {n} (bench)",
            description="Een samenvatting om te meten.",
            document_type="summary",
            language="nl",
            academic_year="2025/2026",
            price_cents=949,
            preview_page_count=3,
        )
        listings.append(listing_publish(listing=listing))
    return listings


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _memory(pid: int) -> list[dict[str, Any]]:
    """Resident memory of `serve` and every process under it (MB), with a short name."""
    rows = []
    for process in [pid, *_descendants(pid)]:
        try:
            status = Path(f"/proc/{process}/status").read_text()
            command = Path(f"/proc/{process}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        rss_kb = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")), 0)
        words = [w.decode() for w in command if w]
        name = " ".join(w for w in words[1:6] if not w.startswith("/") or w.endswith("manage.py"))
        rows.append({"pid": process, "command": name[:80], "rss_mb": round(rss_kb / 1024, 1)})
    return rows


def _nearest_rank(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class Bench:
    def __init__(
        self, site: str, standin: Any, listings: list[Any], backlog: int, long_seconds: float
    ) -> None:
        self.site = site
        self.standin = standin
        self.listings = listings
        self.backlog = backlog
        self.long_seconds = long_seconds
        self.bought = 0

    # --- Not timed ------------------------------------------------------------------
    def buyer_ready(self) -> tuple[str, requests.Session, str]:
        """A new buyer with an open Mollie payment for one listing, logged in: (provider id,
        session, download URL)."""
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.test import Client
        from django.urls import reverse

        from studymarket.orders.services import order_create
        from studymarket.payments.services import payment_start

        self.bought += 1
        listing = self.listings[self.bought % len(self.listings)]
        # No password: hashing one is not what is measured here.
        buyer = get_user_model().objects.create_user(email=f"koper{self.bought}@bench.test", password=None)
        payment = payment_start(order=order_create(buyer=buyer, listings=[listing]), method="ideal")
        client = Client()
        client.force_login(buyer)
        session = requests.Session()
        session.trust_env = False
        csrf = secrets.token_hex(16)  # Django takes an unmasked secret in the header as well
        session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
        session.cookies.set(settings.CSRF_COOKIE_NAME, csrf)
        session.headers["X-CSRFToken"] = csrf
        return (
            str(payment.provider_id),
            session,
            self.site + reverse("library:download", args=[listing.document_id]),
        )

    def queued(self) -> int:
        from django_tasks_db.models import DBTaskResult

        return int(DBTaskResult.objects.ready().count())

    def backlog_fill(self) -> None:
        """Top the queue up to ``backlog`` waiting search index tasks."""
        from django.db import transaction
        from django_tasks_db.models import DBTaskResult

        from studymarket.search.tasks import search_index_listing_task

        waiting = DBTaskResult.objects.ready().filter(task_path=search_index_listing_task.module_path).count()
        with transaction.atomic():
            for n in range(self.backlog - waiting):
                search_index_listing_task.enqueue(self.listings[n % len(self.listings)].pk)

    def queue_drain(self) -> None:
        deadline = time.monotonic() + GIVE_UP_SECONDS
        while self.queued() and time.monotonic() < deadline:
            time.sleep(0.2)

    def long_task_running(self) -> None:
        """A busy task running on a worker, with at least 5 s still to go."""
        from django_tasks_db.models import DBTaskResult

        from bench.busy_task import busy_task

        running = DBTaskResult.objects.running().filter(task_path=busy_task.module_path).first()
        if running is not None and running.started_at is not None:
            from django.utils import timezone

            if (timezone.now() - running.started_at).total_seconds() < self.long_seconds - 5:
                return
            while DBTaskResult.objects.running().filter(pk=running.pk).exists():
                time.sleep(0.1)
        # Above any task's priority: it starts as soon as the worker is free, as if it had
        # been running before the purchase came.
        result = busy_task.using(priority=100).enqueue(self.long_seconds)
        deadline = time.monotonic() + GIVE_UP_SECONDS
        while not DBTaskResult.objects.running().filter(pk=result.id).exists():
            if time.monotonic() > deadline:
                raise SystemExit("the long task never started")
            time.sleep(0.05)

    # --- Timed ----------------------------------------------------------------------
    def webhook_to_pdf(self, provider_id: str, session: requests.Session, download: str) -> float:
        start = time.perf_counter()
        answer = requests.post(
            f"{self.standin.url}/__control__/payments/{provider_id}/status",
            json={"status": "paid"},
            timeout=30,
        )
        if '"webhookStatus": 200' not in answer.text:
            raise SystemExit(f"the webhook did not deliver: {answer.text!r}")
        while time.perf_counter() - start < GIVE_UP_SECONDS:
            response = session.post(download, timeout=30)
            if response.status_code == 200:
                if response.headers["Content-Type"] != "application/pdf" or not response.content.startswith(
                    b"%PDF"
                ):
                    raise SystemExit(f"not a PDF: {response.headers['Content-Type']}")
                return time.perf_counter() - start
            if response.status_code != 202:
                raise SystemExit(f"download answered {response.status_code}")
            time.sleep(POLL_SECONDS)
        raise SystemExit(f"no PDF after {GIVE_UP_SECONDS} s")

    def case(self, name: str, repeat: int, prepare: Callable[[], None]) -> dict[str, Any]:
        times, left = [], []
        for _ in range(repeat):
            purchase = self.buyer_ready()
            prepare()
            times.append(self.webhook_to_pdf(*purchase))
            left.append(self.queued())
            print(f"  {name}: {times[-1]:.3f} s (queue after: {left[-1]})", flush=True)
        return {
            "p50_s": round(statistics.median(times), 3),
            "p95_s": round(_nearest_rank(times, 0.95), 3),
            "max_s": round(max(times), 3),
            "times_s": [round(t, 3) for t in times],
            "queued_after_each": left,
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="3 purchases, 200 queued, a 10 s long task")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--backlog", type=int, default=1000)
    parser.add_argument("--long-seconds", type=float, default=30.0)
    parser.add_argument("--cases", default="reference,backlog,long")
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.backlog, args.long_seconds = 3, 200, 10.0

    standin = MollieStandIn().start()
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="bench-webhook-")
    environment = _environment(data_dir, port, standin.url)
    _setup_django(environment)
    listings = _listings()
    log = Path(data_dir) / "serve.log"
    server = serve_start(environment, log, arguments=["--no-demo-data"], ready_seconds=READY_SECONDS)
    bench = Bench(environment["SITE_URL"], standin, listings, args.backlog, args.long_seconds)
    results: dict[str, Any] = {}
    memory: list[dict[str, Any]] = []
    try:
        bench.webhook_to_pdf(*bench.buyer_ready())  # warm-up
        cases = args.cases.split(",")
        if "reference" in cases:
            bench.queue_drain()
            results["reference"] = bench.case("reference", args.repeat, lambda: None)
        if "backlog" in cases:
            results["backlog"] = bench.case("backlog", args.repeat, bench.backlog_fill)

        def long_and_backlog() -> None:
            bench.long_task_running()
            bench.backlog_fill()

        if "long" in cases:
            results["long_task"] = bench.case("long task", args.repeat, long_and_backlog)
        memory = _memory(server.pid)
    finally:
        serve_stop(server)
        standin.stop()

    reference = results.get("reference")
    loaded = [results[name] for name in ("backlog", "long_task") if name in results]
    ratio = {
        f"{name}_p95_vs_reference_p95": round(results[name]["p95_s"] / reference["p95_s"], 1)
        for name in ("backlog", "long_task")
        if name in results and reference
    }
    path = write(
        "webhook_to_library",
        figures={
            **{name: figures for name, figures in results.items() if name != "reference"},
            "purchases_per_case": args.repeat,
            "backlog_tasks": args.backlog,
            "long_task_seconds": args.long_seconds,
            "document_pages": PAGES,
            "database": "sqlite",
            "processes_rss": memory,
            "before_issue_14_quick": BEFORE_QUICK,
        },
        reference={
            "case": "the same purchases with nothing else queued, same run and server",
            **(reference or {}),
        },
        ratio=ratio,
        goal={
            "p95_s_at_most": GOAL_P95_SECONDS,
            "met": bool(loaded) and all(case["p95_s"] <= GOAL_P95_SECONDS for case in loaded),
            "what": "paid webhook → POST Download PDF answers 200 with the PDF, with a backlog of "
            "queued bulk tasks, and with a long bulk task running as well (issue 14)",
        },
    )
    for name, figures in results.items():
        print(f"{name}: p50 {figures['p50_s']:.3f} s, p95 {figures['p95_s']:.3f} s")
    for row in memory:
        print(f"  {row['rss_mb']:7.1f} MB  {row['command']}")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
