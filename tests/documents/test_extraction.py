"""The sandboxed child process: what it reports, and what a hostile file costs (only itself)."""

import time
from pathlib import Path

import pytest

from studymarket.documents.extraction import (
    ExtractionBroken,
    ExtractionRejected,
    extract_job,
    extraction_run,
    extraction_workspace,
)
from studymarket.documents.pdf import OutlineItem
from studymarket.documents.reasons import Reason
from tests.data_files import workspaces
from tests.documents import hostile
from tests.pdfs import pdf_bytes
from tests.processes import child_pids


def _run(data: bytes, *, sandbox: bool = True, progress=None, preview_count: int = 2):
    with extraction_workspace() as workdir:
        source = workdir / "source.pdf"
        source.write_bytes(data)
        job = extract_job(source, workdir, text=True, preview_count=preview_count)
        result = extraction_run(job, progress=progress, sandbox=sandbox)
        # Images live in the workspace until stored.
        assert all(page.thumbnail.path.parent == Path(job.out_dir) for page in result.pages)
        assert all(page.thumbnail.path.is_file() for page in result.pages)
        return result


@pytest.mark.parametrize("sandbox", [True, False])
def test_a_run_reports_pages_toc_and_images(settings, sandbox):
    settings.THUMBNAIL_WIDTH = 90
    data = pdf_bytes(pages=3, outline=[(1, "Hoofdstuk 1", 2)])
    calls: list[tuple[int, int]] = []

    result = _run(data, sandbox=sandbox, progress=lambda done, count: calls.append((done, count)))

    assert (result.page_count, result.preview_count, result.toc_source) == (3, 2, "outline")
    assert result.toc == [OutlineItem(level=1, title="Hoofdstuk 1", page=2)]
    assert [(page.number, page.words, page.thumbnail_blurred) for page in result.pages] == [
        (1, 6, False),
        (2, 6, False),
        (3, 6, True),
    ]
    assert [page.thumbnail.width for page in result.pages] == [90, 90, 90]
    assert [page.preview is not None for page in result.pages] == [True, True, False]
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert workspaces() == []


def test_a_refused_file_is_reported_with_its_reason():
    with pytest.raises(ExtractionRejected) as refused:
        _run(hostile.encrypted_pdf())
    assert refused.value.code == Reason.ENCRYPTED
    assert workspaces() == []


def test_a_decompression_bomb_costs_only_the_child():
    started = time.monotonic()

    with pytest.raises(ExtractionRejected) as refused:
        _run(hostile.decompression_bomb_pdf())

    assert (refused.value.code, refused.value.params) == (Reason.TOO_COMPLEX, {"megabytes": 512})
    assert time.monotonic() - started < 30
    assert workspaces() == []


def test_a_parent_larger_than_the_memory_limit_still_starts_the_child(monkeypatch):
    """A web process or a long-lived worker can be larger (virtual size) than the child's limit.
    Between fork and exec the child is still a copy of it, so a limit set there made the next
    allocation fail ("Exception occurred in preexec_fn"), depending on the heap: the limit is
    set once the child runs its own program. Here the parent reserves 1 GB (never touched) and
    the start-up hook allocates as a Python object may, so the old way fails every time."""
    import mmap

    from studymarket.documents import extraction

    reserved = mmap.mmap(-1, 1024 * 1024 * 1024)
    real = extraction._limit_child

    def limit_then_allocate(**limits):
        real(**limits)
        bytearray(8 * 1024 * 1024)  # over malloc's mmap threshold: new address space

    monkeypatch.setattr(extraction, "_limit_child", limit_then_allocate)
    try:
        result = _run(pdf_bytes(pages=2))
    finally:
        reserved.close()

    assert result.page_count == 2
    # That the limit still binds, set after the exec: test_a_decompression_bomb_costs_only_the_child.


def test_the_time_limit_stops_the_child(settings):
    settings.PROCESSING_TIME_LIMIT_SECONDS = 1
    data = hostile.drawings_pdf(pages=200)  # many seconds of drawing
    started = time.monotonic()

    with pytest.raises(ExtractionRejected) as refused:
        _run(data)

    assert (refused.value.code, refused.value.params) == (Reason.TIMEOUT, {"seconds": 1})
    assert time.monotonic() - started < 10
    assert workspaces() == []


def test_a_child_that_breaks_for_another_reason_is_our_fault():
    with extraction_workspace() as workdir:
        job = extract_job(workdir / "missing.pdf", workdir, text=True)
        with pytest.raises(ExtractionBroken):
            extraction_run(job)
    assert workspaces() == []


def test_the_child_gets_none_of_our_environment(monkeypatch):
    from studymarket.documents.extraction import _child_environment

    monkeypatch.setenv("SECRET_KEY", "geheim")
    monkeypatch.setenv("DATABASE_URL", "postgres://geheim@db/studymarket")

    assert set(_child_environment()) == {"PATH", "LANG", "MALLOC_ARENA_MAX"}


def test_the_workspace_goes_also_after_an_error():
    def fail_inside() -> Path:
        with extraction_workspace() as workdir:
            (workdir / "half.webp").write_bytes(b"...")
            raise RuntimeError(str(workdir))

    with pytest.raises(RuntimeError) as error:
        fail_inside()
    assert not Path(str(error.value)).exists()
    assert workspaces() == []


def test_no_child_is_left_running():
    before = child_pids()
    with pytest.raises(ExtractionRejected):
        _run(hostile.decompression_bomb_pdf())
    _run(pdf_bytes(pages=1))
    assert child_pids() == before
