"""Which processes this test process has started and not reaped (Linux /proc): used to show
that the upload sandbox leaves no child running, by the tests and by the fuzzer."""

import os
from pathlib import Path

from django.db import connection


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


def subprocess_database_url() -> str:
    """The test database, as DATABASE_URL for a subprocess (a worker, `manage.py periodic`)."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{database['NAME']}"
