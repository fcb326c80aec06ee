"""What the PDF pass (extract.py) is asked to do; plain data, cheap to import."""

from dataclasses import dataclass


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


def preview_count_by_length(page_count: int, table: list[tuple[int, int]]) -> int:
    for minimum_pages, preview_pages in table:
        if page_count >= minimum_pages:
            return int(preview_pages)
    raise ValueError(f"A document has at least one page, not {page_count}")
