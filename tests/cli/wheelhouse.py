"""Wheels of packages installed in this interpreter, repacked from their installed files, so a
fresh virtual environment can `pip install --no-index --find-links` them: the test that installs
the command line works without a network and gets the exact versions requirements/ locks (their
hashes were checked when .venv was made). All of them are pure Python."""

import base64
import hashlib
import zipfile
from collections.abc import Iterable
from importlib.metadata import Distribution, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# Written by the installer, not part of the wheel; RECORD is written anew.
_INSTALLER_FILES = {"INSTALLER", "REQUESTED", "RECORD", "direct_url.json"}


def wheelhouse_build(target: Path, *, roots: Iterable[str]) -> list[Path]:
    """A wheel in ``target`` for each of ``roots`` and everything they need on this platform."""
    target.mkdir(parents=True, exist_ok=True)
    return [_repack(distribution(name), target) for name in sorted(_needed(roots))]


def _needed(roots: Iterable[str]) -> set[str]:
    found: set[str] = set()
    todo = [canonicalize_name(name) for name in roots]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        for text in distribution(name).requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(requirement.name))
    return found


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _repack(dist: Distribution, target: Path) -> Path:
    wheel_info = dist.read_text("WHEEL") or ""
    tags = [line.split(":", 1)[1].strip() for line in wheel_info.splitlines() if line.startswith("Tag:")]
    parts = [tag.split("-") for tag in tags]
    tag = "-".join(".".join(dict.fromkeys(p[i] for p in parts)) for i in range(3))
    name = dist.metadata["Name"].replace("-", "_").replace(".", "_")
    path = target / f"{name}-{dist.version}-{tag}.whl"
    record: list[str] = []
    info_dir = ""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for file in dist.files or []:
            posix = file.as_posix()
            if posix.startswith("../") or "__pycache__" in file.parts:
                continue  # scripts (remade from entry_points.txt) and bytecode
            if file.parts[0].endswith(".dist-info"):
                info_dir = file.parts[0]
                if file.name in _INSTALLER_FILES:
                    continue
            data = Path(str(dist.locate_file(file))).read_bytes()
            wheel.writestr(posix, data)
            record.append(f"{posix},{_digest(data)},{len(data)}")
        record.append(f"{info_dir}/RECORD,,")
        wheel.writestr(f"{info_dir}/RECORD", "\n".join(record) + "\n")
    return path
