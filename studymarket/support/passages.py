"""The passages two versions share, marked in their page texts for the staff's side-by-side view.

A word is shared when it lies in a run of PASSAGE_WORDS consecutive words (normalised as the
originality check does) that occurs in the other version too; adjacent shared words form one
marked passage. Large documents are cut off at MAX_WORDS words a side and at most
MAX_PAGES_SHOWN pages a side are shown, so the page renders quickly whatever was uploaded.
"""

from dataclasses import dataclass

from studymarket.documents.models import DocumentVersion
from studymarket.documents.originality import SHINGLE_WORDS, word_spans

PASSAGE_WORDS = SHINGLE_WORDS
MAX_WORDS = 40_000
MAX_PAGES_SHOWN = 30


@dataclass(frozen=True)
class Segment:
    text: str
    marked: bool


@dataclass(frozen=True)
class PagePassages:
    number: int
    segments: list[Segment]
    marked_words: int


@dataclass(frozen=True)
class SidePassages:
    pages: list[PagePassages]  # only pages with a shared passage, at most MAX_PAGES_SHOWN
    pages_with_overlap: int
    marked_words: int
    compared_words: int
    truncated: bool  # the version has more words than were compared

    @property
    def marked_percent(self) -> int:
        return round(100 * self.marked_words / self.compared_words) if self.compared_words else 0


@dataclass(frozen=True)
class Overlap:
    new: SidePassages
    earlier: SidePassages


@dataclass(frozen=True)
class _Word:
    page: int
    start: int
    end: int


@dataclass(frozen=True)
class _Side:
    texts: dict[int, str]
    words: list[str]
    places: list[_Word]
    truncated: bool


def overlap_passages(*, version: DocumentVersion, earlier: DocumentVersion) -> Overlap:
    new_side, earlier_side = _read(version), _read(earlier)
    new_marked = _shared(new_side.words, _runs(earlier_side.words))
    earlier_marked = _shared(earlier_side.words, _runs(new_side.words))
    return Overlap(new=_passages(new_side, new_marked), earlier=_passages(earlier_side, earlier_marked))


def _read(version: DocumentVersion) -> _Side:
    texts: dict[int, str] = {}
    words: list[str] = []
    places: list[_Word] = []
    truncated = False
    for number, text in version.pages.order_by("number").values_list("number", "text").iterator():
        if len(words) >= MAX_WORDS:
            truncated = True
            break
        texts[number] = text
        for start, end, word in word_spans(text):
            words.append(word)
            places.append(_Word(number, start, end))
    if len(words) > MAX_WORDS:
        truncated = True
        del words[MAX_WORDS:], places[MAX_WORDS:]
    return _Side(texts=texts, words=words, places=places, truncated=truncated)


def _runs(words: list[str]) -> set[tuple[str, ...]]:
    size = PASSAGE_WORDS
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def _shared(words: list[str], other_runs: set[tuple[str, ...]]) -> list[bool]:
    size = PASSAGE_WORDS
    marked = [False] * len(words)
    for i in range(len(words) - size + 1):
        if tuple(words[i : i + size]) in other_runs:
            marked[i : i + size] = [True] * size
    return marked


def _passages(side: _Side, marked: list[bool]) -> SidePassages:
    by_page: dict[int, list[tuple[_Word, bool]]] = {}
    for place, is_marked in zip(side.places, marked, strict=True):
        by_page.setdefault(place.page, []).append((place, is_marked))
    overlapping = [number for number, words in by_page.items() if any(m for _, m in words)]
    pages = [
        PagePassages(
            number=number,
            segments=_segments(side.texts[number], by_page[number]),
            marked_words=sum(1 for _, m in by_page[number] if m),
        )
        for number in overlapping[:MAX_PAGES_SHOWN]
    ]
    return SidePassages(
        pages=pages,
        pages_with_overlap=len(overlapping),
        marked_words=sum(marked),
        compared_words=len(marked),
        truncated=side.truncated,
    )


def text_segments(text: str, words: list[tuple[int, int, bool]]) -> list[Segment]:
    """The text cut into plain and marked pieces, from its words' places (start, end) and
    whether each is marked (support/rights_passages.py marks them its own way)."""
    return _segments(text, [(_Word(0, start, end), marked) for start, end, marked in words])


def _segments(text: str, words: list[tuple[_Word, bool]]) -> list[Segment]:
    """The page text cut into plain and marked pieces; a passage runs from its first to its last word."""
    segments: list[Segment] = []
    position = 0
    run_start: int | None = None
    run_end = 0
    for place, is_marked in words:
        if is_marked:
            if run_start is None:
                # max(): the pieces of one written word ("1⁄2" → 1, 2) share its place.
                run_start = max(place.start, position)
            run_end = place.end
        elif run_start is not None:
            position = _close(segments, text, position, run_start, run_end)
            run_start = None
    if run_start is not None:
        position = _close(segments, text, position, run_start, run_end)
    if position < len(text):
        segments.append(Segment(text[position:], marked=False))
    return segments


def _close(segments: list[Segment], text: str, position: int, start: int, end: int) -> int:
    if position < start:
        segments.append(Segment(text[position:start], marked=False))
    segments.append(Segment(text[start:end], marked=True))
    return end
