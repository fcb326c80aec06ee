"""The online reader (issue 14): a page image once drawn, a page image never drawn, and the first
screen in Chromium from the click on "Online lezen".

The site runs the way `make run` runs it: `manage.py serve` (granian and the task worker it
starts), SQLite and the file cache in a temporary data folder. Documents are made here (the
tests' factories, a 20-page text PDF like bench/ingest.py's) and bought by one buyer; the server
draws pages in its sandboxed children and keeps them in the private storage. The purchase's
own predraw task is switched off in the server (READER_PREDRAW_PAGES=0), so "cold" means never
drawn; the "predrawn" case runs the task's body (library.reader.reader_pages_predraw) here
before the click, as the worker does after a purchase.

Figures, each with its reference from the same run:
- page image, drawn before: GET page 1 at 1200 px with a kept-alive connection, --requests per
  run, --runs runs; p50 and p95 per run, and the median run's. Also the same with the browser's
  ETag (304). Reference: a static file of the very same bytes, served by the same server
  (WhiteNoise), interleaved with the page requests.
- page image, never drawn: GET page 1 at 1200 px of a new document, --cold runs. Reference:
  `pdftoppm -png` drawing the same page at the same width (no sandbox, no encoding to WebP).
- first screen: headless Chromium (1280×900, a fresh context each run: no browser cache), the
  library page open; the clock runs from the click on the document's "Online lezen" to page 1's
  image loaded and decoded (img.decode()) — cold (a new document), predrawn, and warm (the same
  document again); medians of --screens runs. Reference, in each of those runs: the same click
  to the reader's page shown without its images (its first figure in the document).
Goals: page image drawn before p95 ≤ 50 ms; first screen ≤ 1 s, cold and warm.

    .venv/bin/python bench/reader.py [--quick] [--runs 5] [--requests 200] [--cold 7] [--screens 7]
"""

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingest import _text_pdf  # noqa: E402
from bench.reader_screens import WIDTH, Screens  # noqa: E402
from bench.recording import write  # noqa: E402
from bench.serving import free_port, serve_start, serve_stop, site_environment  # noqa: E402

PAGES = 20
GOAL_WARM_P95_SECONDS = 0.050
GOAL_SCREEN_SECONDS = 1.0
READY_SECONDS = 120
QUEUE_SECONDS = 300
STATIC_NAME = "bench-reader/page-1.webp"


def _environment(data_dir: str, port: int) -> dict[str, str]:
    return site_environment(
        data_dir, port, TASKS_BACKEND="django_tasks_db.DatabaseBackend", READER_PREDRAW_PAGES="0"
    )


def _setup_django(environment: dict[str, str]) -> None:
    for name in ("DATABASE_URL", "CACHE_URL", "STUDYMARKET_ENV", "EMAIL_URL"):
        os.environ.pop(name, None)
    keys = ("DATA_DIR", "SITE_URL", "DJANGO_SETTINGS_MODULE", "STUDYMARKET_TESTING", "TASKS_BACKEND")
    os.environ.update({key: environment[key] for key in keys})
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _nearest_rank(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


class Site:
    """The bench's buyer and documents (made in this process, in the server's database)."""

    def __init__(self, base: str) -> None:
        from django.conf import settings
        from django.test import Client

        from tests.factories import UserFactory

        self.base = base
        self.buyer = UserFactory(email="koper@bench.test")
        client = Client()
        client.force_login(self.buyer)
        self.cookie_name = settings.SESSION_COOKIE_NAME
        self.session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.count = 0

    def document(self) -> tuple[int, int]:
        """A new document bought by the buyer: (document id, version id)."""
        from tests.purchases import listing_with_pdf, purchase, version_with_pdf

        self.count += 1
        listing = listing_with_pdf(pages=PAGES, title=f"Samenvatting bench {self.count}")
        version = listing.document.current_version
        assert version is not None
        version_with_pdf(version, pages=PAGES, data=_text_pdf(PAGES, images=False, seed=self.count))
        purchase(buyer=self.buyer, listing=listing)
        return listing.document_id, version.pk

    def session(self) -> requests.Session:
        session = requests.Session()
        session.cookies.set(self.cookie_name, self.session_key, domain="127.0.0.1")
        return session

    def page_url(self, document_id: int, version_id: int, number: int = 1) -> str:
        from django.urls import reverse

        return self.base + reverse("library:page", args=[document_id, version_id, number, WIDTH])

    def read_path(self, document_id: int) -> str:
        from django.urls import reverse

        return reverse("library:read", args=[document_id])


def _queue_drained() -> None:
    """Waits for the worker to finish what the purchases queued (the buyers' PDFs), so it does
    not draw on the machine while the clock runs."""
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + QUEUE_SECONDS
    pending = DBTaskResult.objects.filter(
        task_path__endswith="stamped_copy_build_task", status__in=["READY", "RUNNING"]
    )
    while pending.exists():
        if time.monotonic() > deadline:
            raise SystemExit("the task queue did not drain")
        time.sleep(0.2)


def _timed_get(
    session: requests.Session, url: str, headers: dict[str, str] | None = None
) -> tuple[float, Any]:
    start = time.perf_counter()
    response = session.get(url, headers=headers or {}, timeout=60)
    body = response.content
    return time.perf_counter() - start, (response, body)


def warm_images(
    site: Site, document: tuple[int, int], static_url: str, runs: int, count: int
) -> dict[str, Any]:
    session = site.session()
    url = site.page_url(*document)
    _, (first, body) = _timed_get(session, url)
    if first.status_code != 200 or body[:4] != b"RIFF":
        raise SystemExit(f"the page image did not come: {first.status_code}")
    if first.headers.get("Cache-Control") != "private, max-age=86400":
        raise SystemExit(f"unexpected caching headers: {dict(first.headers)}")
    static = session.get(static_url, timeout=30)
    if static.content != body:
        raise SystemExit("the static reference is not the same bytes")
    # A site without ETags (--site-root of an older tree) is asked without one.
    etag = {"If-None-Match": first.headers["ETag"]} if first.headers.get("ETag") else {}
    if etag and session.get(url, headers=etag, timeout=30).status_code != 304:
        raise SystemExit("no 304 for the browser's ETag")
    per_run: dict[str, list[dict[str, float]]] = {"page": [], "page_304": [], "static": []}
    for _ in range(runs):
        times: dict[str, list[float]] = {"page": [], "page_304": [], "static": []}
        for _ in range(count):  # interleaved: the same moment of a noisy machine for each
            times["page"].append(_timed_get(session, url)[0])
            times["page_304"].append(_timed_get(session, url, etag)[0])
            times["static"].append(_timed_get(session, static_url)[0])
        for name, values in times.items():
            per_run[name].append(
                {"p50_ms": _ms(statistics.median(values)), "p95_ms": _ms(_nearest_rank(values, 0.95))}
            )
    # What the first screen waits for before any image: the reader's page itself (server time).
    html = [_timed_get(session, site.base + site.read_path(document[0]))[0] for _ in range(30)]
    return (
        {
            "reader_page_html": {
                "median_ms": _ms(statistics.median(html)),
                "p95_ms": _ms(_nearest_rank(html, 0.95)),
            },
        }
        | {
            name: {
                "median_p50_ms": statistics.median(r["p50_ms"] for r in rows),
                "median_p95_ms": statistics.median(r["p95_ms"] for r in rows),
                "worst_p95_ms": max(r["p95_ms"] for r in rows),
                "runs": rows,
            }
            for name, rows in per_run.items()
        }
        | {"image_kb": round(len(body) / 1024, 1), "requests_per_run": count, "runs": runs}
    )


def cold_images(site: Site, runs: int, workdir: Path) -> dict[str, Any]:
    from studymarket.core.storage import private_storage
    from studymarket.documents.models import DocumentVersion

    session = site.session()
    times, sizes, poppler = [], [], []
    for _ in range(runs):
        document = site.document()
        _queue_drained()
        seconds, (response, body) = _timed_get(session, site.page_url(*document))
        if response.status_code != 200 or body[:4] != b"RIFF":
            raise SystemExit(f"the cold page image did not come: {response.status_code}")
        times.append(seconds)
        sizes.append(len(body))
        source = workdir / "cold.pdf"
        with private_storage().open(DocumentVersion.objects.get(pk=document[1]).file.name, "rb") as stored:
            source.write_bytes(stored.read())
        poppler.append(_pdftoppm(source, workdir))
        time.sleep(2)  # the pages after it are drawn after the answer: not into the next run
    return {
        "page": {"median_ms": _ms(statistics.median(times)), "times_ms": [_ms(t) for t in times]},
        "image_kb_median": round(statistics.median(sizes) / 1024, 1),
        "pdftoppm": {"median_ms": _ms(statistics.median(poppler)), "times_ms": [_ms(t) for t in poppler]},
    }


def _pdftoppm(source: Path, workdir: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-scale-to-x",
            str(WIDTH),
            "-scale-to-y",
            "-1",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
        ]
        + [str(source), str(workdir / "poppler")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return time.perf_counter() - start


def screens(site: Site, shots: Screens, runs: int) -> dict[str, Any]:
    from studymarket.library.reader import reader_pages_predraw

    runs_of: dict[str, list[tuple[float, float]]] = {"cold": [], "predrawn": [], "warm": []}
    warm_document = site.document()
    _queue_drained()
    shots.first_screen(site.read_path(warm_document[0]))  # drawn, and Chromium started
    time.sleep(2)
    for _ in range(runs):
        document = site.document()
        _queue_drained()
        runs_of["cold"].append(shots.first_screen(site.read_path(document[0])))
        time.sleep(2)  # pages drawn after the answer
        document = site.document()
        reader_pages_predraw(version_id=document[1], pages=4)
        _queue_drained()
        runs_of["predrawn"].append(shots.first_screen(site.read_path(document[0])))
        runs_of["warm"].append(shots.first_screen(site.read_path(warm_document[0])))
    return {
        name: {
            "median_ms": _ms(statistics.median(image for image, _ in values)),
            "times_ms": [_ms(image) for image, _ in values],
            "reference_page_without_images_median_ms": _ms(statistics.median(html for _, html in values)),
        }
        for name, values in runs_of.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a smoke run: few requests and runs")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--cold", type=int, default=7)
    parser.add_argument("--screens", type=int, default=7)
    parser.add_argument(
        "--site-root",
        type=Path,
        default=ROOT,
        help="run the server from this tree (e.g. `git archive HEAD` unpacked: a before/after)",
    )
    parser.add_argument("--name", default="reader", help="results file name (bench/results/<name>.json)")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.requests, args.cold, args.screens = 2, 100, 2, 2

    data_dir = Path(tempfile.mkdtemp(prefix="bench-reader-"))
    server = None
    try:
        port = free_port()
        environment = _environment(str(data_dir), port)
        _setup_django(environment)
        from django.conf import settings

        site = Site(environment["SITE_URL"])
        warm_document = site.document()
        # The reference file: the page's own bytes, drawn here, served as a static file.
        from studymarket.documents.models import DocumentVersion
        from studymarket.library.reader import reader_page_image
        from tests.reader_draws import reader_draws_finish

        version = DocumentVersion.objects.get(pk=warm_document[1])
        page_bytes = reader_page_image(version=version, number=1, width=WIDTH)
        reader_draws_finish()
        static_file = Path(settings.STATIC_ROOT) / STATIC_NAME
        static_file.parent.mkdir(parents=True, exist_ok=True)
        static_file.write_bytes(page_bytes)

        server = serve_start(
            environment,
            data_dir / "serve.log",
            arguments=["--no-demo-data"],
            root=args.site_root,
            ready_seconds=READY_SECONDS,
        )
        _queue_drained()
        static_url = f"{site.base}{settings.STATIC_URL}{STATIC_NAME}"
        print("page image drawn before …", flush=True)
        warm = warm_images(site, warm_document, static_url, args.runs, args.requests)
        print(f"  p95 {warm['page']['median_p95_ms']} ms (static file {warm['static']['median_p95_ms']} ms)")
        print("page image never drawn …", flush=True)
        cold = cold_images(site, args.cold, data_dir)
        print(f"  median {cold['page']['median_ms']} ms (pdftoppm {cold['pdftoppm']['median_ms']} ms)")
        print("first screen in Chromium …", flush=True)
        shots = Screens(site)
        try:
            first = screens(site, shots, args.screens)
        finally:
            shots.close()
        print("  " + ", ".join(f"{k} {v['median_ms']} ms" for k, v in first.items()))
    finally:
        if server is not None:
            serve_stop(server)
        shutil.rmtree(data_dir, ignore_errors=True)

    warm_met = warm["page"]["median_p95_ms"] <= GOAL_WARM_P95_SECONDS * 1000
    screens_met = all(first[k]["median_ms"] <= GOAL_SCREEN_SECONDS * 1000 for k in first)
    path = write(
        args.name,
        figures={
            "page_image_drawn_before": {
                "what": f"GET page 1 at {WIDTH} px (a {PAGES}-page text PDF), kept-alive connection, "
                "from the private storage",
                **warm["page"],
            },
            "page_image_304": {
                "what": "the same with the browser's ETag (If-None-Match)",
                **warm["page_304"],
            },
            "reader_page_html": {
                "what": f"GET the reader's page ({PAGES} pages): the server's part of a first screen",
                **warm["reader_page_html"],
            },
            "image_kb": warm["image_kb"],
            "requests_per_run": warm["requests_per_run"],
            "page_image_never_drawn": {
                "what": f"GET page 1 at {WIDTH} px of a new document (drawn in the sandboxed child)",
                **cold["page"],
                "image_kb_median": cold["image_kb_median"],
            },
            "first_screen": {
                "what": "Chromium 1280×900, fresh context: click on 'Online lezen' → page 1's image decoded",
                **first,
            },
            "settings": {
                "server": "manage.py serve (granian WSGI)",
                "site_root": str(args.site_root),
                "database": "sqlite",
                "cache": "file cache",
            },
        },
        reference={
            "static_file_same_bytes": {
                "what": "the same image as a static file (WhiteNoise), same server, connection, moments",
                **warm["static"],
            },
            "pdftoppm": {
                "what": f"pdftoppm -png -scale-to-x {WIDTH} -f 1 -l 1 on the same PDF (no sandbox)",
                **cold["pdftoppm"],
            },
        },
        ratio={
            "warm_page_p95_over_static_p95": round(
                warm["page"]["median_p95_ms"] / max(warm["static"]["median_p95_ms"], 0.01), 2
            ),
            "cold_page_over_pdftoppm": round(
                cold["page"]["median_ms"] / max(cold["pdftoppm"]["median_ms"], 0.01), 2
            ),
        },
        goal={
            "page_image_drawn_before_p95_ms": GOAL_WARM_P95_SECONDS * 1000,
            "first_screen_ms": GOAL_SCREEN_SECONDS * 1000,
            "page_image_met": warm_met,
            "first_screen_met": screens_met,
            "note": "p95 is the median over runs of each run's nearest-rank p95; the machine is shared "
            "(2 cores, other benchmarks running): compare with the reference of the same run",
        },
    )
    print(f"Wrote {path}")


if __name__ == "__main__":
    main()
