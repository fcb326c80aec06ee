"""Resident memory of the site's processes under mixed traffic (issue 14: "each web process and the
worker ≤ 200 MB resident after an hour of mixed traffic").

Starts the site the way `make run` does (`manage.py serve`: granian, the db_worker, SQLite and the
file cache in a temporary data folder, the demo data), then for --minutes drives mixed traffic
from a few client threads: anonymous pages (home, listings, courses, institutions), search and its
suggestions, logging in, the library, the reader and its page images (drawn in sandboxed
children), a seller's uploads (text PDFs of 30 to 150 pages, some with photos, processed by the
worker) and purchases on the simulated provider (a new buyer signs up, pays, reads and asks for
the stamped PDF, which the worker builds). Every few seconds it reads each process's VmRSS,
RssAnon and RssFile (/proc/PID/status), and smaps_rollup at the start and the end:

- supervisor: `manage.py serve` itself (migrates, collects static files, loads the demo data,
  then watches the children and queues the periodic tasks);
- web main / web worker: granian's own process and its worker(s), which run Django;
- task worker: `manage.py db_worker` (a second one for other queues is "task worker <queues>");
- children: the sandboxed PDF children of the web and task workers, short-lived (their peak).

RssFile is file-backed (the Python binary, shared libraries, memory-mapped index files): the
kernel can drop it and share it between processes. RssAnon is the process's own heap. The goal
counts VmRSS at the end of the run (both together; both halves are reported, and the peak).
Peaks are mostly log-ins: Django's Argon2 hasher takes 100 MiB for about a second per log-in.

Reference, same run: a bare `python -c "import django"` process, and the plain Django floor: a
one-view Django project (contrib apps and the usual middleware) under the same granian, after
2,000 requests of its one page. The ratio is each process's end RSS over that floor.

Writes bench/results/memory.json (--name to change). Default 10 minutes; the issue's hour is
`--minutes 60` (plus the start-up: 1 to 7 minutes, the demo data's PDFs, depending on how busy
the machine is). Other processes on this 2-core machine slow the traffic down but hardly change
memory; the request counts are in the results. --root runs another checkout (a copy of an
earlier commit, say) with this script, for a before/after in the same conditions.

    .venv/bin/python bench/memory.py [--minutes 10] [--quick] [--malloc-arena-max 2]
                                     [--root /path/to/another/checkout]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.memory_traffic import Traffic, site_read  # noqa: E402
from bench.recording import write  # noqa: E402
from bench.serving import free_port, ready_wait, serve_start, serve_stop, site_environment  # noqa: E402

GOAL_MB = 200
READY_SECONDS = 900  # the demo data take minutes on a busy 2-core machine
CLIENT_THREADS = 4
FLOOR_REQUESTS = 2000
ROLES = ("supervisor", "web main", "web worker", "task worker", "children")  # and "task worker <queues>"


# --- Processes and their memory ------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for child_file in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in child_file.read_text().split()]
        except OSError:
            continue
    return found


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def status_mb(pid: int) -> dict[str, float] | None:
    """VmRSS, RssAnon and RssFile (+RssShmem) in MB, and the thread count; None when gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = dict(re.findall(r"^(VmRSS|RssAnon|RssFile|RssShmem|Threads):\s+(\d+)", text, re.MULTILINE))
    if "VmRSS" not in fields:
        return None
    return {
        "rss": round(int(fields["VmRSS"]) / 1024, 1),
        "anon": round(int(fields["RssAnon"]) / 1024, 1),
        "file": round((int(fields["RssFile"]) + int(fields.get("RssShmem", 0))) / 1024, 1),
        "threads": int(fields.get("Threads", 0)),
    }


def smaps_mb(pid: int) -> dict[str, float]:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return {}
    wanted = {"Rss", "Pss", "Pss_Anon", "Pss_File", "Shared_Clean", "Private_Dirty", "Anonymous", "Swap"}
    return {
        k: round(int(v) / 1024, 1)
        for k, v in re.findall(r"^(\w+):\s+(\d+) kB", text, re.MULTILINE)
        if k in wanted
    }


def site_processes(serve_pid: int) -> dict[int, str]:
    """{pid: role} for `serve` and everything under it."""
    roles = {serve_pid: "supervisor"}
    for pid in _children(serve_pid):
        command = _command(pid)
        if "granian" in command:
            roles[pid] = "web main"
            for worker in _children(pid):
                roles[worker] = "web worker"
                roles.update(dict.fromkeys(_children(worker), "children"))
        elif "db_worker" in command:
            # `serve` may run more than one: named by their queues unless they take every queue.
            queues = re.search(r"--queue-name (\S+)", command)
            name = queues.group(1) if queues else "*"
            roles[pid] = "task worker" if name == "*" else f"task worker {name}"
            roles.update(dict.fromkeys(_children(pid), "children"))
    return roles


@dataclass
class Sampler:
    serve_pid: int
    interval: float
    samples: list[dict[str, Any]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    started: float = field(default_factory=time.monotonic)

    def sample(self) -> dict[str, Any]:
        row: dict[str, Any] = {"t": round(time.monotonic() - self.started, 1), "processes": {}}
        for pid, role in site_processes(self.serve_pid).items():
            memory = status_mb(pid)
            if memory is not None:
                row["processes"][str(pid)] = {"role": role, **memory}
        self.samples.append(row)
        return row

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            self.sample()


def _role_series(samples: list[dict[str, Any]], role: str, key: str) -> list[float]:
    """Per sample: the largest process of that role (for "children": the largest child alive)."""
    series = []
    for row in samples:
        values = [p[key] for p in row["processes"].values() if p["role"] == role]
        if values:
            series.append(max(values))
    return series


def _roles(samples: list[dict[str, Any]]) -> list[str]:
    seen = {p["role"] for row in samples for p in row["processes"].values()}
    return [r for r in ROLES if r in seen] + sorted(seen - set(ROLES))


def summary(
    samples: list[dict[str, Any]], after_start: dict[str, Any], end_smaps: dict[str, Any]
) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for role in _roles(samples):
        rss = _role_series(samples, role, "rss")
        if not rss:
            continue
        anon = _role_series(samples, role, "anon")
        file = _role_series(samples, role, "file")
        entry: dict[str, Any] = {
            "peak_rss_mb": max(rss),
            "peak_anon_mb": max(anon),
            "peak_file_mb": max(file),
        }
        if role != "children":
            start = [p for p in after_start["processes"].values() if p["role"] == role]
            entry |= {
                "start_rss_mb": max((p["rss"] for p in start), default=None),
                "start_anon_mb": max((p["anon"] for p in start), default=None),
                "start_file_mb": max((p["file"] for p in start), default=None),
                "end_rss_mb": rss[-1],
                "end_anon_mb": anon[-1],
                "end_file_mb": file[-1],
                "threads_end": _role_series(samples, role, "threads")[-1],
                "processes_seen": len(
                    {pid for row in samples for pid, p in row["processes"].items() if p["role"] == role}
                ),
                "smaps_rollup_end_mb": end_smaps.get(role, {}),
            }
        figures[role] = entry
    return figures


# --- The site ------------------------------------------------------------------------------


def _environment(data_dir: str, port: int, *, keep: bool, arena_max: int | None) -> dict[str, str]:
    environment = site_environment(
        data_dir, port, keep=keep, UPLOAD_QUOTA_PER_SELLER="", RATE_LIMIT_REVIEWS_PER_USER=""
    )
    environment.pop("MALLOC_ARENA_MAX", None)
    if arena_max:
        environment["MALLOC_ARENA_MAX"] = str(arena_max)
    return environment


# --- The reference: bare Python and a plain Django under the same granian ----------------------

_FLOOR_APP = textwrap.dedent(
    """
    import django
    from django.conf import settings
    from django.http import HttpResponse
    from django.urls import path

    def hello(request):
        return HttpResponse("ok")

    settings.configure(
        DEBUG=False,
        SECRET_KEY="floor-" * 8,
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                        "django.contrib.messages", "django.contrib.staticfiles"],
        MIDDLEWARE=["django.middleware.security.SecurityMiddleware",
                    "django.contrib.sessions.middleware.SessionMiddleware",
                    "django.middleware.common.CommonMiddleware",
                    "django.middleware.csrf.CsrfViewMiddleware",
                    "django.contrib.auth.middleware.AuthenticationMiddleware",
                    "django.contrib.messages.middleware.MessageMiddleware"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        STATIC_URL="/static/",
    )
    django.setup()
    urlpatterns = [path("", hello)]

    from django.core.wsgi import get_wsgi_application
    application = get_wsgi_application()
    """
)


def bare_python_mb() -> dict[str, float]:
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys, django; print('ready', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdin is not None
    child.stdout.readline()
    memory = status_mb(child.pid) or {}
    child.stdin.close()
    child.wait(timeout=30)
    return memory


def django_floor_mb(environment: dict[str, str], workdir: Path) -> dict[str, Any]:
    """A one-view Django under granian, as `serve` starts it, after FLOOR_REQUESTS requests."""
    (workdir / "floorapp.py").write_text(_FLOOR_APP)
    port = free_port()
    env = {key: value for key, value in environment.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.setdefault("GRANIAN_BLOCKING_THREADS", str(2 * (os.cpu_count() or 1) + 1))
    log = workdir / "floor.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
                "--port", str(port), "--working-dir", str(workdir), "floorapp:application",
            ],
            cwd=workdir, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/"
        ready_wait(server, url, log, seconds=READY_SECONDS)
        session = requests.Session()
        for _ in range(FLOOR_REQUESTS):
            session.get(url, timeout=30)
        workers = _children(server.pid)
        return {
            "web main": status_mb(server.pid),
            "web worker": max(
                (status_mb(pid) or {} for pid in workers), key=lambda m: m.get("rss", 0), default={}
            ),
            "requests": FLOOR_REQUESTS,
        }
    finally:
        serve_stop(server)


# --- Main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10.0, help="traffic time (the issue's hour: 60)")
    parser.add_argument("--quick", action="store_true", help="1 minute of traffic: a smoke run")
    parser.add_argument("--sample-seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=CLIENT_THREADS, help="client threads")
    parser.add_argument("--malloc-arena-max", type=int, default=None, help="MALLOC_ARENA_MAX for the site")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to run (default: this one)")
    parser.add_argument(
        "--keep-environment", action="store_true", help="pass DATABASE_URL / CACHE_URL on to the server"
    )
    parser.add_argument("--name", default="memory", help="results file name (bench/results/<name>.json)")
    args = parser.parse_args()
    minutes = 1.0 if args.quick else args.minutes

    data_dir = tempfile.mkdtemp(prefix="studymarket-bench-memory-")
    port = free_port()
    environment = _environment(data_dir, port, keep=args.keep_environment, arena_max=args.malloc_arena_max)
    base = f"http://127.0.0.1:{port}"
    reference: dict[str, Any] = {"bare_python_import_django_mb": bare_python_mb()}
    started = time.monotonic()
    server = serve_start(
        environment, Path(data_dir) / "serve.log", root=args.root, ready_seconds=READY_SECONDS
    )
    startup_seconds = round(time.monotonic() - started, 1)
    sampler = Sampler(server.pid, args.sample_seconds)
    try:
        time.sleep(5)  # the worker's first sweeps
        after_start = sampler.sample()
        site = site_read(args.root, environment, base)
        traffic = Traffic(site, deadline=time.monotonic() + minutes * 60)
        sampling = threading.Thread(target=sampler.run, daemon=True)
        sampling.start()
        print(
            f"site up in {startup_seconds} s; {minutes:g} min of traffic from {args.threads} threads ...",
            flush=True,
        )
        traffic.run(args.threads)
        time.sleep(args.sample_seconds * 2)  # the tasks the last requests queued
        sampler.stop.set()
        sampling.join()
        final = sampler.sample()
        end_smaps: dict[str, Any] = {}
        for pid, process in final["processes"].items():
            if process["role"] != "children":
                end_smaps[process["role"]] = smaps_mb(int(pid))
        log_tail = (Path(data_dir) / "serve.log").read_text(errors="replace")[-3000:]
    finally:
        serve_stop(server)
    try:
        reference["plain_django_under_granian_mb"] = django_floor_mb(environment, Path(data_dir))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)

    samples = sampler.samples
    figures = summary(samples, after_start, end_smaps)
    figures["traffic"] = {
        "minutes": minutes,
        "client_threads": args.threads,
        "requests": sum(traffic.counts.values()),
        "by_kind": dict(sorted(traffic.counts.items())),
        "unexpected_answers": dict(sorted(traffic.errors.items())),
        "uploads": traffic.uploads,
        "purchases_started": traffic.buyers,
    }
    figures["setup"] = {
        "samples": len(samples),
        "sample_seconds": args.sample_seconds,
        "startup_seconds": startup_seconds,
        "malloc_arena_max": args.malloc_arena_max,
        "granian_blocking_threads": environment.get(
            "GRANIAN_BLOCKING_THREADS", "serve's default (2 × cores + 1)"
        ),
        "root": str(args.root),
        "database": "DATABASE_URL" if args.keep_environment and "DATABASE_URL" in environment else "sqlite",
        "load_average_end": os.getloadavg(),
    }
    long_lived = [role for role in _roles(samples) if role not in ("children", "web main")]
    figures["series_mb"] = {role: _role_series(samples, role, "rss") for role in long_lived}
    floor_web = reference["plain_django_under_granian_mb"]["web worker"].get("rss") or 1.0
    ratio = {
        f"{role}_end_rss_over_plain_django": round(figures[role]["end_rss_mb"] / floor_web, 2)
        for role in long_lived
    }
    goal = {
        role: {
            "end_rss_at_most_mb": GOAL_MB,
            "end_rss_mb": figures[role]["end_rss_mb"],
            "met": figures[role]["end_rss_mb"] <= GOAL_MB,
            "peak_rss_mb": figures[role]["peak_rss_mb"],
            "end_anon_met": figures[role]["end_anon_mb"] <= GOAL_MB,
        }
        for role in ["web main", *long_lived]
        if role in figures
    }
    path = write(args.name, figures=figures, reference=reference, ratio=ratio, goal=goal)
    for role in _roles(samples):
        if role in figures:
            entry = figures[role]
            print(
                f"{role:18} start {entry.get('start_rss_mb', '-')!s:>6}  peak {entry['peak_rss_mb']:6.1f}  "
                f"end {entry.get('end_rss_mb', '-')!s:>6} MB  (end anon {entry.get('end_anon_mb', '-')}, "
                f"file {entry.get('end_file_mb', '-')})"
            )
    unexpected = sum(traffic.errors.values())
    print(f"requests {figures['traffic']['requests']}, unexpected {unexpected}: {dict(traffic.errors)}")
    floor = reference["plain_django_under_granian_mb"]["web worker"]
    print(f"plain Django under granian: {floor}; written to {path}")
    if sum(traffic.errors.values()) > 0.05 * max(1, figures["traffic"]["requests"]):
        print("Many unexpected answers; the end of serve.log:\n" + log_tail)


if __name__ == "__main__":
    main()
