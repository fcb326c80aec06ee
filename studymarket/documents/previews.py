"""How many pages anyone may see before buying (DESIGN.md §1, settings.PREVIEW_PAGES_BY_LENGTH)."""

from django.conf import settings

from studymarket.documents.pdf.job import preview_count_by_length


def default_preview_page_count(page_count: int) -> int:
    """Preview pages for a document of this length (settings.PREVIEW_PAGES_BY_LENGTH)."""
    return preview_count_by_length(page_count, settings.PREVIEW_PAGES_BY_LENGTH)


def preview_page_count_max(page_count: int) -> int:
    """The seller may show more than the default, never the whole document (one page is the
    exception: its single page is all there is to preview)."""
    return max(default_preview_page_count(page_count), page_count - 1)


def preview_page_count_allowed(*, preview_page_count: int, page_count: int) -> bool:
    """The default by length is the least a buyer sees; the seller may show more, never all."""
    return default_preview_page_count(page_count) <= preview_page_count <= preview_page_count_max(page_count)


def preview_page_count_clamp(*, preview_page_count: int, page_count: int) -> int:
    """The seller's choice brought within the allowed range for this version (a choice made
    before the page count was known, or for a longer earlier version)."""
    lowest = default_preview_page_count(page_count)
    return min(max(preview_page_count, lowest), preview_page_count_max(page_count))
