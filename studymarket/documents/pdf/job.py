"""What the sandboxed child (sandbox.py) is asked to do; plain data, cheap to import."""

from dataclasses import asdict, dataclass
from typing import Any

# The widths (pixels) the online reader draws pages at: about a phone, a laptop column, and
# either of them on a sharp screen. The upload pass checks every page at the largest.
READER_WIDTHS = (800, 1200, 1600)


@dataclass(frozen=True)
class ExtractJob:
    path: str  # the PDF
    out_dir: str  # where the images go
    max_pages: int
    # With text, every page is read (text, facts) and the table of contents made; without,
    # only images are drawn, for the pages listed (a listing that shows more pages).
    text: bool
    # Pages 1..preview_count get a preview image and a clear thumbnail; when preview_by_length
    # is given instead, the count comes from the page count: the first row (minimum pages,
    # preview pages) whose minimum the document reaches.
    preview_count: int
    preview_width: int
    thumbnail_width: int
    pages: list[int] | None = None  # None: every page
    preview_by_length: list[tuple[int, int]] | None = None
    # The child's memory limit, named in the refusal of a file that would need more.
    memory_mb: int = 0
    # With text and reader_seconds: a page that takes longer than this to draw reader_width
    # pixels wide is refused (the online reader draws it at that width).
    reader_width: int = 0
    reader_seconds: float = 0.0


@dataclass(frozen=True)
class DrawJob:
    """Pages of an accepted PDF for the online reader, as WebP images ``width`` pixels wide."""

    path: str
    out_dir: str
    # The page asked for, then the pages after it that the reader will ask for next.
    pages: list[int]
    width: int
    seconds: float  # the page asked for may take this long; past it, it is too heavy
    ahead_seconds: float  # each page after it this long; the first slower one ends the run
    # A buyer waits for the page asked for: encoded at the fastest setting (a larger file).
    asked_fast: bool = False


SandboxJob = ExtractJob | DrawJob
_KINDS: dict[str, type[ExtractJob] | type[DrawJob]] = {"extract": ExtractJob, "draw": DrawJob}


def job_message(job: SandboxJob) -> dict[str, Any]:
    """The job as the child reads it on standard input (JSON)."""
    kind = next(name for name, cls in _KINDS.items() if isinstance(job, cls))
    return {"kind": kind, "job": asdict(job)}


def job_load(message: dict[str, Any]) -> SandboxJob:
    return _KINDS[message["kind"]](**message["job"])


def preview_count_by_length(page_count: int, table: list[tuple[int, int]]) -> int:
    for minimum_pages, preview_pages in table:
        if page_count >= minimum_pages:
            return int(preview_pages)
    raise ValueError(f"A document has at least one page, not {page_count}")
