"""The PDF code behind one small interface.

Only this package imports pypdfium2; the rest of the project opens a PDF with
``pdf_open`` and asks the ``PdfFile`` for page count, text, outline and preview
images. Pages are numbered from 1, as users and ``DocumentPage`` number them.
PDFium is not thread-safe: use one ``PdfFile`` per thread, or processes.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from studymarket.documents.pdf.outline import OutlineItem

if TYPE_CHECKING:
    from studymarket.documents.pdf.reader import PdfError, PdfFile, pdf_open
    from studymarket.documents.pdf.render import RenderedPage

__all__ = ["OutlineItem", "PdfError", "PdfFile", "RenderedPage", "pdf_open"]

# pypdfium2 and Pillow are loaded on the first use of these names, not when a light module of
# this package (job.py, outline.py) is imported: the web processes import those and draw no page.
_LAZY = {
    "PdfError": "reader",
    "PdfFile": "reader",
    "pdf_open": "reader",
    "RenderedPage": "render",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
