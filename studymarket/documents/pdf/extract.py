"""One pass over a PDF: for each page its text, facts, thumbnail and (for the first pages) its
preview image; then the table of contents.

Runs inside the sandboxed child process (pdf/sandbox.py) for uploads, and in the calling
process for files the platform made itself (the demo data). Reports through ``emit`` as it
goes, so the parent shows progress and never holds more than a few bitmaps: each page is
drawn by PDFium (one thread: it is not thread-safe) while the WebP encoding of the pages
before it, which releases the GIL, runs on the other cores.
"""

import os
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PIL import Image

from studymarket.documents.pdf.checks import PdfRejected, pdf_inspect
from studymarket.documents.pdf.facts import PageFacts, page_facts
from studymarket.documents.pdf.headings import HeadingCollector
from studymarket.documents.pdf.job import ExtractJob, preview_count_by_length
from studymarket.documents.pdf.outline import outline_items
from studymarket.documents.pdf.render import (
    DrawTooSlow,
    RenderedPage,
    preview_encode,
    preview_render,
    reader_draw_check,
    thumbnail_drawn_width,
    thumbnail_encode,
    thumbnail_render,
)
from studymarket.documents.pdf.text import text_clean, textpage_text, word_count
from studymarket.documents.reasons import Reason

# A page's text beyond this is not a study text but a trick; the rest is dropped.
MAX_PAGE_TEXT = 100_000

Emit = Callable[[dict[str, Any]], None]


def extract(job: ExtractJob, emit: Emit) -> None:
    """Events, in order: opened, page (one per page, in page order), toc (with text), done."""
    if job.text:
        pdf_inspect(job.path, max_pages=job.max_pages, memory_mb=job.memory_mb)
    try:
        document = pdfium.PdfDocument(job.path)
    except pdfium.PdfiumError as error:
        password = getattr(error, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD
        raise PdfRejected(Reason.ENCRYPTED if password else Reason.UNREADABLE) from None
    try:
        count = len(document)
        if job.preview_by_length is not None:
            job = replace(job, preview_count=preview_count_by_length(count, job.preview_by_length))
        emit({"event": "opened", "page_count": count, "preview_count": job.preview_count})
        numbers = (
            list(range(1, count + 1)) if job.pages is None else [n for n in job.pages if 1 <= n <= count]
        )
        outline = outline_items(document) if job.text else []
        headings = HeadingCollector() if job.text and not outline else None
        _pages(document, numbers, job, emit, headings)
        if job.text:
            toc, source = (
                (outline, "outline") if outline else (headings.entries() if headings else [], "headings")
            )
            emit(
                {
                    "event": "toc",
                    "source": source if toc else "",
                    "entries": [[item.level, item.title, item.page] for item in toc],
                }
            )
    finally:
        document.close()
    emit({"event": "done"})


@dataclass
class _Drawn:
    number: int
    event: dict[str, Any]
    images: list[tuple[str, str, Future[RenderedPage]]]  # (kind, file name, its encoding)


@dataclass
class _Encoders:
    """Thumbnails are encoded on every core; preview images one at a time on a thread of their
    own (the lossless encoder takes ~35 MB for a page), so neither waits for the other."""

    small: ThreadPoolExecutor
    large: ThreadPoolExecutor
    out_dir: Path

    def thumbnail(self, number: int, image: Image.Image) -> tuple[str, str, Future[RenderedPage]]:
        name = f"thumbnail-{number}.webp"
        return "thumbnail", name, self.small.submit(_write, self.out_dir / name, thumbnail_encode, image)

    def preview(self, number: int, image: Image.Image) -> tuple[str, str, Future[RenderedPage]]:
        name = f"page-{number}.webp"
        return "preview", name, self.large.submit(_write, self.out_dir / name, preview_encode, image)


# Pages drawn but not yet reported: enough that the first pages' preview images are encoded
# while the pages after them are read, few enough to hold (thumbnails are small).
_WAITING_PAGES = 32


def _pages(
    document: pdfium.PdfDocument,
    numbers: list[int],
    job: ExtractJob,
    emit: Emit,
    headings: HeadingCollector | None,
) -> None:
    waiting: deque[_Drawn] = deque()
    with (
        ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as small,
        ThreadPoolExecutor(max_workers=1) as large,
    ):
        encoders = _Encoders(small=small, large=large, out_dir=Path(job.out_dir))
        for number in numbers:
            waiting.append(_draw(document, number, job, encoders, headings))
            # Report pages in order, as soon as their images are written.
            while waiting and (
                all(future.done() for _, _, future in waiting[0].images) or len(waiting) > _WAITING_PAGES
            ):
                _report(waiting.popleft(), emit)
        while waiting:
            _report(waiting.popleft(), emit)


def _draw(
    document: pdfium.PdfDocument,
    number: int,
    job: ExtractJob,
    encoders: _Encoders,
    headings: HeadingCollector | None,
) -> _Drawn:
    try:
        page = document[number - 1]
        try:
            return _draw_page(page, number, job, encoders, headings)
        finally:
            page.close()
    except pdfium.PdfiumError:
        raise PdfRejected(Reason.UNREADABLE, page=number) from None


def _draw_page(
    page: pdfium.PdfPage,
    number: int,
    job: ExtractJob,
    encoders: _Encoders,
    headings: HeadingCollector | None,
) -> _Drawn:
    event: dict[str, Any] = {"event": "page", "number": number}
    facts = PageFacts(has_images=False, is_scanned=False)
    if job.text:
        textpage = page.get_textpage()
        try:
            raw = textpage_text(textpage)
            if headings is not None:
                headings.add_page(number, textpage, raw)
        finally:
            textpage.close()
        text = text_clean(raw)[:MAX_PAGE_TEXT]
        facts = page_facts(page)
        event.update(
            text=text, words=word_count(text), has_images=facts.has_images, is_scanned=facts.is_scanned
        )
    preview = number <= job.preview_count
    event["thumbnail_blurred"] = not preview
    started = time.monotonic()
    thumbnail = thumbnail_render(page, width=job.thumbnail_width, blurred=not preview, photo=facts.has_images)
    if job.text and job.reader_seconds:
        _reader_check(page, number, job, probe_seconds=time.monotonic() - started, blurred=not preview)
    images = [encoders.thumbnail(number, thumbnail)]
    if preview:
        images.append(
            encoders.preview(number, preview_render(page, width=job.preview_width, photo=facts.has_images))
        )
    return _Drawn(number, event, images)


def _reader_check(
    page: pdfium.PdfPage, number: int, job: ExtractJob, *, probe_seconds: float, blurred: bool
) -> None:
    """Refuse a page the online reader could not draw in time (issue 12: one such page held
    every buyer's reader); before its preview image, which is drawn large too."""
    try:
        reader_draw_check(
            page,
            width=job.reader_width,
            seconds=job.reader_seconds,
            probe_seconds=probe_seconds,
            probe_width=thumbnail_drawn_width(job.thumbnail_width, blurred=blurred),
        )
    except DrawTooSlow:
        seconds = (
            int(job.reader_seconds) if job.reader_seconds == int(job.reader_seconds) else job.reader_seconds
        )
        raise PdfRejected(Reason.PAGE_TOO_HEAVY, page=number, seconds=seconds) from None


def _write(path: Path, encode: Callable[[Image.Image], RenderedPage], image: Image.Image) -> RenderedPage:
    rendered = encode(image)
    path.write_bytes(rendered.data)
    return rendered


def _report(drawn: _Drawn, emit: Emit) -> None:
    for kind, name, future in drawn.images:
        rendered = future.result()
        drawn.event[kind] = {"file": name, "width": rendered.width, "height": rendered.height}
    emit(drawn.event)
