"""Opening the tantivy index folder once per process, the writers' lock, and the readers.

Writers: only the worker (the index task) and ``search_rebuild``; a file lock makes writers
in several processes take turns. Readers check before each search whether the index changed
(meta.json) and reload only then, so a commit is visible to the web processes at once.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import tantivy

from studymarket.search import analysis
from studymarket.search.backends.tantivy.schema import SCHEMA

_indexes: dict[Path, tantivy.Index] = {}


_indexes_lock = threading.Lock()


def index_open(path: Path) -> tantivy.Index:
    with _indexes_lock:
        index = _indexes.get(path)
        if index is None:
            path.mkdir(parents=True, exist_ok=True)
            if (path / "meta.json").exists():
                index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
            else:
                # The first process to open it creates it, under the writers' lock so that a
                # web process and the worker starting together do not both create it.
                with writers_lock(path):
                    index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
            for name in ("plain", *analysis.STEM_LANGUAGES):
                index.register_tokenizer(f"sm_{name}", analysis.analyzer(name))
            index.config_reader(reload_policy="Manual")
            _indexes[path] = index
        return index


def _generation(path: Path) -> bytes | None:
    """The index's committed state: tantivy rewrites meta.json (segments, opstamp) on every
    commit and merge. Its content, not its time: two commits within one tick of the file
    system's clock must not look alike. Reading it takes microseconds."""
    try:
        return (path / "meta.json").read_bytes()
    except FileNotFoundError:
        return None


@dataclass
class _Reader:
    generation: bytes | None
    searcher: tantivy.Searcher


_readers: dict[Path, _Reader] = {}


def searcher_current(path: Path) -> tantivy.Searcher:
    """A searcher over the index as last committed by any process. Reloading costs a tenth of
    a millisecond and more as the index grows, so it happens only when meta.json changed;
    until then the same searcher serves every search."""
    index = index_open(path)
    generation = _generation(path)
    reader = _readers.get(path)
    if reader is not None and reader.generation == generation:
        return reader.searcher
    with _indexes_lock:
        reader = _readers.get(path)
        if reader is None or reader.generation != generation:
            index.reload()
            reader = _Reader(generation=generation, searcher=index.searcher())
            _readers[path] = reader
        return reader.searcher


@contextmanager
def writers_lock(path: Path) -> Iterator[None]:
    """The writers' lock: one writer at a time across processes (tantivy's own lock would
    make a second writer fail instead of wait)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def index_forget(path: Path) -> None:
    with _indexes_lock:
        _indexes.pop(path, None)
        _readers.pop(path, None)


def readers_forget(path: Path) -> None:
    """After a commit: the next search reloads."""
    with _indexes_lock:
        _readers.pop(path, None)
