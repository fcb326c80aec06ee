"""What a test left in its own data folder (the data_dir fixture, tests/conftest.py)."""

from pathlib import Path

from django.conf import settings


def stored_files(storage: str) -> list[str]:
    """Every file in the test's "private" (sellers' documents) or "public" (previews) folder."""
    root = Path(settings.DATA_DIR) / storage
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def workspaces() -> list[str]:
    """Processing folders left in DATA_DIR/tmp (each run removes its own)."""
    root = Path(settings.DATA_DIR) / "tmp"
    return sorted(path.name for path in root.iterdir()) if root.exists() else []
