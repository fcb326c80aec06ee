"""The PDF code behind one small interface.

Only this package imports pypdfium2; the rest of the project opens a PDF with
``pdf_open`` and asks the ``PdfFile`` for page count, text, outline and preview
images. Pages are numbered from 1, as users and ``DocumentPage`` number them.
PDFium is not thread-safe: use one ``PdfFile`` per thread, or processes.
"""

from studymarket.documents.pdf.outline import OutlineItem
from studymarket.documents.pdf.reader import PdfError, PdfFile, pdf_open
from studymarket.documents.pdf.render import RenderedPage

__all__ = ["OutlineItem", "PdfError", "PdfFile", "RenderedPage", "pdf_open"]
