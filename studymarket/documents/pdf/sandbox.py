"""The child process that reads an uploaded PDF: ``python -m studymarket.documents.pdf.sandbox``.

Reads one job (JSON, see job.py: an ExtractJob, the upload pass, or a DrawJob, pages for the
online reader) on standard input and writes one JSON event a line on standard output (see
extract.py and draw.py), then exits 0, also when the file is refused (event "rejected").
The parent (documents/extraction.py) started it with limits on memory and CPU time; running
out of memory here exits with EXIT_TOO_COMPLEX. Imports no Django: it starts
fast and holds nothing of the platform (no settings, no database, no secrets).
"""

import json
import os
import sys
from typing import Any

EXIT_TOO_COMPLEX = 3


def main() -> int:
    # Events go out on a copy of standard output; the descriptor itself now points at standard
    # error, so whatever a library prints cannot be taken for an event.
    events = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        from studymarket.documents.pdf.job import DrawJob, job_load

        job = job_load(json.load(sys.stdin))

        def emit(event: dict[str, Any]) -> None:
            events.write(json.dumps(event, ensure_ascii=False) + "\n")
            events.flush()

        if isinstance(job, DrawJob):
            # A buyer waits for this one: only what drawing needs is loaded (no pikepdf, no
            # text extraction), which is most of a short child's time. draw() reports a
            # refusal itself.
            from studymarket.documents.pdf.draw import draw

            draw(job, emit)
        else:
            from studymarket.documents.pdf.checks import PdfRejected
            from studymarket.documents.pdf.extract import extract

            try:
                extract(job, emit)
            except PdfRejected as rejected:
                emit({"event": "rejected", "code": rejected.code.value, "params": rejected.params})
    except MemoryError:
        # Nothing more can be allocated, not even a message: the exit status says it.
        os._exit(EXIT_TOO_COMPLEX)
    return 0


if __name__ == "__main__":
    sys.exit(main())
