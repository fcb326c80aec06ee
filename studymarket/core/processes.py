"""Whether a process runs on this machine, for the clean-ups that find what an ended process left
behind (task rows, sandbox workspaces, metrics files)."""

import os


def pid_running(pid: int) -> bool:
    """Signal 0 checks and sends nothing. Another user's process runs too (PermissionError). A
    process id used again by an unrelated process reads as running: callers wait, never delete."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
