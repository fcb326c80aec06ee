import io
import math
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageChops

# Text pages compress far better losslessly (and stay crisp); photos and scans do not.
# Lossless is tried first and lossy used when it is this much larger than a text page.
_LOSSLESS_BUDGET_BYTES = 160_000
_LOSSY_QUALITY = 80
# Thumbnails are glanced at, not read: small and quick to encode.
_THUMBNAIL_QUALITY = 60
_THUMBNAIL_METHOD = 0
# A locked page's thumbnail is drawn this many times smaller, then enlarged.
_BLUR_FACTOR = 6
# A page taller than this many times its width (a hostile MediaBox) is drawn narrower instead
# of as an image of absurd height.
_MAX_ASPECT = 4


class DrawTooSlow(Exception):
    """A page was still being drawn when its time was up."""


@dataclass(frozen=True)
class RenderedPage:
    data: bytes  # WebP
    width: int
    height: int


def render_pages_webp(
    document: pdfium.PdfDocument, indexes: Iterable[int], *, width: int
) -> list[RenderedPage]:
    """Render each page at exactly ``width`` pixels (no resampling, so text stays sharp).

    PDFium draws one page at a time (it is not thread-safe); the WebP encoding, which
    takes most of the time and releases the GIL, runs on all cores. Pages go in batches,
    so a long preview never holds more than a few bitmaps (5 MB each in colour) at once.
    """
    indexes = list(indexes)
    workers = os.cpu_count() or 1
    batch = 2 * workers
    rendered: list[RenderedPage] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for start in range(0, len(indexes), batch):
            images = []
            for index in indexes[start : start + batch]:
                page = document[index]
                try:
                    images.append(preview_render(page, width=width))
                finally:
                    page.close()
            rendered.extend(pool.map(preview_encode, images))
    return rendered


def _scale(page: pdfium.PdfPage, width: int) -> float:
    page_width, page_height = (float(side) for side in page.get_size())
    scale = width / page_width
    return min(scale, width * _MAX_ASPECT / page_height) if page_height > 0 else scale


def preview_render(
    page: pdfium.PdfPage, *, width: int, photo: bool = False, deadline: float | None = None
) -> Image.Image:
    """The page as shown before purchase (and in the reader); ``photo`` (the page holds
    images) skips the test for a grey page, which a photo never passes. With a ``deadline``
    (time.monotonic()), DrawTooSlow when the drawing is not done by then."""
    scale = _scale(page, width)
    image = _draw(page, scale=scale, grayscale=False, deadline=deadline)
    if not photo and _is_grey(image):
        # PDFium's grayscale mode anti-aliases with fewer distinct tones: half the bytes.
        image = _draw(page, scale=scale, grayscale=True, deadline=deadline)
    image.info["photo"] = photo
    return image


def reader_draw_check(
    page: pdfium.PdfPage, *, width: int, seconds: float, probe_seconds: float, probe_width: float
) -> None:
    """DrawTooSlow when drawing the page ``width`` pixels wide (as the reader does) would take
    longer than ``seconds``.

    An ordinary page (a few dozen objects, a thumbnail drawn in a blink) costs nothing more.
    A page of many objects, or whose thumbnail (drawn ``probe_width`` wide in
    ``probe_seconds``) scaled by the ratio of the areas is over the budget, is drawn at the
    full width for a moment and its time projected from its objects drawn so far: a technical
    drawing of many cheap strokes passes in a fraction of a second, a page of thousands of
    half-transparent fills (each blends every pixel under it) is refused at PDFium's first
    progress reports.
    """
    estimate = probe_seconds * (width / max(probe_width, 1.0)) ** 2
    if estimate <= seconds and _objects(page, at_least=_MANY_OBJECTS) < _MANY_OBJECTS:
        return
    if _projected_seconds(page, width=width, seconds=seconds) > seconds:
        raise DrawTooSlow


# A page with this many objects (forms counted inside) is drawn for a moment to know its cost:
# a text page has a few dozen.
_MANY_OBJECTS = 300
# How long such a page is drawn at the reader's width before its time is projected.
_SAMPLE_SECONDS = 0.05
# PDFium's progressive renderer asks whether to pause after every this many page objects.
_OBJECTS_PER_STEP = 100


def _objects(page: pdfium.PdfPage, *, at_least: int) -> int:
    """The page's objects, those inside forms included, counted up to ``at_least``."""
    count = 0
    todo: list[tuple[Callable[[Any], int], Callable[[Any, int], Any], Any]] = [
        (pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, page)
    ]
    while todo and count < at_least:
        count_of, object_at, parent = todo.pop()
        for index in range(max(int(count_of(parent)), 0)):
            count += 1
            if count >= at_least:
                break
            obj = object_at(parent, index)
            if pdfium_c.FPDFPageObj_GetType(obj) == pdfium_c.FPDF_PAGEOBJ_FORM:
                todo.append((pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject, obj))
    return count


class _Pace:
    """A draw's time projected from the pace between PDFium's progress reports (after every
    100 top-level objects), which leaves out what it costs to start. Objects are taken to cost
    alike: a page that hides heavy objects behind cheap ones looks cheap here (the limits
    around the draw still hold); a form is one object to the renderer."""

    def __init__(self, page: pdfium.PdfPage) -> None:
        self.objects = max(int(pdfium_c.FPDFPage_CountObjects(page)), 1)
        self.steps = 0
        self.first = 0.0
        self.projected = math.inf
        self.started = time.monotonic()

    def report(self) -> float:
        """One progress report: updates the projection, returns the time spent so far."""
        self.steps += 1
        elapsed = time.monotonic() - self.started
        if self.steps == 1:
            # Start-up included: only a page far over the budget is judged by this one.
            self.first = elapsed
            self.projected = elapsed * self.objects / min(_OBJECTS_PER_STEP, self.objects)
        else:
            pace = (elapsed - self.first) / ((self.steps - 1) * _OBJECTS_PER_STEP)
            self.projected = self.first + pace * max(self.objects - _OBJECTS_PER_STEP, 0)
        return elapsed

    def over(self, seconds: float, elapsed: float) -> bool:
        return elapsed > seconds or (self.steps > 1 and self.projected > seconds)


def _projected_seconds(page: pdfium.PdfPage, *, width: int, seconds: float) -> float:
    """The time drawing the page ``width`` wide takes: drawn whole, or projected once
    _SAMPLE_SECONDS are spent (or the projection is over ``seconds``). A page of one huge
    form is drawn whole: the child's wall clock bounds that."""
    pace = _Pace(page)

    def pause_now(_pause: object) -> bool:
        elapsed = pace.report()
        return pace.over(seconds, elapsed) or (pace.steps > 1 and elapsed >= _SAMPLE_SECONDS)

    status = _draw_start(page, scale=_scale(page, width), grayscale=False, pause_now=pause_now)[0]
    if status == pdfium_c.FPDF_RENDER_DONE:
        return time.monotonic() - pace.started
    return pace.projected


def _draw_start(
    page: pdfium.PdfPage, *, scale: float, grayscale: bool, pause_now: Callable[[object], bool]
) -> tuple[int, pdfium.PdfBitmap]:
    """What ``page.render`` draws, with PDFium's progressive renderer, which calls
    ``pause_now`` after every 100 page objects; a paused draw is dropped. The status
    (FPDF_RENDER_DONE, _TOBECONTINUED when paused, _FAILED) and the bitmap."""
    width = math.ceil(page.get_width() * scale)
    height = math.ceil(page.get_height() * scale)
    bitmap = pdfium.PdfBitmap.new_native(
        width,
        height,
        format=pdfium_c.FPDFBitmap_Gray if grayscale else pdfium_c.FPDFBitmap_BGR,
        rev_byteorder=not grayscale,
    )
    bitmap.fill_rect((255, 255, 255, 255), 0, 0, width, height)
    flags = pdfium_c.FPDF_ANNOT | (pdfium_c.FPDF_GRAYSCALE if grayscale else pdfium_c.FPDF_REVERSE_BYTE_ORDER)
    pause = pdfium_c.IFSDK_PAUSE(version=1)
    # Kept in a local: PDFium calls it while drawing.
    callback = type(pause.NeedToPauseNow)(pause_now)
    pause.NeedToPauseNow = callback
    try:
        status = pdfium_c.FPDF_RenderPageBitmap_Start(bitmap, page, 0, 0, width, height, 0, flags, pause)
    finally:
        pdfium_c.FPDF_RenderPage_Close(page)
    if status == pdfium_c.FPDF_RENDER_FAILED:
        raise pdfium.PdfiumError("PDFium could not draw the page")
    return int(status), bitmap


def _draw(page: pdfium.PdfPage, *, scale: float, grayscale: bool, deadline: float | None) -> Image.Image:
    if deadline is None:
        image: Image.Image = page.render(
            scale=scale, grayscale=grayscale, rev_byteorder=not grayscale
        ).to_pil()
        return image
    return _draw_until(page, scale=scale, grayscale=grayscale, deadline=deadline)


def _draw_until(page: pdfium.PdfPage, *, scale: float, grayscale: bool, deadline: float) -> Image.Image:
    """Drawn, or DrawTooSlow when time is up first or is projected to be (asked after every
    100 objects; a page of one huge form is drawn whole: the child's wall clock bounds that)."""
    pace = _Pace(page)
    seconds = deadline - pace.started

    def pause_now(_pause: object) -> bool:
        return pace.over(seconds, pace.report())

    status, bitmap = _draw_start(page, scale=scale, grayscale=grayscale, pause_now=pause_now)
    # Paused (only ever when time was up, or would be), or done but late.
    if status == pdfium_c.FPDF_RENDER_TOBECONTINUED or time.monotonic() > deadline:
        raise DrawTooSlow
    image: Image.Image = bitmap.to_pil()
    return image


def thumbnail_drawn_width(width: int, *, blurred: bool) -> float:
    """How wide PDFium draws a thumbnail (a blurred one smaller, then enlarged)."""
    return width / _BLUR_FACTOR if blurred else float(width)


def thumbnail_render(page: pdfium.PdfPage, *, width: int, blurred: bool, photo: bool) -> Image.Image:
    """A small image of the page. A blurred one (a locked page) is drawn at a fraction of the
    width and enlarged: its text is not in the image to begin with, which no sharpening
    undoes, and drawing it costs less. Pages without images are drawn in grey."""
    scale = _scale(page, width)
    image: Image.Image = page.render(
        scale=scale / _BLUR_FACTOR if blurred else scale, grayscale=not photo, rev_byteorder=True
    ).to_pil()
    if blurred:
        page_width, page_height = page.get_size()
        # At least one pixel each way: a page of extreme proportions rounds to zero (tests/fuzz).
        size = (max(1, round(page_width * scale)), max(1, round(page_height * scale)))
        image = image.resize(size, Image.Resampling.BILINEAR)
    return image


def _is_grey(image: Image.Image) -> bool:
    if image.mode == "L":
        return True
    red, green, blue = image.convert("RGB").split()
    return (
        ImageChops.difference(red, green).getbbox() is None
        and ImageChops.difference(green, blue).getbbox() is None
    )


def preview_encode(image: Image.Image) -> RenderedPage:
    if image.info.get("photo"):
        data = _webp(image.convert("RGB"), quality=_LOSSY_QUALITY, method=4)
    else:
        data = _webp(image, lossless=True, quality=50, method=4)
        if len(data) > _LOSSLESS_BUDGET_BYTES:
            data = min(data, _webp(image.convert("RGB"), quality=_LOSSY_QUALITY, method=4), key=len)
    return RenderedPage(data=data, width=image.width, height=image.height)


def thumbnail_encode(image: Image.Image) -> RenderedPage:
    data = _webp(image, quality=_THUMBNAIL_QUALITY, method=_THUMBNAIL_METHOD)
    return RenderedPage(data=data, width=image.width, height=image.height)


def _webp(image: Image.Image, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, "WEBP", **options)
    return out.getvalue()
