"""Which processes this test process has started and not reaped (Linux /proc): used to show
that the upload sandbox leaves no child running, by the tests and by the fuzzer."""

import os
from pathlib import Path


def child_pids() -> set[int]:
    me = str(os.getpid())
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == me and fields[0] != "Z":
                found.add(int(entry.name))
    return found
