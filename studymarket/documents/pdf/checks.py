"""Checks of a PDF's structure (qpdf, through pikepdf) before PDFium parses any page."""

import os
from typing import Any

import pikepdf

from studymarket.documents.reasons import Reason

PDF_HEADER = b"%PDF-"
# A complete PDF ends with %%EOF; some writers add a little padding after it.
_EOF_MARK = b"%%EOF"
_EOF_WINDOW = 4096
# An image larger than this many pixels is made to exhaust memory, not to be read:
# a 600 dpi A3 scan has 70 million.
_MAX_IMAGE_PIXELS = 250_000_000
_MAX_DEPTH = 12
_ACTIVE_ACTIONS = (pikepdf.Name.JavaScript, pikepdf.Name.Launch)


class PdfRejected(Exception):
    """The file is refused, for a reason the seller is told (see documents/rejections.py)."""

    def __init__(self, code: Reason, **params: Any) -> None:
        super().__init__(code.value)
        self.code = code
        self.params = params


def pdf_inspect(path: str, *, max_pages: int, memory_mb: int) -> int:
    """The page count of a PDF that may be processed; raises PdfRejected otherwise.

    Refused: not a PDF from byte 0, cut off (no %%EOF at the end), unreadable, encrypted with
    a password needed to open it (a password that only restricts printing or copying is
    fine), no pages or too many, JavaScript or launch actions, images of absurd size (which
    would need more than the ``memory_mb`` the caller's process may use).
    """
    with open(path, "rb") as handle:
        if handle.read(len(PDF_HEADER)) != PDF_HEADER:
            raise PdfRejected(Reason.NOT_PDF)
        handle.seek(max(0, os.fstat(handle.fileno()).st_size - _EOF_WINDOW))
        if _EOF_MARK not in handle.read():
            raise PdfRejected(Reason.TRUNCATED)
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        raise PdfRejected(Reason.ENCRYPTED) from None
    except (pikepdf.PdfError, ValueError, RuntimeError):
        raise PdfRejected(Reason.UNREADABLE) from None
    with pdf:
        try:
            count = len(pdf.pages)
            if count == 0:
                raise PdfRejected(Reason.ZERO_PAGES)
            if count > max_pages:
                raise PdfRejected(Reason.TOO_MANY_PAGES, count=count, max=max_pages)
            for obj in pdf.objects:
                _refuse_active_or_huge(obj, depth=0, memory_mb=memory_mb)
        except (pikepdf.PdfError, ValueError, RuntimeError, RecursionError):
            raise PdfRejected(Reason.UNREADABLE) from None
    return count


def _refuse_active_or_huge(obj: Any, *, depth: int, memory_mb: int) -> None:
    """Walk one object and the direct objects inside it (indirect ones are walked on their own)."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(obj, pikepdf.Stream):
        info = obj.stream_dict
        if info.get("/Subtype") == pikepdf.Name.Image:
            width, height = info.get("/Width", 0), info.get("/Height", 0)
            if isinstance(width, int) and isinstance(height, int) and width * height > _MAX_IMAGE_PIXELS:
                raise PdfRejected(Reason.TOO_COMPLEX, megabytes=memory_mb)
        _refuse_active_or_huge(info, depth=depth + 1, memory_mb=memory_mb)
    elif isinstance(obj, pikepdf.Dictionary):
        if "/JS" in obj or obj.get("/S") in _ACTIVE_ACTIONS:
            raise PdfRejected(Reason.JAVASCRIPT)
        for value in obj.values():
            _refuse_inside(value, depth=depth + 1, memory_mb=memory_mb)
    elif isinstance(obj, pikepdf.Array):
        for value in obj:
            _refuse_inside(value, depth=depth + 1, memory_mb=memory_mb)


def _refuse_inside(value: Any, *, depth: int, memory_mb: int) -> None:
    # Numbers, names and strings come back as Python values; only containers hold more.
    if isinstance(value, pikepdf.Dictionary | pikepdf.Array) and not value.is_indirect:
        _refuse_active_or_huge(value, depth=depth, memory_mb=memory_mb)
