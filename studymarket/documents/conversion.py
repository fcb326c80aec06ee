"""Word (.docx) and OpenDocument (.odt) files become PDFs with LibreOffice, headless.

LibreOffice runs with a profile of its own in the run's workspace (so conversions never share
or lock one), in a session of its own (so a timeout stops all of its processes), with the
same time limit as the PDF pass and no core files. It is not given the PDF pass's memory
limit: it reserves far more address space than it uses. The PDF it writes then goes through
every check an uploaded PDF does.
"""

import logging
import os
import shutil
import signal
import subprocess
from pathlib import Path

from django.conf import settings

from studymarket.documents.extraction import ExtractionRejected
from studymarket.documents.reasons import Reason

logger = logging.getLogger(__name__)

SOURCE_FORMATS = ("docx", "odt")


def conversion_available() -> bool:
    return shutil.which(settings.SOFFICE_PATH) is not None


def pdf_convert(*, source: Path, source_format: str, workdir: Path) -> Path:
    """The PDF made from ``source``; raises ExtractionRejected (conversion_unavailable when
    LibreOffice is not installed, conversion_failed when it could not convert the file)."""
    soffice = shutil.which(settings.SOFFICE_PATH)
    if soffice is None:
        raise ExtractionRejected(Reason.CONVERSION_UNAVAILABLE)
    if source_format not in SOURCE_FORMATS:
        raise ExtractionRejected(Reason.UNSUPPORTED_TYPE)
    home = workdir / "libreoffice"
    out = workdir / "converted"
    out.mkdir(parents=True, exist_ok=True)
    # LibreOffice picks the import filter by the extension; the seller's name is never used.
    document = workdir / f"document.{source_format}"
    shutil.copyfile(source, document)
    command = [
        soffice,
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--nodefault",
        f"-env:UserInstallation={(home / 'profile').as_uri()}",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out),
        str(document),
    ]
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8"}
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=workdir,
        env=environment,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=settings.PROCESSING_TIME_LIMIT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ExtractionRejected(
            Reason.TIMEOUT, {"seconds": settings.PROCESSING_TIME_LIMIT_SECONDS}
        ) from None
    finally:
        _stop_session(process.pid)
    converted = out / "document.pdf"
    if process.returncode != 0 or not converted.is_file() or converted.stat().st_size == 0:
        logger.warning("LibreOffice could not convert a %s file: %s", source_format, output[-2000:])
        raise ExtractionRejected(Reason.CONVERSION_FAILED)
    return converted


def _stop_session(pid: int) -> None:
    # soffice forks soffice.bin; anything of it still running goes now.
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
