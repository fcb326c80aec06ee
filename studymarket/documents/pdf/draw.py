"""Pages of an accepted PDF drawn for the online reader, inside the sandboxed child process
(pdf/sandbox.py), so that a page heavy to draw costs a child its limits and never the web
process; the parent is documents/drawing.py.

Events, one JSON line each: "page" (number, file, width, height) for each page drawn, in
order; "too_heavy" (number) for the page asked for when its time ran out; "rejected" (code) for a
file PDFium cannot open; "done".

The child loads only PDFium and Pillow (no pikepdf, no checks.py): a buyer waits for it, and
loading what the upload pass needs took most of a short draw's time (bench/reader.py).
"""

import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

# WebPImagePlugin: registered here, so Image.save() does not load every one of Pillow's
# plugins to find it (a seventh of a short child's time).
from PIL import Image, WebPImagePlugin  # noqa: F401

from studymarket.documents.pdf.job import DrawJob
from studymarket.documents.pdf.render import DrawTooSlow, RenderedPage, preview_render
from studymarket.documents.reasons import Reason

Emit = Callable[[dict[str, Any]], None]

# WebP for the reader, where encoding is most of a page's time (performance.md §2). Lossless
# at effort 1 and quality 75 makes a text page a quarter to a third smaller than the upload
# previews' method 4 at quality 50, in the same time; lossy at method 2 takes half method 4's
# time. A page whose lossless image is over the budget (pictures) is sent lossy when smaller.
_LOSSLESS = {"lossless": True, "quality": 75, "method": 1}
# For the page a buyer waits for (DrawJob.asked_fast): half the time, twice the bytes.
_LOSSLESS_FAST = {"lossless": True, "quality": 75, "method": 0}
_LOSSY = {"quality": 80, "method": 2}
_LOSSLESS_BUDGET_BYTES = 160_000


def draw(job: DrawJob, emit: Emit) -> None:
    try:
        document = pdfium.PdfDocument(job.path)
    except pdfium.PdfiumError:
        emit({"event": "rejected", "code": Reason.UNREADABLE.value, "params": {}})
        return
    try:
        count = len(document)
        for position, number in enumerate(n for n in job.pages if 1 <= n <= count):
            asked = position == 0
            deadline = time.monotonic() + (job.seconds if asked else job.ahead_seconds)
            page = document[number - 1]
            try:
                image = preview_render(page, width=job.width, deadline=deadline)
            except DrawTooSlow:
                if asked:
                    emit({"event": "too_heavy", "number": number})
                # A page ahead that is slow is drawn when it is asked for, with the full time.
                break
            finally:
                page.close()
            rendered = reader_encode(image, fast=asked and job.asked_fast)
            name = f"page-{number}.webp"
            (Path(job.out_dir) / name).write_bytes(rendered.data)
            emit(
                {
                    "event": "page",
                    "number": number,
                    "file": name,
                    "width": rendered.width,
                    "height": rendered.height,
                }
            )
    finally:
        document.close()
    emit({"event": "done"})


def reader_encode(image: Image.Image, *, fast: bool = False) -> RenderedPage:
    data = _webp(image, _LOSSLESS_FAST if fast else _LOSSLESS)
    if len(data) > _LOSSLESS_BUDGET_BYTES:
        data = min(data, _webp(image.convert("RGB"), _LOSSY), key=len)
    return RenderedPage(data=data, width=image.width, height=image.height)


def _webp(image: Image.Image, options: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    image.save(out, "WEBP", **options)
    return out.getvalue()
