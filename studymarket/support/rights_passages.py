"""The passages of a held upload that repeat a registered work, for staff.

The work's text is not kept (documents/rights_holders.py), only its shingle hashes page by
page; so only the upload's side can be shown as text: a word is marked when it lies in a
shingle whose hash is one of the work's, and each page of the upload names the pages of the
work its marked passages come from. Limits as for near-duplicates (support/passages.py).
"""

from collections import defaultdict
from dataclasses import dataclass

from studymarket.documents.models import DocumentVersion, RightsHolderMatch
from studymarket.documents.originality import SHINGLE_WORDS, shingles, word_spans
from studymarket.documents.rights_holders import shingle_hash
from studymarket.documents.rights_matching import work_page_hashes
from studymarket.support.passages import MAX_PAGES_SHOWN, MAX_WORDS, Segment, text_segments


@dataclass(frozen=True)
class RightsPage:
    number: int
    segments: list[Segment]
    marked_words: int
    work_pages: list[int]  # the registered work's pages this page's marked passages are on


@dataclass(frozen=True)
class RightsPassages:
    pages: list[RightsPage]  # only pages with a marked passage, at most MAX_PAGES_SHOWN
    pages_with_overlap: int
    marked_words: int
    compared_words: int
    truncated: bool
    work_removed: bool  # withdrawn by its owner: its fingerprints are gone, nothing to mark

    @property
    def marked_percent(self) -> int:
        return round(100 * self.marked_words / self.compared_words) if self.compared_words else 0


def rights_passages(*, version: DocumentVersion, match: RightsHolderMatch) -> RightsPassages:
    where: dict[int, set[int]] = defaultdict(set)  # shingle hash → the work's pages holding it
    for number, hashes in work_page_hashes(work_id=match.work_id).items():
        for value in hashes:
            where[value].add(number)
    pages: list[RightsPage] = []
    overlapping = marked_total = compared = 0
    truncated = False
    rows = version.pages.order_by("number").values_list("number", "text").iterator()
    for number, text in rows:
        if compared >= MAX_WORDS:
            truncated = True
            break
        spans = list(word_spans(text))[: MAX_WORDS - compared]
        compared += len(spans)
        marked, work_pages = _marks([word for _, _, word in spans], where)
        if not any(marked):
            continue
        overlapping += 1
        marked_total += sum(marked)
        if len(pages) < MAX_PAGES_SHOWN:
            places = [
                (start, end, is_marked) for (start, end, _), is_marked in zip(spans, marked, strict=True)
            ]
            pages.append(
                RightsPage(
                    number=number,
                    segments=text_segments(text, places),
                    marked_words=sum(marked),
                    work_pages=sorted(work_pages),
                )
            )
    return RightsPassages(
        pages=pages,
        pages_with_overlap=overlapping,
        marked_words=marked_total,
        compared_words=compared,
        truncated=truncated,
        work_removed=match.work.removed_at is not None,
    )


def _marks(words: list[str], where: dict[int, set[int]]) -> tuple[list[bool], set[int]]:
    size = SHINGLE_WORDS
    marked = [False] * len(words)
    work_pages: set[int] = set()
    for i in range(len(words) - size + 1):
        # shingles() of one window is that one shingle, made exactly as the fingerprints were.
        for shingle in shingles(words[i : i + size]):
            found = where.get(shingle_hash(shingle))
            if found:
                marked[i : i + size] = [True] * size
                work_pages |= found
    return marked, work_pages
