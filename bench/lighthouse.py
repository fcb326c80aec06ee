"""Lighthouse's performance score of the reference listing's page (issue 14). Goal: 1.0.

Starts the site as bench/pages.py does (`manage.py serve`, a temporary data folder with the demo
data, a free port) and runs Lighthouse on the listing page with its desktop and its mobile
(default) settings, in headless Chromium (CHROME_PATH, default /usr/bin/chromium), a few times
each: the figures are the median scores and metrics. The first visit is made before the runs, so
Lighthouse measures the page as visitors get it (from the page cache), which is also what an
anonymous visitor gets within the minute after anyone else.

Lighthouse comes from the npm registry, installed once into LIGHTHOUSE_DIR (default
~/.cache/studymarket-bench/lighthouse, outside the repository). Version 12.2.3: 13 wants Node 22.
Writes bench/results/lighthouse.json.

    .venv/bin/python bench/lighthouse.py [--quick] [--runs 3] [--data-dir DIR]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import READY_SECONDS, USER_AGENT, _pages  # noqa: E402
from bench.recording import write  # noqa: E402
from bench.serving import free_port, serve_start, serve_stop, site_environment  # noqa: E402

LIGHTHOUSE_VERSION = "12.2.3"
GOAL_SCORE = 1.0
METRICS = {
    "first-contentful-paint": "first_contentful_paint_ms",
    "largest-contentful-paint": "largest_contentful_paint_ms",
    "total-blocking-time": "total_blocking_time_ms",
    "cumulative-layout-shift": "cumulative_layout_shift",
    "speed-index": "speed_index_ms",
}


def lighthouse_bin() -> Path:
    folder = Path(os.environ.get("LIGHTHOUSE_DIR", Path.home() / ".cache/studymarket-bench/lighthouse"))
    binary = folder / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        if shutil.which("npm") is None:
            raise SystemExit("npm is missing (Debian: apt-get install npm)")
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(folder), "-E", "--no-audit", "--no-fund",
             f"lighthouse@{LIGHTHOUSE_VERSION}"],
            check=True,
            timeout=600,
        )  # fmt: skip
    return binary


def run_once(binary: Path, url: str, *, preset: str, workdir: Path) -> dict[str, float]:
    report = workdir / f"report-{preset}.json"
    command = [
        str(binary),
        url,
        "--only-categories=performance",
        "--output=json",
        f"--output-path={report}",
        "--quiet",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    environment = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(command, check=True, timeout=300, env=environment, capture_output=True)
    data = json.loads(report.read_text())
    figures = {"score": float(data["categories"]["performance"]["score"])}
    for audit, name in METRICS.items():
        figures[name] = float(data["audits"][audit]["numericValue"])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="one run per preset")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", help="use (and keep) this data folder (the demo data loads once)")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    binary = lighthouse_bin()

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="studymarket-bench-lighthouse-")
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    port = free_port()
    environment = site_environment(data_dir, port)
    base = f"http://127.0.0.1:{port}"
    server = serve_start(environment, Path(data_dir) / "serve.log", ready_seconds=READY_SECONDS)
    results: dict[str, list[dict[str, float]]] = {"desktop": [], "mobile": []}
    try:
        url = base + _pages(environment)["listing"].path
        requests.get(url, headers={"User-Agent": USER_AGENT}, timeout=60).raise_for_status()
        with tempfile.TemporaryDirectory() as workdir:
            for _ in range(runs):
                for preset in results:
                    results[preset].append(run_once(binary, url, preset=preset, workdir=Path(workdir)))
    finally:
        serve_stop(server)
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)

    figures: dict[str, Any] = {"url_path": url.removeprefix(base), "lighthouse": LIGHTHOUSE_VERSION}
    for preset, samples in results.items():
        figures[preset] = {
            name: round(statistics.median(sample[name] for sample in samples), 3) for name in samples[0]
        }
        figures[preset]["score_runs"] = [sample["score"] for sample in samples]
    goal = {
        preset: {"score_at_least": GOAL_SCORE, "met": figures[preset]["score"] >= GOAL_SCORE}
        for preset in results
    }
    path = write(
        "lighthouse",
        figures=figures,
        reference={"score_maximum": 1.0},
        ratio={preset: figures[preset]["score"] for preset in results},
        goal=goal,
    )
    for preset in results:
        print(f"{preset:8} performance {figures[preset]['score']:.2f}  {figures[preset]}")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
