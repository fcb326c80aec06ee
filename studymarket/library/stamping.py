"""The buyer's own copy of a PDF: a visible line on every page and an invisible mark.

The visible line ("Gekocht door Anna de Vries · bestelling SM-ABCD2345") is a one-page PDF made
with reportlab, placed on each page as one shared form XObject (qpdf's overlay, through
pikepdf): the pages' own content is not decoded or rewritten, so a 100-page document takes
tens of milliseconds. The invisible mark is the copy's random ``mark`` (32 hex digits), written
three times:

- in the page content: inside that same stamp, under the visible line, as text 1.5 points
  high drawn at 2 % opacity ("smk" + the mark; ``content_marks``). Every page shows the
  stamp, so every page carries the mark, and whatever keeps the pages keeps it: re-saving
  (qpdf), extracting pages (``qpdf --empty --pages``, which drops the document's /ID and
  XMP), stripping the metadata, and printing to PDF (``pdftocairo -pdf`` draws the page again
  with its text, and keeps translucent text as text). Text, not a pattern in the drawing,
  because text extraction (PDFium, pdftotext) reads it back exactly, with no image analysis,
  and it costs nothing at stamping time: it is part of the one shared stamp. Not invisible
  text (rendering mode 3): a print to PDF leaves that out, as we measured with pdftocairo; nor
  opacity 0, which renderers skip as drawing nothing. What it does not survive is a copy made
  from pixels (a scan, a screenshot, a print through a raster driver) or a leaker who edits
  the stamp away; the visible line has the same limits, by design both go together.
- as the first half of the file's /ID and as the XMP DocumentID, so either one survives when a
  tool rewrites the other (cheap to read, and kept by tools that re-save the whole file).
"""

import io
import re
import unicodedata
import uuid
from functools import cache
from pathlib import Path
from typing import BinaryIO

import pikepdf
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

_FONT = "StampSans"
# DejaVu Sans covers the names of nearly every buyer (Ł, ş, ğ, ő, ...); reportlab's own Vera,
# the fallback where DejaVu is not installed, covers Latin-1.
_FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "Vera.ttf",
)
_FONT_SIZE = 7.0
_PADDING = 3.0
# Distance from the visible bottom edge: below the footers and page numbers most documents
# have, inside the margin printers keep.
_MARGIN = 6.0
_XMP_PREFIX = "uuid:"
# The mark in the page content: tiny, nearly transparent text just above the band's lower
# edge, a line of its own below the visible one (so text extraction keeps the visible line
# whole: tests/library/test_stamping.py). 2 % opacity: no eye sees it, yet renderers and
# printers to PDF still draw it.
_CONTENT_PREFIX = "smk"
_CONTENT_FONT_SIZE = 1.5
_CONTENT_OPACITY = 0.02
# Tools may put spaces into text they draw again (a print to PDF): the search ignores them.
_CONTENT_MARK = re.compile(_CONTENT_PREFIX + r"([0-9a-f]{32})")
_SPACE = re.compile(r"\s+")


class StampError(Exception):
    """The PDF could not be opened or written (damaged in a way the upload checks let through)."""


@cache
def _font() -> TTFont:
    for candidate in _FONT_FILES:
        if candidate.startswith("/") and not Path(candidate).is_file():
            continue
        font = TTFont(_FONT, candidate)
        pdfmetrics.registerFont(font)
        return font
    raise RuntimeError("No TrueType font for the stamp")  # unreachable: Vera ships with reportlab


def _drawable(text: str) -> str:
    """``text`` with each character the font lacks replaced by its unaccented letter, or "?"."""
    glyphs = _font().face.charToGlyph
    out = []
    for char in text:
        if ord(char) in glyphs:
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(base if base and all(ord(c) in glyphs for c in base) else "?")
    return "".join(out)


def stamp_page_pdf(text: str, mark: str = "") -> bytes:
    """A one-page PDF just big enough for ``text``: grey type on a translucent white band,
    legible over any page without hiding what lies under it; ``mark`` under it, unseen."""
    _font()
    text = _drawable(" ".join(text.split()))
    width = pdfmetrics.stringWidth(text, _FONT, _FONT_SIZE) + 2 * _PADDING
    height = _FONT_SIZE + 2 * _PADDING
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(width, height), invariant=1, pageCompression=1)
    canvas.setFillColorRGB(1, 1, 1, alpha=0.75)
    canvas.rect(0, 0, width, height, fill=1, stroke=0)
    if mark:
        # Drawn before the visible line: PDFium then always reads it as a line of its own
        # (drawn after, it joined a short visible line in our tests).
        canvas.setFillColorRGB(0.25, 0.25, 0.25, alpha=_CONTENT_OPACITY)
        canvas.setFont(_FONT, _CONTENT_FONT_SIZE)
        canvas.drawString(_PADDING, 0.8, _CONTENT_PREFIX + mark)
    canvas.setFillColorRGB(0.25, 0.25, 0.25, alpha=1)
    canvas.setFont(_FONT, _FONT_SIZE)
    canvas.drawString(_PADDING, _PADDING + 1.2, text)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def stamp_pdf(*, source: Path, target: Path, text: str, mark: str) -> None:
    """Write ``source`` to ``target`` with ``text`` at the bottom of every page and ``mark``
    (32 hex digits) under it (in the page content) and in its /ID and XMP metadata."""
    if len(mark) != 32 or not all(c in "0123456789abcdef" for c in mark):
        raise ValueError("A mark is 32 hex digits")
    mark_bytes = bytes.fromhex(mark)
    try:
        with pikepdf.open(source) as pdf, pikepdf.open(io.BytesIO(stamp_page_pdf(text, mark))) as stamp:
            stamp_page = stamp.pages[0]
            size = (float(stamp_page.mediabox[2]), float(stamp_page.mediabox[3]))
            # One form XObject shared by all pages, as `qpdf --overlay` does: copying it per
            # page would put the embedded font in the file a hundred times.
            formx = pdf.copy_foreign(stamp_page.as_form_xobject())
            for page in pdf.pages:
                page.add_overlay(formx, _bottom_band(page, size))
            # qpdf keeps the first half of an /ID it finds and makes the second half new.
            pdf.trailer.ID = pikepdf.Array([pikepdf.String(mark_bytes), pikepdf.String(mark_bytes)])
            with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
                meta["xmpMM:DocumentID"] = _XMP_PREFIX + str(uuid.UUID(bytes=mark_bytes))
            pdf.save(target)
    except (pikepdf.PdfError, pikepdf.ForeignObjectError, ValueError, RuntimeError) as error:
        raise StampError(str(error)) from error


def _bottom_band(page: pikepdf.Page, size: tuple[float, float]) -> pikepdf.Rectangle:
    """Where the stamp goes on ``page``: centred along the edge the reader sees at the bottom.

    The rectangle is in the page's own (unrotated) space; the placement turns the stamp
    upright, so on a page with /Rotate 90 the visible bottom is the unrotated right edge.
    """
    x0, y0, x1, y1 = (float(v) for v in page.cropbox)
    rotation = int(page.obj.get(pikepdf.Name.Rotate, 0)) % 360
    across = x1 - x0 if rotation in (0, 180) else y1 - y0
    # A page narrower than the stamp gets it shrunk to fit (aspect ratio kept).
    length = min(size[0], max(across - 2 * _MARGIN, 1.0))
    depth = size[1] * length / size[0]
    if rotation == 0:
        middle = (x0 + x1) / 2
        return pikepdf.Rectangle(middle - length / 2, y0 + _MARGIN, middle + length / 2, y0 + _MARGIN + depth)
    if rotation == 180:
        middle = (x0 + x1) / 2
        return pikepdf.Rectangle(middle - length / 2, y1 - _MARGIN - depth, middle + length / 2, y1 - _MARGIN)
    middle = (y0 + y1) / 2
    if rotation == 90:
        return pikepdf.Rectangle(x1 - _MARGIN - depth, middle - length / 2, x1 - _MARGIN, middle + length / 2)
    return pikepdf.Rectangle(x0 + _MARGIN, middle - length / 2, x0 + _MARGIN + depth, middle + length / 2)


def marks_read(source: bytes | BinaryIO | Path) -> list[str]:
    """The marks a copy may carry in its metadata (from its /ID, then its XMP), as 32 hex
    digits; empty when the file is no PDF or carries neither."""
    id_marks, xmp_marks = metadata_marks_read(source)
    return list(dict.fromkeys(id_marks + xmp_marks))


def metadata_marks_read(source: bytes | BinaryIO | Path) -> tuple[list[str], list[str]]:
    """The marks in the /ID and in the XMP DocumentID, apart; both empty for a file that is
    no PDF."""
    try:
        pdf = pikepdf.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (pikepdf.PdfError, ValueError, OSError):
        return [], []
    id_marks: list[str] = []
    xmp_marks: list[str] = []
    with pdf:
        identifier = pdf.trailer.get(pikepdf.Name.ID)
        if isinstance(identifier, pikepdf.Array) and len(identifier) >= 1:
            first = bytes(identifier[0])
            if len(first) == 16:
                id_marks.append(first.hex())
        try:
            document_id = str(pdf.open_metadata().get("xmpMM:DocumentID", ""))
        except Exception:  # a leaked file's XMP may be anything; its /ID may still tell
            document_id = ""
        if document_id.startswith(_XMP_PREFIX):
            try:
                xmp_marks.append(uuid.UUID(document_id.removeprefix(_XMP_PREFIX)).hex)
            except ValueError:
                pass
    return id_marks, xmp_marks


def content_marks(text: str) -> list[str]:
    """The marks in a page's extracted text (the page content), as 32 hex digits, in order."""
    return list(dict.fromkeys(_CONTENT_MARK.findall(_SPACE.sub("", text))))
