"""Page images for the online reader, drawn on demand and kept in the private storage.

A page is drawn the first time a buyer scrolls to it, at one of a few widths (phone, laptop,
sharp screens), and stored under a path fixed by version, width and page, so every later
reader of that version gets the stored file.

Drawing is paid for where it is bounded (issue 12): in the sandboxed child process, with the
limits of an upload (documents/drawing.py), never in this process. A document draws one
request at a time (the pages after the one asked for are drawn with it, and the requests for
them wait for that draw rather than start their own), and at most READER_DRAWS_MAX draws run
at once in this process: a heavy document waits behind itself, never in front of another.
A page that cannot be drawn in time is remembered as too heavy for a while, and not tried on
every request.

Once drawn, a page is served from the storage as it is (reader_page_open: one call to the
storage, no PDF opened), with an entity tag known without the storage (reader_page_etag).
When a copy is bought, the first pages are drawn ahead at every width (reader_pages_predraw,
a task), so the buyer's first screen never waits for a draw.
"""

import logging
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile, File

from studymarket.core.storage import private_storage
from studymarket.documents.drawing import reader_pages_draw
from studymarket.documents.extraction import extraction_workspace, stored_file_local
from studymarket.documents.models import DocumentVersion
from studymarket.documents.pdf.job import READER_WIDTHS

if TYPE_CHECKING:
    import pikepdf

logger = logging.getLogger(__name__)

__all__ = [
    "READER_DEFAULT_WIDTH",
    "READER_WIDTHS",
    "PageTooHeavy",
    "ReaderBusy",
    "reader_page_etag",
    "reader_page_image",
    "reader_page_open",
    "reader_pages_predraw",
]

READER_DEFAULT_WIDTH = 1200
# Pages drawn per request: the one asked for and those after it, which the reader asks for
# next; one child process serves them all.
_RENDER_AHEAD = 4
_SIZES_CACHE_SECONDS = 30 * 24 * 3600
# A page found too heavy is not drawn again for this long (a busy machine may have been the
# cause; a later try may succeed).
_TOO_HEAVY_CACHE_SECONDS = 24 * 3600


class PageTooHeavy(Exception):
    """The page cannot be drawn within the limits: the reader shows a message in its place."""


class ReaderBusy(Exception):
    """No draw could start in time (every slot taken by other documents' draws)."""


_DRAWS = threading.BoundedSemaphore(settings.READER_DRAWS_MAX)


class _DocumentLock:
    __slots__ = ("lock", "__weakref__")

    def __init__(self) -> None:
        self.lock = threading.Lock()


# One lock per document being drawn; it goes away when no request holds it.
_DOCUMENT_LOCKS: weakref.WeakValueDictionary[int, _DocumentLock] = weakref.WeakValueDictionary()
_DOCUMENT_LOCKS_GUARD = threading.Lock()
# The threads finishing draws after their request was answered (the tests wait for them).
_DRAW_THREADS: weakref.WeakSet[threading.Thread] = weakref.WeakSet()


@dataclass(frozen=True)
class PageSize:
    """A page's shape as the reader sees it (rotation applied), in PDF points."""

    width: int
    height: int


def reader_page_path(*, version: DocumentVersion, number: int, width: int) -> str:
    return f"reader/{version.document_id}/{version.pk}/{width}/{number}.webp"


def reader_page_etag(*, version: DocumentVersion, number: int, width: int) -> str:
    """The page image's entity tag, from the URL's parts alone: what is stored at a page's
    path is never replaced. Weak: a page drawn again (its file lost) may differ in its bytes,
    not in what it shows."""
    return f'W/"reader-{version.pk}-{number}-{width}"'


def reader_page_open(*, version: DocumentVersion, number: int, width: int) -> File | None:
    """The page's stored image, open for reading; None when it was not drawn yet. One call to
    the storage (no look before the open: on S3 each is a round trip)."""
    try:
        return private_storage().open(reader_page_path(version=version, number=number, width=width), "rb")
    except FileNotFoundError:
        return None


def reader_page_image(*, version: DocumentVersion, number: int, width: int) -> bytes:
    """Page ``number`` of ``version`` as WebP, ``width`` pixels wide (one of READER_WIDTHS).
    PageTooHeavy when it cannot be drawn within the limits; ReaderBusy when no draw could start.

    The answer comes as soon as the page asked for is drawn; the pages after it are stored
    while the buyer looks at it (the draw holds the document until then).
    """
    if width not in READER_WIDTHS:
        raise ValueError(f"Width {width} is not one of {READER_WIDTHS}")
    if not 1 <= number <= version.page_count:
        raise ValueError(f"Page {number} is not in 1..{version.page_count}")
    path = reader_page_path(version=version, number=number, width=width)
    stored = _stored(path)
    if stored is not None:
        return stored
    if number in reader_pages_too_heavy(version=version):
        raise PageTooHeavy
    asked = _Asked(number)
    with _document_drawing(version.document_id) as hand_over:
        # Drawn (or found too heavy) by the draw this request waited for?
        stored = _stored(path)
        if stored is not None:
            return stored
        if number in reader_pages_too_heavy(version=version):
            raise PageTooHeavy
        storage = private_storage()
        ahead = range(number + 1, min(number + _RENDER_AHEAD, version.page_count) + 1)
        wanted = [number] + [
            n for n in ahead if not storage.exists(reader_page_path(version=version, number=n, width=width))
        ]
        slot = _DRAWS
        if not slot.acquire(timeout=_wait_seconds()):
            raise ReaderBusy
        release_document = hand_over()

        def release() -> None:
            slot.release()
            release_document()

        thread = threading.Thread(
            target=_draw_and_store, args=(version, wanted, width, asked, release), daemon=True
        )
        try:
            thread.start()
        except BaseException:
            release()
            raise
        _DRAW_THREADS.add(thread)
    asked.ready.wait()
    if asked.error is not None:
        raise asked.error
    if asked.data is None:
        raise PageTooHeavy
    return asked.data


class _Asked:
    """The page a request waits for, handed over by the thread that draws it."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.ready = threading.Event()
        self.data: bytes | None = None
        self.error: BaseException | None = None


def _draw_and_store(
    version: DocumentVersion, wanted: list[int], width: int, asked: _Asked, release: Callable[[], None]
) -> None:
    def on_page(number: int, data: bytes) -> None:
        _store(reader_page_path(version=version, number=number, width=width), data)
        if number == asked.number:
            asked.data = data
            asked.ready.set()

    try:
        drawn = reader_pages_draw(
            version=version, numbers=wanted, width=width, on_page=on_page, waited_for=True
        )
        if drawn.too_heavy:
            _too_heavy_add(version, drawn.too_heavy)
    except Exception as error:
        if not asked.ready.is_set():
            asked.error = error
        logger.exception("Reader pages %s of version %s could not be drawn", wanted, version.pk)
    finally:
        release()
        asked.ready.set()


def reader_pages_too_heavy(*, version: DocumentVersion) -> frozenset[int]:
    """The pages of ``version`` lately found too heavy to draw."""
    return frozenset(cache.get(_too_heavy_key(version), ()))


def _too_heavy_key(version: DocumentVersion) -> str:
    return f"library:too-heavy:{version.pk}"


def _too_heavy_add(version: DocumentVersion, numbers: set[int]) -> None:
    # Under the document's lock: no other request of this process changes the set meanwhile.
    known = reader_pages_too_heavy(version=version)
    cache.set(_too_heavy_key(version), sorted(known | numbers), _TOO_HEAVY_CACHE_SECONDS)


def _stored(path: str) -> bytes | None:
    try:
        stored = private_storage().open(path, "rb")
    except FileNotFoundError:
        return None
    with stored:
        data: bytes = stored.read()
        return data


def reader_pages_predraw(*, version_id: int, pages: int, widths: tuple[int, ...] = READER_WIDTHS) -> None:
    """Draw and store the first ``pages`` pages of the version at each of ``widths``, those not
    stored (nor known too heavy) yet: a task's body, run when a copy is bought. Takes its turn
    like a buyer's request (the document, then a draw slot); nobody waits for the images, so
    they get the smaller encoding. A page ahead that is slow is left for the reader to ask for.
    The pages' sizes (the reader's layout) are read into the cache first."""
    version = DocumentVersion.objects.filter(pk=version_id).first()
    if version is None or not version.file:  # gone, or a refused version's file discarded
        return
    reader_page_sizes(version=version)  # the reader's page needs them before any image
    numbers = range(1, min(pages, version.page_count) + 1)
    storage = private_storage()
    for width in widths:
        with _document_drawing(version.document_id):
            too_heavy = reader_pages_too_heavy(version=version)
            wanted = [
                n
                for n in numbers
                if n not in too_heavy
                and not storage.exists(reader_page_path(version=version, number=n, width=width))
            ]
            if not wanted:
                continue
            if not _DRAWS.acquire(timeout=_wait_seconds()):
                raise ReaderBusy

            def store(number: int, data: bytes, width: int = width) -> None:
                _store(reader_page_path(version=version, number=number, width=width), data)

            try:
                drawn = reader_pages_draw(version=version, numbers=wanted, width=width, on_page=store)
            finally:
                _DRAWS.release()
            if drawn.too_heavy:
                _too_heavy_add(version, drawn.too_heavy)


def _wait_seconds() -> float:
    # A draw ends within the child's wall clock; waiting longer than one draw means a queue.
    return float(settings.PROCESSING_TIME_LIMIT_SECONDS)


@contextmanager
def _document_drawing(document_id: int) -> Iterator[Callable[[], Callable[[], None]]]:
    """Hold the document: one draw of it at a time. The block may hand the lock over (to the
    thread that finishes the draw), which then releases it with the function it got."""
    with _DOCUMENT_LOCKS_GUARD:
        holder = _DOCUMENT_LOCKS.get(document_id)
        if holder is None:
            holder = _DOCUMENT_LOCKS[document_id] = _DocumentLock()
    if not holder.lock.acquire(timeout=_wait_seconds()):
        raise ReaderBusy
    handed_over = False

    def hand_over() -> Callable[[], None]:
        nonlocal handed_over
        handed_over = True
        # Through the holder, not its lock: this keeps the holder (and so its entry in
        # _DOCUMENT_LOCKS, which later requests find) alive until the lock is released.
        return lambda: holder.lock.release()

    try:
        yield hand_over
    finally:
        if not handed_over:
            holder.lock.release()


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
        import pikepdf  # only on a cache miss: not loaded in web processes that never need it

        with extraction_workspace() as workdir:
            source = stored_file_local(version.file, workdir / "source.pdf")
            with pikepdf.open(source) as pdf:
                sizes = [_visible_size(page) for page in pdf.pages]
        cache.set(key, sizes, _SIZES_CACHE_SECONDS)
    return [PageSize(width=w, height=h) for w, h in sizes]


def _visible_size(page: "pikepdf.Page") -> tuple[int, int]:
    import pikepdf

    x0, y0, x1, y1 = (float(v) for v in page.cropbox)
    width, height = max(round(abs(x1 - x0)), 1), max(round(abs(y1 - y0)), 1)
    # qpdf copies an inherited /Rotate onto each page when it lists them.
    if int(page.obj.get(pikepdf.Name.Rotate, 0)) % 180:
        return height, width
    return width, height
