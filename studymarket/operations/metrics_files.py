"""The files of PROMETHEUS_MULTIPROC_DIR that processes no longer running left behind.

prometheus-client's multiprocess mode gives each process a file per metric type
(``counter_<pid>.db``, ``histogram_<pid>.db``, ``gauge_<mode>_<pid>.db``) and a scrape sums them
all. Nothing removes the file of a process that has ended: granian replaces a worker that dies,
every restart of `serve` or of a web instance starts new pids, and the folder (shared by the
instances of one machine) would grow for ever, each scrape reading more files.

Deleting a dead process's counters would make the sum drop, which Prometheus reads as a
restart of the counter (rate() would then count the whole remaining sum as new requests). So
the files are folded instead: before each scrape (metrics.metrics_exposition) the counter,
histogram and summary values of every process that no longer runs are added into one
``<type>_archive.db`` per type, and the process's files removed; its live gauges are dropped,
as ``multiprocess.mark_process_dead`` does. The sums never go down, and the folder holds the
archives plus one file per type for each running process.

This is done at scrape time rather than in a start-up or worker-exit hook: granian has neither
hook for its workers, and a scrape (every 15 to 60 s) is soon enough. An exclusive lock on the
folder keeps a scrape from reading a half-folded state and two scrapes from folding the same
file twice; a running process only ever writes its own files, which are never touched.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from prometheus_client import multiprocess
from prometheus_client.mmap_dict import MmapedDict

from studymarket.core.processes import pid_running

# The types whose values a scrape sums over processes: what may be folded into one file.
SUMMED_TYPES: Final = ("counter", "histogram", "summary")
ARCHIVE: Final = "archive"
_LOCK_NAME: Final = ".lock"


def pid_alive(pid: int) -> bool:
    """Whether the process that wrote a file runs on this machine (0 and below name none)."""
    return pid > 0 and pid_running(pid)


def _file_pid(path: Path) -> tuple[str, int] | None:
    """(type, pid) of a metrics file, or None for an archive or a name we did not write."""
    parts = path.name.removesuffix(".db").split("_")
    try:
        return parts[0], int(parts[-1])
    except ValueError:
        return None


@contextmanager
def metrics_dir_locked(directory: Path) -> Iterator[None]:
    """Held while folding and while a scrape reads the files."""
    with open(directory / _LOCK_NAME, "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _fold(kind: str, files: list[Path], directory: Path) -> None:
    """Add the values of ``files`` (all of type ``kind``) into the archive of that type.

    The new archive is written beside the old one and put in its place in one rename, then
    the folded files are removed: a crash between the two leaves them counted twice until the
    next fold, never lost."""
    totals: dict[str, float] = {}
    archive = directory / f"{kind}_{ARCHIVE}.db"
    for source in ([archive] if archive.exists() else []) + files:
        for key, value, _timestamp, _position in MmapedDict.read_all_values_from_file(str(source)):
            totals[key] = totals.get(key, 0.0) + value
    fresh = directory / f".{kind}_{ARCHIVE}.db.new"
    fresh.unlink(missing_ok=True)
    written = MmapedDict(str(fresh))
    try:
        for key, value in totals.items():
            written.write_value(key, value, 0.0)
    finally:
        written.close()
    os.replace(fresh, archive)
    for source in files:
        source.unlink(missing_ok=True)


def metrics_dir_compact(directory: Path, *, alive: Callable[[int], bool] = pid_alive) -> list[int]:
    """Fold the files of every process that no longer runs (see the module's text); call with
    metrics_dir_locked held. Returns the pids whose files were folded or dropped."""
    dead: dict[int, list[Path]] = {}
    for path in sorted(directory.glob("*.db")):
        found = _file_pid(path)
        if found is not None and not alive(found[1]):
            dead.setdefault(found[1], []).append(path)
    by_type: dict[str, list[Path]] = {}
    for pid, paths in dead.items():
        multiprocess.mark_process_dead(pid, str(directory))  # its live* gauges
        for path in paths:
            kind = path.name.split("_", 1)[0]
            if kind in SUMMED_TYPES:
                by_type.setdefault(kind, []).append(path)
            # A gauge of another mode (max, min, all, ...) stays: prometheus-client keeps those
            # of dead processes on purpose, and this site has none.
    for kind, files in by_type.items():
        _fold(kind, files, directory)
    return sorted(dead)
