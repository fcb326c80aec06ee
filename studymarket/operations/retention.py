"""The daily backup's folder: snapshots named by their time, and which of them to keep.

Kept: the newest snapshot of each of the last BACKUP_KEEP_DAILY days that have one, and the
newest of each of the last BACKUP_KEEP_WEEKLY ISO weeks that have one (a snapshot may count
for both). Only folders this module named are ever deleted; anything else in the folder is
left alone, as are half-written snapshots of a backup still running.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

PREFIX = "studymarket-"
_STAMP = "%Y%m%dT%H%M%SZ"
_NAME = re.compile(rf"^{PREFIX}(\d{{8}}T\d{{6}}Z)$")
# A backup that was killed leaves "<name>.partial-<pid>" (operations.backup); after a day it
# is certainly not running any more.
_PARTIAL = re.compile(rf"^{PREFIX}(\d{{8}}T\d{{6}}Z)\.partial-\d+$")
_PARTIAL_AGE = timedelta(days=1)


def snapshot_name(moment: datetime) -> str:
    return PREFIX + moment.astimezone(UTC).strftime(_STAMP)


def snapshots_listed(folder: Path) -> dict[Path, datetime]:
    """The complete snapshots in ``folder`` (named by us, with a manifest), by their time."""
    found: dict[Path, datetime] = {}
    if not folder.is_dir():
        return found
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match and (path / "manifest.json").is_file():
            found[path] = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
    return found


def snapshots_to_keep(moments: Iterable[datetime], *, daily: int, weekly: int) -> set[datetime]:
    ordered = sorted(moments, reverse=True)
    keep: set[datetime] = set()
    for bucket, count in ((lambda m: m.date(), daily), (lambda m: m.isocalendar()[:2], weekly)):
        seen: list[object] = []
        for moment in ordered:
            key = bucket(moment)
            if key in seen:
                continue
            seen.append(key)
            if len(seen) > count:
                break
            keep.add(moment)  # the newest of its day (or week): the first one met
    return keep


def snapshots_prune(*, folder: Path, daily: int, weekly: int, now: datetime | None = None) -> list[Path]:
    """Delete the snapshots the retention does not keep, and what killed backups left over a
    day ago; returns the deleted folders."""
    listed = snapshots_listed(folder)
    keep = snapshots_to_keep(listed.values(), daily=daily, weekly=weekly)
    removed = sorted(path for path, moment in listed.items() if moment not in keep)
    cutoff = (now or datetime.now(UTC)) - _PARTIAL_AGE
    for path in folder.iterdir() if folder.is_dir() else ():
        match = _PARTIAL.match(path.name)
        if match and datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC) < cutoff:
            removed.append(path)
    for path in removed:
        shutil.rmtree(path)
    return removed
