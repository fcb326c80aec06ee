from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # OutlineItem is imported by modules that never open a PDF
    import pypdfium2 as pdfium

# A hostile PDF may hold a huge or deeply nested outline; a table of contents
# for buyers needs neither.
_MAX_DEPTH = 6
_MAX_ITEMS = 2000


@dataclass(frozen=True)
class OutlineItem:
    level: int  # 1 for top-level bookmarks
    title: str
    page: int | None  # 1-based; None when the bookmark points nowhere in this file


def outline_items(document: "pdfium.PdfDocument") -> list[OutlineItem]:
    items: list[OutlineItem] = []
    for bookmark in document.get_toc(max_depth=_MAX_DEPTH):
        try:
            title = " ".join(bookmark.get_title().split())
        except UnicodeDecodeError:
            # A title that is not valid UTF-16 (found by tests/fuzz): leave that entry out.
            continue
        if not title:
            continue
        dest = bookmark.get_dest()
        index = dest.get_index() if dest is not None else None
        items.append(
            OutlineItem(level=bookmark.level + 1, title=title, page=None if index is None else index + 1)
        )
        if len(items) >= _MAX_ITEMS:
            break
    return items
