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
# Thumbnails are glanced at, not read: small and quick to encode.
_THUMBNAIL_QUALITY = 60
_THUMBNAIL_METHOD = 0
# A locked page's thumbnail is drawn this many times smaller, then enlarged.
_BLUR_FACTOR = 6
# A page taller than this many times its width (a hostile MediaBox) is drawn narrower instead
# of as an image of absurd height.
_MAX_ASPECT = 4


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


def preview_render(page: pdfium.PdfPage, *, width: int, photo: bool = False) -> Image.Image:
    """The page as shown before purchase; ``photo`` (the page holds images) skips the test
    for a grey page, which a photo never passes."""
    scale = _scale(page, width)
    image: Image.Image = page.render(scale=scale, rev_byteorder=True).to_pil()
    if not photo and _is_grey(image):
        # PDFium's grayscale mode anti-aliases with fewer distinct tones: half the bytes.
        image = page.render(scale=scale, grayscale=True).to_pil()
    image.info["photo"] = photo
    return image


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
