"""Pages of an accepted PDF drawn for the online reader, inside the sandboxed child process
(pdf/sandbox.py), so that a page heavy to draw costs a child its limits and never the web
process; the parent is documents/drawing.py.

Events, one JSON line each: "page" (number, file, width, height) for each page drawn, in
order; "too_heavy" (number) for the page asked for when its time ran out; "done".
"""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from studymarket.documents.pdf.checks import PdfRejected
from studymarket.documents.pdf.job import DrawJob
from studymarket.documents.pdf.render import DrawTooSlow, preview_encode, preview_render
from studymarket.documents.reasons import Reason

Emit = Callable[[dict[str, Any]], None]


def draw(job: DrawJob, emit: Emit) -> None:
    try:
        document = pdfium.PdfDocument(job.path)
    except pdfium.PdfiumError:
        raise PdfRejected(Reason.UNREADABLE) from None
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
            rendered = preview_encode(image)
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
