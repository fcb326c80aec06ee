"""Throughput of the site's pages through the real server, against the cheapest Django page (issue 14).

Starts the site the way `make run` does (`manage.py serve`: granian, SQLite and the file cache in a
temporary data folder, the demo data; CACHE_URL / DATABASE_URL from the environment are passed on
when --keep-environment is given), finds the pages' addresses in the demo data, and measures each
page with wrk (16 connections), each time right after a measurement of the floor, /healthz
(core.views.healthz: the cheapest response through the same server and middleware). Several
runs; the figures are medians, and the ratio is the median of the paired ratios (page / the floor
measured just before it), which holds up better than a ratio of medians on a shared machine.

Pages:
- anonymous: home, listing (the reference listing), course and institution (the reference
  listing's), search ("samenvatting"). Goal ≥ 0.7 × floor.
- logged in (a session cookie from the real login form): library and reader (the reference
  listing's buyer, demo-reviewer), dashboard (its seller, demo-seller). Goal ≥ 0.3 × floor.

wrk sends a browser's User-Agent (so the listing page takes the view-counting path a visitor
takes) and 127.0.0.1 is exempt from the rate limits (the search page's 60/min per address would
otherwise answer 429). The resident memory of the web server's processes is read at the end.
Writes bench/results/pages.json.

    .venv/bin/python bench/pages.py [--quick] [--pages listing,library] [--runs 5] [--seconds 5]
"""

import argparse
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.recording import write  # noqa: E402
from bench.serving import free_port, serve_start, serve_stop, site_environment  # noqa: E402

CONNECTIONS = 16
THREADS = 2
ANONYMOUS = ["home", "listing", "course", "institution", "search"]
LOGGED_IN = ["library", "reader", "dashboard"]
GOAL_ANONYMOUS = 0.7
GOAL_LOGGED_IN = 0.3
SEARCH_WORD = "samenvatting"
BUYER = "demo-reviewer"  # bought and reviewed the reference listing
SELLER = "demo-seller"  # the reference listing's seller
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)
READY_SECONDS = 300


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    account: str | None  # None: anonymous


@dataclass(frozen=True)
class Measurement:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad_responses: int


def _pages(environment: dict[str, str]) -> dict[str, Page]:
    """The pages' paths, read from the demo data (Django set up in this process on the same
    data folder and database)."""
    os.environ.update(
        {key: environment[key] for key in ("DATA_DIR", "DJANGO_SETTINGS_MODULE", "STUDYMARKET_TESTING")}
    )
    for name in ("DATABASE_URL", "CACHE_URL"):
        if name in environment:
            os.environ[name] = environment[name]
        else:
            os.environ.pop(name, None)
    import django

    django.setup()
    from django.urls import reverse

    from studymarket.catalog.models import Listing
    from studymarket.storefront.demo.listings import reference_listing

    listing = Listing.objects.select_related("course__programme__institution", "document").get(
        title=reference_listing().title
    )
    course = listing.course
    return {
        "healthz": Page("healthz", reverse("healthz"), None),
        "home": Page("home", reverse("storefront:home"), None),
        "listing": Page("listing", listing.get_absolute_url(), None),
        "course": Page("course", course.get_absolute_url(), None),
        "institution": Page("institution", course.programme.institution.get_absolute_url(), None),
        "search": Page("search", f"{reverse('search:search')}?q={SEARCH_WORD}", None),
        "library": Page("library", reverse("library:index"), BUYER),
        "reader": Page("reader", reverse("library:read", kwargs={"document_id": listing.document_id}), BUYER),
        "dashboard": Page("dashboard", reverse("selling:sell_dashboard"), SELLER),
    }


def _cookie(base: str, account: str) -> str:
    """Log in through the real login form; the Cookie header of that browser."""
    from django.urls import reverse

    from studymarket.storefront.demo.people import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD

    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    login = base + reverse("accounts:login")
    session.get(login, timeout=30).raise_for_status()
    answer = session.post(
        login,
        data={
            "username": f"{account}@{DEMO_EMAIL_DOMAIN}",
            "password": DEMO_PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": login},
        timeout=30,
        allow_redirects=False,
    )
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise SystemExit(f"logging in as {account} failed: HTTP {answer.status_code}")
    return "; ".join(f"{name}={value}" for name, value in session.cookies.items())


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS_MS[unit]


def wrk(url: str, *, seconds: float, cookie: str | None) -> Measurement:
    command = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds:g}s", "--latency"]
    # wrk's own 2 s would count a slow page's answers as errors on a busy machine.
    command += ["--timeout", "30s"]
    command += ["-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.MULTILINE))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: .*?timeout (\d+)", output)
    return Measurement(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        p50_ms=_ms(latency["50"]) if "50" in latency else float("nan"),
        p99_ms=_ms(latency["99"]) if "99" in latency else float("nan"),
        requests=int(re.search(r"(\d+) requests in", output).group(1)),  # type: ignore[union-attr]
        bad_responses=(int(bad.group(1)) if bad else 0) + (int(errors.group(1)) if errors else 0),
    )


def _settle(base: str) -> None:
    """Wait until the server has answered what the last wrk run left queued (wrk stops sending,
    the server still works through slow pages): the next measurement starts from idle."""
    requests.get(f"{base}/healthz", timeout=300)


def _descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        parent = queue.pop()
        for child_file in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                children = [int(child) for child in child_file.read_text().split()]
            except OSError:
                continue
            found += children
            queue += children
    return found


def web_memory_mb(serve_pid: int) -> dict[str, float]:
    """Resident memory of each granian process (the web server and its workers), in MB."""
    memory = {}
    for pid in _descendants(serve_pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if "granian" not in command:
            continue
        rss_kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
        memory[str(pid)] = round(rss_kb / 1024, 1)
    return memory


def _median_known(values: list[float]) -> float | None:
    known = [value for value in values if not math.isnan(value)]
    return round(statistics.median(known), 2) if known else None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="2 runs of 2 s: a smoke run")
    parser.add_argument("--pages", default=",".join(ANONYMOUS + LOGGED_IN), help="comma-separated page names")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--keep-environment", action="store_true", help="pass DATABASE_URL / CACHE_URL on to the server"
    )
    parser.add_argument(
        "--data-dir", help="use (and keep) this data folder: the demo data loads once, not on every run"
    )
    parser.add_argument("--name", default="pages", help="results file name (bench/results/<name>.json)")
    args = parser.parse_args()
    runs, seconds = (2, 2.0) if args.quick else (args.runs, args.seconds)
    chosen = [name.strip() for name in args.pages.split(",") if name.strip()]
    unknown = set(chosen) - set(ANONYMOUS + LOGGED_IN)
    if unknown:
        raise SystemExit(f"unknown pages: {', '.join(sorted(unknown))}")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (scripts/install-system-packages.sh)")

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="studymarket-bench-pages-")
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    port = free_port()
    environment = site_environment(data_dir, port, keep=args.keep_environment)
    base = f"http://127.0.0.1:{port}"
    server = serve_start(environment, Path(data_dir) / "serve.log", ready_seconds=READY_SECONDS)
    try:
        pages = _pages(environment)
        cookies = {
            account: _cookie(base, account) for account in {pages[name].account for name in chosen} if account
        }
        order = ["healthz", *chosen]
        for name in order:  # warm up: every page once (templates, caches, the worker's first sweeps)
            page = pages[name]
            headers = {
                "User-Agent": USER_AGENT,
                **({"Cookie": cookies[page.account]} if page.account else {}),
            }
            answer = requests.get(base + page.path, headers=headers, timeout=60, allow_redirects=False)
            if answer.status_code != 200:
                raise SystemExit(f"{name} {page.path}: HTTP {answer.status_code}")
            wrk(base + page.path, seconds=1, cookie=cookies.get(page.account or ""))
        samples: dict[str, list[Measurement]] = {name: [] for name in order}
        # Each page right after a measurement of the floor: on a shared machine the load changes
        # from minute to minute, and the ratio of each pair is taken before the median.
        paired: dict[str, list[float]] = {name: [] for name in chosen}
        for run in range(runs):
            for name in chosen:
                _settle(base)
                floor_now = wrk(base + pages["healthz"].path, seconds=seconds, cookie=None)
                samples["healthz"].append(floor_now)
                page = pages[name]
                _settle(base)
                measured = wrk(base + page.path, seconds=seconds, cookie=cookies.get(page.account or ""))
                samples[name].append(measured)
                if floor_now.requests_per_second:
                    paired[name].append(measured.requests_per_second / floor_now.requests_per_second)
            print(
                f"run {run + 1}/{runs}: "
                + ", ".join(f"{n} {samples[n][-1].requests_per_second:.0f}" for n in order)
            )
        memory = web_memory_mb(server.pid)
    finally:
        serve_stop(server)
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)

    def summary(name: str) -> dict[str, Any]:
        rates = [sample.requests_per_second for sample in samples[name]]
        return {
            "path": pages[name].path,
            "logged_in_as": pages[name].account,
            "requests_per_second": round(statistics.median(rates), 1),
            "requests_per_second_runs": [round(rate, 1) for rate in rates],
            "spread_percent": (
                round(100 * (max(rates) - min(rates)) / statistics.median(rates), 1)
                if statistics.median(rates)
                else None
            ),
            "latency_p50_ms": _median_known([s.p50_ms for s in samples[name]]),
            "latency_p99_ms": _median_known([s.p99_ms for s in samples[name]]),
            "bad_responses": sum(s.bad_responses for s in samples[name]),
        }

    floor = summary("healthz")
    figures = {name: summary(name) for name in chosen}
    # The median of the paired ratios (each page / the floor measured just before it).
    ratio = {name: round(statistics.median(paired[name]), 3) if paired[name] else 0.0 for name in chosen}
    for name in chosen:
        figures[name]["ratio_runs"] = [round(value, 3) for value in paired[name]]
    goal = {
        name: {
            "ratio_at_least": GOAL_ANONYMOUS if name in ANONYMOUS else GOAL_LOGGED_IN,
            "met": ratio[name] >= (GOAL_ANONYMOUS if name in ANONYMOUS else GOAL_LOGGED_IN),
        }
        for name in chosen
    }
    figures["web_server_rss_mb"] = memory
    figures["setup"] = {
        "runs": runs,
        "seconds_per_run": seconds,
        "connections": CONNECTIONS,
        "wrk_threads": THREADS,
        "database": "DATABASE_URL" if args.keep_environment and "DATABASE_URL" in environment else "sqlite",
        "cache": "CACHE_URL" if args.keep_environment and "CACHE_URL" in environment else "filecache",
        "interleaved": "each run measures, for every page in turn, /healthz and then the page",
    }
    path = write(args.name, figures=figures, reference={"healthz": floor}, ratio=ratio, goal=goal)
    for name in chosen:
        print(
            f"{name:12} {figures[name]['requests_per_second']:8.1f} req/s  ×{ratio[name]:.3f} of floor "
            f"(p50 {figures[name]['latency_p50_ms']} ms, p99 {figures[name]['latency_p99_ms']} ms)"
            + (f"  {figures[name]['bad_responses']} BAD" if figures[name]["bad_responses"] else "")
        )
    print(f"healthz      {floor['requests_per_second']:8.1f} req/s;  RSS {memory} MB;  written to {path}")


if __name__ == "__main__":
    main()
