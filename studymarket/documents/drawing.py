"""Pages of an accepted version drawn for the online reader, in the sandboxed child process
(pdf/draw.py) with the limits of an upload's: address space, CPU time and wall clock. A page
that is too heavy costs its child, never the web process that asked, and never another
document's page. Which pages to draw, and how many draws run at once, is the reader's
(library/reader.py).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from studymarket.documents.extraction import (
    ExtractionBroken,
    ExtractionRejected,
    extraction_workspace,
    sandbox_run,
    stored_file_local,
)
from studymarket.documents.models import DocumentVersion
from studymarket.documents.pdf.job import DrawJob
from studymarket.documents.reasons import Reason

logger = logging.getLogger(__name__)

# Pages after the one asked for are drawn while they are quick; a slower one waits until it
# is asked for itself (with the full time).
_AHEAD_SECONDS = 0.5


@dataclass
class DrawnPages:
    images: dict[int, bytes] = field(default_factory=dict)  # WebP, by page number
    too_heavy: set[int] = field(default_factory=set)


def reader_pages_draw(
    *,
    version: DocumentVersion,
    numbers: list[int],
    width: int,
    on_page: Callable[[int, bytes], None] | None = None,
    waited_for: bool = False,
) -> DrawnPages:
    """Draw ``numbers`` (the page asked for first) ``width`` pixels wide. The page asked for
    comes back as an image or as too heavy (out of time, or the child hit a limit); the pages
    after it only when they were quick. ``on_page`` gets each image as soon as it is drawn.
    ``waited_for``: a buyer waits for the first page, which is then encoded at the fastest
    setting (a larger file; pdf/draw.py)."""
    drawn = DrawnPages()
    with extraction_workspace() as workdir:
        source = stored_file_local(version.file, workdir / "source.pdf")
        out = workdir / "out"
        out.mkdir()
        job = DrawJob(
            path=str(source),
            out_dir=str(out),
            pages=numbers,
            width=width,
            seconds=2 * settings.READER_PAGE_DRAW_SECONDS,
            ahead_seconds=_AHEAD_SECONDS,
            asked_fast=waited_for,
        )

        def take(event: dict[str, Any]) -> None:
            kind = event.get("event")
            if kind == "page":
                number, data = int(event["number"]), _read(out, str(event["file"]))
                drawn.images[number] = data
                if on_page is not None:
                    on_page(number, data)
            elif kind == "too_heavy":
                drawn.too_heavy.add(int(event["number"]))
            elif kind == "rejected":
                raise ExtractionBroken(f"an accepted version was refused: {event.get('code')}")

        try:
            sandbox_run(job, take)
        except ExtractionRejected as stopped:
            if stopped.code not in (Reason.TIMEOUT, Reason.TOO_COMPLEX):
                raise ExtractionBroken(f"the draw failed: {stopped.code}") from None
            logger.warning(
                "Reader page %s of version %s stopped by the sandbox (%s)",
                numbers[0],
                version.pk,
                stopped.code,
            )
        if numbers and numbers[0] not in drawn.images:
            drawn.too_heavy.add(numbers[0])
    return drawn


def _read(out_dir: Path, name: str) -> bytes:
    # The child names its files; a name that leaves the folder is not taken from it.
    path = (out_dir / name).resolve()
    if path.parent != out_dir.resolve():
        raise ExtractionBroken(f"image outside the workspace: {name!r}")
    return path.read_bytes()
