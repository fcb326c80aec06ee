import io
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pypdfium2 as pdfium
from PIL import Image, ImageChops

# Text pages compress far better losslessly (and stay crisp); photos and scans do not.
# Lossless is tried first and lossy used when it is this much larger than a text page.
_LOSSLESS_BUDGET_BYTES = 160_000
_LOSSY_QUALITY = 80


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
            images = [_render(document, index, width=width) for index in indexes[start : start + batch]]
            rendered.extend(pool.map(_encode, images))
    return rendered


def _render(document: pdfium.PdfDocument, index: int, *, width: int) -> Image.Image:
    page = document[index]
    try:
        scale = width / page.get_width()
        image: Image.Image = page.render(scale=scale).to_pil()
        if _is_grey(image):
            # PDFium's grayscale mode anti-aliases with fewer distinct tones: half the bytes.
            image = page.render(scale=scale, grayscale=True).to_pil()
    finally:
        page.close()
    return image


def _is_grey(image: Image.Image) -> bool:
    if image.mode == "L":
        return True
    red, green, blue = image.convert("RGB").split()
    return (
        ImageChops.difference(red, green).getbbox() is None
        and ImageChops.difference(green, blue).getbbox() is None
    )


def _encode(image: Image.Image) -> RenderedPage:
    data = _webp(image, lossless=True, quality=50, method=4)
    if len(data) > _LOSSLESS_BUDGET_BYTES:
        data = min(data, _webp(image.convert("RGB"), quality=_LOSSY_QUALITY, method=4), key=len)
    return RenderedPage(data=data, width=image.width, height=image.height)


def _webp(image: Image.Image, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, "WEBP", **options)
    return out.getvalue()
