"""Runs the PDF pass (pdf/extract.py) in a child process with limits, and collects its events.

The child gets PROCESSING_MEMORY_LIMIT_MB of address space and PROCESSING_TIME_LIMIT_SECONDS
(wall clock, and CPU time as a backstop), no environment of ours beyond what Python needs, and
a folder of its own for the images; a PDF bomb or a parser hang costs that one upload, never
the worker. The folder is removed whatever happens (``extraction_workspace``).
"""

import ctypes
import json
import logging
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db.models.fields.files import FieldFile

from studymarket.core.processes import pid_running
from studymarket.documents.pdf.job import READER_WIDTHS, ExtractJob, SandboxJob, job_message
from studymarket.documents.pdf.outline import OutlineItem
from studymarket.documents.pdf.sandbox import EXIT_TOO_COMPLEX
from studymarket.documents.reasons import Reason

logger = logging.getLogger(__name__)

_SANDBOX_MODULE = "studymarket.documents.pdf.sandbox"
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# Looked up here, not in the child between fork and exec, where only async-signal-safe work belongs.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None
_STDERR_TAIL = 2000


class ExtractionRejected(Exception):
    def __init__(self, code: Reason, params: dict[str, Any] | None = None) -> None:
        super().__init__(code.value)
        self.code = code
        self.params = params or {}


class ExtractionBroken(Exception):
    """The child failed for a reason of ours, not the file's (a bug): worth a retry."""


@dataclass(frozen=True)
class Image:
    path: Path
    width: int
    height: int


@dataclass
class PageResult:
    number: int
    thumbnail: Image
    thumbnail_blurred: bool
    preview: Image | None
    text: str = ""
    words: int = 0
    has_images: bool = False
    is_scanned: bool = False


@dataclass
class ExtractionResult:
    page_count: int = 0
    preview_count: int = 0
    pages: list[PageResult] = field(default_factory=list)
    toc: list[OutlineItem] = field(default_factory=list)
    toc_source: str = ""


Progress = Callable[[int, int], None]  # (pages done, page count)


_WORKSPACE_PREFIX = "processing-"


def _workspaces_root() -> Path:
    return Path(settings.DATA_DIR) / "tmp"


@contextmanager
def extraction_workspace() -> Iterator[Path]:
    """A private folder for one run; removed afterwards, also after an error. Its name holds
    this process's id, so the folder of a process killed outright is recognised and pruned
    (``extraction_workspaces_prune``)."""
    parent = _workspaces_root()
    parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f"{_WORKSPACE_PREFIX}{os.getpid()}-", dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def extraction_workspaces_prune() -> list[str]:
    """Remove the workspaces of processes on this machine that no longer run (a worker killed
    with SIGKILL cannot remove its own); returns their names."""
    root = _workspaces_root()
    pruned = []
    for path in sorted(root.glob(f"{_WORKSPACE_PREFIX}*")) if root.exists() else []:
        pid = path.name.removeprefix(_WORKSPACE_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not pid_running(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            pruned.append(path.name)
    return pruned


def extract_job(
    source: Path,
    workdir: Path,
    *,
    text: bool,
    preview_count: int = 0,
    by_length: bool = False,
    pages: list[int] | None = None,
) -> ExtractJob:
    """A job with the platform's settings; ``by_length``: as many preview pages as the
    document's length gives (PREVIEW_PAGES_BY_LENGTH), known once it is opened."""
    out = workdir / "out"
    out.mkdir(exist_ok=True)
    return ExtractJob(
        path=str(source),
        out_dir=str(out),
        max_pages=settings.UPLOAD_MAX_PAGES,
        text=text,
        preview_count=preview_count,
        preview_by_length=settings.PREVIEW_PAGES_BY_LENGTH if by_length else None,
        preview_width=settings.PREVIEW_IMAGE_WIDTH,
        thumbnail_width=settings.THUMBNAIL_WIDTH,
        pages=pages,
        memory_mb=settings.PROCESSING_MEMORY_LIMIT_MB,
        reader_width=max(READER_WIDTHS),
        reader_seconds=settings.READER_PAGE_DRAW_SECONDS,
    )


def stored_file_local(file: FieldFile, target: Path) -> Path:
    """A stored file as a path on this machine: its own path with local storage, else a copy
    at ``target`` (object storage). Through the field's own storage, the one it was saved with."""
    storage, name = file.storage, file.name
    assert name, "an empty file field has no file"
    try:
        return Path(storage.path(name))
    except NotImplementedError:
        with storage.open(name, "rb") as remote, target.open("wb") as local:
            shutil.copyfileobj(remote, local)
        return target


def extraction_run(
    job: ExtractJob, *, progress: Progress | None = None, sandbox: bool = True
) -> ExtractionResult:
    """Run the pass over ``job.path`` and collect what it reports. Raises ExtractionRejected
    when the file is refused, ExtractionBroken when the pass failed for another reason.

    ``sandbox=False`` runs it in this process: only for files the platform made itself.
    """
    collector = _Collector(Path(job.out_dir), progress)
    if sandbox:
        sandbox_run(job, collector.take)
    else:
        # pikepdf, pypdfium2 and Pillow only here: otherwise they load in the sandboxed child.
        from studymarket.documents.pdf.checks import PdfRejected
        from studymarket.documents.pdf.extract import extract

        try:
            extract(job, collector.take)
        except PdfRejected as rejected:
            raise ExtractionRejected(rejected.code, rejected.params) from None
    return collector.finish()


class _Collector:
    def __init__(self, out_dir: Path, progress: Progress | None) -> None:
        self.out_dir = out_dir
        self.progress = progress
        self.result = ExtractionResult()
        self.done = False

    def take(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "opened":
            self.result.page_count = int(event["page_count"])
            self.result.preview_count = int(event["preview_count"])
            if self.progress is not None:
                self.progress(0, self.result.page_count)
        elif kind == "page":
            self.result.pages.append(self._page(event))
            if self.progress is not None:
                self.progress(len(self.result.pages), self.result.page_count)
        elif kind == "toc":
            self.result.toc = [
                OutlineItem(level=int(level), title=str(title), page=None if page is None else int(page))
                for level, title, page in event["entries"]
            ]
            self.result.toc_source = str(event["source"])
        elif kind == "rejected":
            raise ExtractionRejected(Reason(event["code"]), dict(event.get("params") or {}))
        elif kind == "done":
            self.done = True

    def _page(self, event: dict[str, Any]) -> PageResult:
        preview = event.get("preview")
        return PageResult(
            number=int(event["number"]),
            thumbnail=self._image(event["thumbnail"]),
            thumbnail_blurred=bool(event["thumbnail_blurred"]),
            preview=self._image(preview) if preview else None,
            text=str(event.get("text", "")),
            words=int(event.get("words", 0)),
            has_images=bool(event.get("has_images", False)),
            is_scanned=bool(event.get("is_scanned", False)),
        )

    def _image(self, data: dict[str, Any]) -> Image:
        # The child names its files; a name that leaves the folder is not taken from it.
        path = (self.out_dir / str(data["file"])).resolve()
        if path.parent != self.out_dir.resolve():
            raise ExtractionBroken(f"image outside the workspace: {data['file']!r}")
        return Image(path=path, width=int(data["width"]), height=int(data["height"]))

    def finish(self) -> ExtractionResult:
        if not self.done:
            raise ExtractionBroken("the pass ended without reporting done")
        return self.result


def sandbox_run(job: SandboxJob, take: Callable[[dict[str, Any]], None]) -> None:
    """Run ``job`` in the child with the limits above; ``take`` gets each event. A child that
    hits a limit raises ExtractionRejected (TIMEOUT, TOO_COMPLEX)."""
    limit = settings.PROCESSING_TIME_LIMIT_SECONDS
    memory = settings.PROCESSING_MEMORY_LIMIT_MB * 1024 * 1024
    stderr_path = Path(job.out_dir) / "stderr.txt"
    with open(stderr_path, "w+b") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-E", "-s", "-m", _SANDBOX_MODULE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            cwd=settings.BASE_DIR,
            env=_child_environment(),
            preexec_fn=partial(_limit_child, cpu_seconds=limit + 1),
            close_fds=True,
        )
        _limit_address_space(child, memory)
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            child.kill()

        timer = threading.Timer(limit, stop)
        timer.start()
        try:
            _talk(child, job, take)
            # Its last event is out; it may still be shutting down (the timer still runs).
            child.wait()
        finally:
            timer.cancel()
            if child.poll() is None:  # the event stream broke off, or a rejection came early
                child.kill()
            child.wait()
            if child.stdout is not None:
                child.stdout.close()
        _judge(child.returncode, timed_out.is_set(), stderr)


def _child_environment() -> dict[str, str]:
    # "-E -s" keep PYTHON* variables and the user's site-packages out; the project root comes
    # in through the working directory. Two malloc arenas keep the address space (and so the
    # memory limit) for what the PDF needs, not for per-thread reserves.
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "MALLOC_ARENA_MAX": "2"}


def _limit_child(*, cpu_seconds: int) -> None:
    # No address-space limit here, between fork and exec: the child is still a copy of this
    # process, often larger than the limit (a web process with its threads' stacks), and any
    # allocation after it (a new arena for a Python object) fails. _limit_address_space sets it.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no core file behind
    if _LIBC is not None:
        # Should the worker be killed outright (SIGKILL), the child goes with it.
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _limit_address_space(child: subprocess.Popen[bytes], memory_bytes: int) -> None:
    """The child's address-space limit, set from here once it runs the sandbox's own small
    Python (Popen returns after the exec). It waits for its job on stdin, which is written only
    after this: no page of the PDF is read without the limit."""
    try:
        resource.prlimit(child.pid, resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    except ProcessLookupError:
        pass  # it died already: its exit status says why (_judge)


def _talk(child: subprocess.Popen[bytes], job: SandboxJob, take: Callable[[dict[str, Any]], None]) -> None:
    assert child.stdin is not None
    assert child.stdout is not None
    try:
        child.stdin.write(json.dumps(job_message(job)).encode())
        child.stdin.close()
    except BrokenPipeError:
        return  # it died at once; its exit status says why
    for line in child.stdout:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            raise ExtractionBroken(f"not an event: {line[:200]!r}") from None
        take(event)


def _judge(returncode: int, timed_out: bool, stderr: IO[bytes]) -> None:
    if returncode == 0 and not timed_out:
        return
    if timed_out or returncode == -signal.SIGXCPU:
        raise ExtractionRejected(Reason.TIMEOUT, {"seconds": settings.PROCESSING_TIME_LIMIT_SECONDS})
    if returncode == EXIT_TOO_COMPLEX or returncode < 0:
        # Out of memory (PDFium aborts when an allocation fails) or a crash on the file.
        raise ExtractionRejected(Reason.TOO_COMPLEX, {"megabytes": settings.PROCESSING_MEMORY_LIMIT_MB})
    stderr.seek(0, os.SEEK_END)
    stderr.seek(max(0, stderr.tell() - _STDERR_TAIL))
    tail = stderr.read().decode(errors="replace")
    logger.error("PDF child process exited with %s:\n%s", returncode, tail)
    raise ExtractionBroken(f"the PDF child process exited with {returncode}")
