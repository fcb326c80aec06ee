"""Does a page hold images, and is it a scan (an image of a page, with no visible text)?"""

import ctypes
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

# An image smaller than this share of the page (a logo, an icon) does not count.
_IMAGE_SHARE = 0.02
# A scan: images cover at least this share of the page ...
_SCAN_SHARE = 0.5
# ... and at most this many text objects are visible (an OCR layer is invisible text).
_SCAN_MAX_VISIBLE_TEXT = 2
# Forms (XObjects) nest; scanners wrap their image in one. Deeper nesting is not followed.
_MAX_DEPTH = 3
# A page may hold many thousands of objects (a detailed drawing, a hostile file); the first
# ones tell: a scan is one image and a few objects, text pages show their images early enough.
_MAX_OBJECTS = 2_000


@dataclass(frozen=True)
class PageFacts:
    has_images: bool
    is_scanned: bool


class _Tally:
    def __init__(self) -> None:
        self.image_area = 0.0
        self.largest_image = 0.0
        self.visible_text = 0
        self.seen = 0
        self.left, self.bottom = ctypes.c_float(), ctypes.c_float()
        self.right, self.top = ctypes.c_float(), ctypes.c_float()


def page_facts(page: pdfium.PdfPage) -> PageFacts:
    width, height = page.get_size()
    area = max(width * height, 1.0)
    tally = _Tally()
    _visit(page, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, tally, depth=0)
    # Overlapping images may count twice; a share above 1 still means "covered".
    return PageFacts(
        has_images=tally.largest_image / area >= _IMAGE_SHARE,
        is_scanned=tally.image_area / area >= _SCAN_SHARE and tally.visible_text <= _SCAN_MAX_VISIBLE_TEXT,
    )


def _visit(
    parent: Any,
    count_of: Callable[[Any], int],
    object_at: Callable[[Any, int], Any],
    tally: _Tally,
    *,
    depth: int,
) -> None:
    """Tally the objects of a page or of a form object."""
    for index in range(max(count_of(parent), 0)):
        tally.seen += 1
        if tally.seen > _MAX_OBJECTS:
            return
        obj = object_at(parent, index)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            if pdfium_c.FPDFPageObj_GetBounds(
                obj,
                ctypes.byref(tally.left),
                ctypes.byref(tally.bottom),
                ctypes.byref(tally.right),
                ctypes.byref(tally.top),
            ):
                image = (tally.right.value - tally.left.value) * (tally.top.value - tally.bottom.value)
                tally.image_area += image
                tally.largest_image = max(tally.largest_image, image)
        elif kind == pdfium_c.FPDF_PAGEOBJ_TEXT and tally.visible_text <= _SCAN_MAX_VISIBLE_TEXT:
            # Counted only as far as it decides "not a scan".
            if pdfium_c.FPDFTextObj_GetTextRenderMode(obj) != pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE:
                tally.visible_text += 1
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < _MAX_DEPTH:
            _visit(
                obj, pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject, tally, depth=depth + 1
            )
