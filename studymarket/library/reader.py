"""Page images for the online reader, rendered on demand and kept in the private storage.

A page is drawn the first time a buyer scrolls to it, at one of a few widths (phone, laptop,
sharp screens), and stored under a path fixed by version, width and page, so every later
reader of that version gets the stored file. The file passed the upload pipeline's sandboxed
checks, so PDFium may open it in this process.
"""

import threading
from collections.abc import Iterable
from dataclasses import dataclass

import pikepdf
from django.core.cache import cache
from django.core.files.base import ContentFile

from studymarket.core.storage import private_storage
from studymarket.documents.extraction import extraction_workspace, stored_file_local
from studymarket.documents.models import DocumentVersion
from studymarket.documents.pdf import pdf_open

# Pixel widths: about a phone, a laptop column, and either of them on a sharp screen.
READER_WIDTHS = (800, 1200, 1600)
READER_DEFAULT_WIDTH = 1200
# Pages drawn per request: the one asked for and those after it, which the reader asks for
# next; one opening of the PDF serves them all.
_RENDER_AHEAD = 4
_SIZES_CACHE_SECONDS = 30 * 24 * 3600
_PDFIUM = threading.Lock()


@dataclass(frozen=True)
class PageSize:
    """A page's shape as the reader sees it (rotation applied), in PDF points."""

    width: int
    height: int


def reader_page_path(*, version: DocumentVersion, number: int, width: int) -> str:
    return f"reader/{version.document_id}/{version.pk}/{width}/{number}.webp"


def reader_page_image(*, version: DocumentVersion, number: int, width: int) -> bytes:
    """Page ``number`` of ``version`` as WebP, ``width`` pixels wide (one of READER_WIDTHS)."""
    if width not in READER_WIDTHS:
        raise ValueError(f"Width {width} is not one of {READER_WIDTHS}")
    if not 1 <= number <= version.page_count:
        raise ValueError(f"Page {number} is not in 1..{version.page_count}")
    storage = private_storage()
    path = reader_page_path(version=version, number=number, width=width)
    if storage.exists(path):
        with storage.open(path, "rb") as stored:
            data: bytes = stored.read()
            return data
    ahead = range(number + 1, min(number + _RENDER_AHEAD, version.page_count) + 1)
    wanted = [number] + [
        n for n in ahead if not storage.exists(reader_page_path(version=version, number=n, width=width))
    ]
    rendered = _render(version, wanted, width=width)
    for page_number, data in rendered.items():
        _store(reader_page_path(version=version, number=page_number, width=width), data)
    return rendered[number]


def _render(version: DocumentVersion, numbers: Iterable[int], *, width: int) -> dict[int, bytes]:
    with extraction_workspace() as workdir:
        source = stored_file_local(version.file.name, workdir / "source.pdf")
        # PDFium may not be entered by two threads at once, not even for two documents: the
        # web server answers the reader's image requests on several threads, and without this
        # lock the process crashes (seen in Chromium, which asks for pages in parallel).
        with _PDFIUM, source.open("rb") as file, pdf_open(file) as pdf:
            return {n: page.data for n, page in pdf.render_pages(numbers, width=width).items()}


def _store(path: str, data: bytes) -> None:
    storage = private_storage()
    saved = storage.save(path, ContentFile(data))
    if saved != path:
        # Another request stored the same page first; storage gave ours a new name.
        storage.delete(saved)


def reader_page_sizes(*, version: DocumentVersion) -> list[PageSize]:
    """Every page's shape, so the reader can lay out all pages before any image arrives
    (no jumping while they load, and "go to page 80" lands on page 80)."""
    key = f"library:page-sizes:{version.pk}"
    sizes: list[tuple[int, int]] | None = cache.get(key)
    if sizes is None:
        with extraction_workspace() as workdir:
            source = stored_file_local(version.file.name, workdir / "source.pdf")
            with pikepdf.open(source) as pdf:
                sizes = [_visible_size(page) for page in pdf.pages]
        cache.set(key, sizes, _SIZES_CACHE_SECONDS)
    return [PageSize(width=w, height=h) for w, h in sizes]


def _visible_size(page: pikepdf.Page) -> tuple[int, int]:
    x0, y0, x1, y1 = (float(v) for v in page.cropbox)
    width, height = max(round(abs(x1 - x0)), 1), max(round(abs(y1 - y0)), 1)
    # qpdf copies an inherited /Rotate onto each page when it lists them.
    if int(page.obj.get(pikepdf.Name.Rotate, 0)) % 180:
        return height, width
    return width, height
