"""A snapshot's manifest: what it holds (every file with its size and SHA-256), when it was
taken, by which version of the code, and which migrations its database had.

The manifest carries a SHA-256 of itself, so a damaged manifest is told apart from a damaged
file. `snapshot_verify` reads every byte before a restore writes anything.
"""

from __future__ import annotations

import hashlib
import json
import subprocess  # nosec B404: `git describe` with an argument list and a timeout
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from django.conf import settings

MANIFEST_NAME = "manifest.json"
DATABASE_NAME = "database.sqlite3"
FORMAT = 1
_CHUNK = 1024 * 1024
_GIT_SECONDS = 5


class SnapshotInvalid(Exception):
    """The snapshot cannot be restored; the message says why and what to do."""


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the snapshot folder, with "/"
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    created_at: str  # ISO 8601, UTC
    app_version: str
    database: str  # the vendor: "sqlite"
    migrations: dict[str, list[str]]  # app label -> applied migration names
    files: list[FileEntry]
    # The search index is not in the snapshot: restore rebuilds it (bench/backup_restore.py).
    search_index: str = "rebuilt"
    format: int = FORMAT
    notes: dict[str, str] = field(default_factory=dict)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _canonical(body: dict[str, object]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def manifest_write(*, directory: Path, manifest: Manifest) -> Path:
    body = asdict(manifest)
    body["manifest_sha256"] = hashlib.sha256(_canonical(body)).hexdigest()
    path = directory / MANIFEST_NAME
    path.write_text(json.dumps(body, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def manifest_read(directory: Path) -> Manifest:
    path = directory / MANIFEST_NAME
    if not path.is_file():
        raise SnapshotInvalid(
            f"{directory} is not a snapshot: it has no {MANIFEST_NAME}. "
            "Give the folder that `manage.py backup --to DIR` wrote."
        )
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        recorded = body.pop("manifest_sha256")
        if hashlib.sha256(_canonical(body)).hexdigest() != recorded:
            raise ValueError("checksum")
        if body.get("format") != FORMAT:
            raise SnapshotInvalid(
                f"Snapshot {directory} has format {body.get('format')!r}; this code reads format {FORMAT}. "
                "Nothing was restored; restore it with the version that made it "
                f"({body.get('app_version', 'unknown')})."
            )
        body["files"] = [FileEntry(**entry) for entry in body["files"]]
        return Manifest(**body)
    except SnapshotInvalid:
        raise
    except (ValueError, KeyError, TypeError) as error:
        raise SnapshotInvalid(
            f"Snapshot {directory} is damaged: {MANIFEST_NAME} does not match its own checksum "
            f"or cannot be read ({error}). Nothing was restored; use another snapshot."
        ) from None


def snapshot_verify(directory: Path) -> Manifest:
    """The manifest, once every file it lists has been read and found whole."""
    manifest = manifest_read(directory)
    root = directory.resolve()
    for entry in manifest.files:
        path = (directory / entry.path).resolve()
        if not path.is_relative_to(root):  # a manifest edited to point elsewhere
            raise SnapshotInvalid(f"Snapshot {directory} lists a file outside itself: {entry.path}.")
        if not path.is_file():
            raise SnapshotInvalid(
                f"Snapshot {directory} is incomplete: {entry.path} is missing. "
                "Nothing was restored; use another snapshot."
            )
        size = path.stat().st_size
        digest = file_sha256(path)
        if size != entry.size or digest != entry.sha256:
            raise SnapshotInvalid(
                f"Snapshot {directory} is damaged: {entry.path} does not match the manifest "
                f"(expected sha256 {entry.sha256}, {entry.size} bytes; found sha256 {digest}, {size} bytes). "
                "Nothing was restored; use another snapshot."
            )
    if not any(entry.path == DATABASE_NAME for entry in manifest.files):
        raise SnapshotInvalid(f"Snapshot {directory} holds no database ({DATABASE_NAME}).")
    return manifest


def app_version() -> str:
    """The package version, and the commit when the code is a git checkout ("0.1.0+875ee3f")."""
    try:
        version = metadata.version("studymarket")
    except metadata.PackageNotFoundError:
        version = "0.1.0"
    base = Path(settings.BASE_DIR)
    if not (base / ".git").exists():
        return version
    try:
        described = subprocess.run(  # nosec B603 B607: fixed arguments, no shell
            ["git", "describe", "--always", "--dirty"],
            cwd=base,
            capture_output=True,
            text=True,
            timeout=_GIT_SECONDS,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return version
    return f"{version}+{described}" if described else version
