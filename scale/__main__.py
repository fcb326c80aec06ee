"""`make scale-test`: the scale-out profile on loopback, proven by the whole journey across
processes and by faults under load.

    python -m scale --short    # the journey, a web process and a worker killed (part of `make test`)
    python -m scale            # the journey and every fault; writes bench/results/scale_faults.json

Exits 1 when a promise is broken; the cluster's logs are kept (their folder is printed).
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from scale.cluster import Cluster
from scale.faults import FAULT_RUN_SETTINGS, FULL, SHORT, run
from scale.journey import browser, journey
from scale.restore_drill import restore_drill

RESULTS = Path(__file__).resolve().parent.parent / "bench" / "results" / "scale_faults.json"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--short", action="store_true", help="the journey and two faults only")
    parser.add_argument("--keep", action="store_true", help="keep the cluster's folder even when all holds")
    arguments = parser.parse_args()

    # SIGTERM (a CI timeout, `kill`) stops the cluster as Ctrl-C does: through the finally below.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    started = time.monotonic()
    cluster = Cluster(extra=dict(FAULT_RUN_SETTINGS))
    print(f"Starting the scale-out profile in {cluster.root} ...", flush=True)
    failures: list[str] = []
    result: dict[str, object] = {}
    try:
        cluster.start()
        print(f"  up in {time.monotonic() - started:.0f} s: {', '.join(i.name for i in cluster.instances)}")
        with browser() as chromium:
            steps = journey(cluster, chromium, "Samenvatting Schaalbaarheid Sneeuwuil")
        result["journey"] = steps
        print("Journey across processes: " + "; ".join(f"{k} {v}" for k, v in steps.items()), flush=True)
        print("Faults under load:", flush=True)
        faults = SHORT if arguments.short else FULL
        report = run(cluster, faults, buyers=30 if arguments.short else 90, pause=4 if arguments.short else 8)
        result.update(report)
        failures = list(report["failures"])
        # The backup at scale: pg_dump restored into a fresh database, balanced there too.
        drill = restore_drill(cluster)
        result["restore_drill"] = drill
        failures += drill["failures"]
        shown = ", ".join(f"{key} {value}" for key, value in drill.items() if key != "failures")
        print(f"Restore drill: {shown}", flush=True)
    except Exception as error:
        failures.append(f"{type(error).__name__}: {error}")
        raise
    finally:
        cluster.stop()
        took = time.monotonic() - started
        print(f"Stopped after {took:.0f} s.")
        if failures or arguments.keep:
            print(f"Logs kept in {cluster.root}/logs", file=sys.stderr)
        else:
            shutil.rmtree(cluster.root, ignore_errors=True)
    if not arguments.short:
        _write(result, took)
    if failures:
        print("Broken promises:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    after = result.get("after", {})
    print(f"All promises held. {json.dumps(after.get('figures', {}) if isinstance(after, dict) else {})}")
    return 0


def _write(result: dict[str, object], took: float) -> None:
    load = result.get("load", {})
    document = {
        "benchmark": "scale_faults",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": __import__("os").cpu_count(), "platform": platform.platform()},
        "figures": {"run_seconds": round(took, 1), **result},
        "reference": {"load_without_faults": "the same endpoints' figures in bench/results/load.json"},
        "ratio": {},
        "goal": {
            "errors_5xx_outside_faults": 0,
            "paid_without_entitlement": 0,
            "entitlement_without_paid_order": 0,
            "uploads_stuck": 0,
            "stamped_copies_stuck": 0,
            "ledger_check": "ledger balanced",
            "load_requests": load.get("requests") if isinstance(load, dict) else None,
        },
    }
    RESULTS.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"Wrote {RESULTS}")


if __name__ == "__main__":
    sys.exit(main())
