from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

import pypdfium2 as pdfium

from studymarket.documents.pdf.outline import OutlineItem, outline_items
from studymarket.documents.pdf.render import RenderedPage, render_pages_webp
from studymarket.documents.pdf.text import page_text


class PdfError(Exception):
    """The file is not a PDF that PDFium can open (damaged, encrypted, not a PDF)."""


class PdfFile:
    def __init__(self, document: pdfium.PdfDocument) -> None:
        self._document = document

    @property
    def page_count(self) -> int:
        return len(self._document)

    def page_text(self, number: int) -> str:
        return page_text(self._document, self._index(number))

    def render_pages(self, numbers: Iterable[int], *, width: int) -> dict[int, RenderedPage]:
        """Each page as a WebP image ``width`` pixels wide, by page number."""
        numbers = list(numbers)
        rendered = render_pages_webp(self._document, [self._index(n) for n in numbers], width=width)
        return dict(zip(numbers, rendered, strict=True))

    def outline(self) -> list[OutlineItem]:
        return outline_items(self._document)

    def _index(self, number: int) -> int:
        if not 1 <= number <= self.page_count:
            raise IndexError(f"Page {number} is not in 1..{self.page_count}")
        return number - 1


@contextmanager
def pdf_open(source: bytes | BinaryIO) -> Iterator[PdfFile]:
    """Open a PDF from bytes or a readable, seekable binary file (kept open by the caller)."""
    try:
        document = pdfium.PdfDocument(source)
    except pdfium.PdfiumError as error:
        raise PdfError(str(error)) from error
    try:
        yield PdfFile(document)
    finally:
        document.close()
