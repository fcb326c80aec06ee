"""Debian's Chromium and the flags every headless run here starts it with (browser tests, the
page-quality audit, the scale-out journey)."""

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# The flags keep Chromium off the network except for the live server on loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
