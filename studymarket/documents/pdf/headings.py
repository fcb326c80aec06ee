"""A table of contents for PDFs without an outline, found from their headings.

A heading is a short line set larger than the body text (the size most characters have),
or a bold line numbered like "2.4.3" or "Hoofdstuk 2". Numbered headings take their level
from the numbering; others from their size (the largest size is level 1). Lines repeated on
many pages are running headers, not headings. Only the first character of each line is
asked for its font, so this costs a few calls per line, not per character.
"""

import ctypes
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from studymarket.documents.pdf.outline import OutlineItem

_MAX_HEADING_CHARS = 120
_MAX_LEVEL = 4
_MAX_SIZE_LEVELS = 3
_MAX_ENTRIES = 300
# Larger than the body text by this factor (1.15: 11.5 pt against 10 pt) to count as a heading.
_LARGER = 1.15
# A line on more than this share of the pages (and on at least 3) is a running header or footer.
_REPEATED_SHARE = 0.3
_FORCE_BOLD_FLAG = 1 << 18  # PDF font descriptor flags, bit 19
_BOLD_WEIGHT = 600
_BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demi")
_NUMBERED = re.compile(
    r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?(?:\s+|:\s*)(?=\w)",
    re.IGNORECASE,
)
_CHAPTER = re.compile(r"^(?:hoofdstuk|chapter|deel|part|module|les)\s+(\w{1,4})\b:?\s*", re.IGNORECASE)
# Ends in a number after dot leaders or a gap: perhaps a page number in a printed contents.
_PAGE_REFERENCE = re.compile(r"(?:\.{3,}|…|\s)\s*(\d{1,4})$")
_CONTENTS_TITLE = re.compile(
    r"^(?:inhoud|inhoudsopgave|inhoudstafel|contents|table of contents)$", re.IGNORECASE
)


@dataclass(frozen=True)
class _Line:
    page: int
    position: int  # the line's place among all lines of the document
    text: str
    size: float
    bold: bool


class HeadingCollector:
    """Fed every page in order, then asked for the table of contents."""

    def __init__(self) -> None:
        self._sizes: Counter[float] = Counter()
        self._lines: list[_Line] = []
        self._pages = 0
        self._position = 0
        self._name = ctypes.create_string_buffer(128)
        self._flags = ctypes.c_int()

    def add_page(self, number: int, textpage: pdfium.PdfTextPage, raw_text: str) -> None:
        """``raw_text`` is the text page's text as PDFium gives it: its character indexes
        are the text page's, with CRLF between lines."""
        self._pages += 1
        offset = 0
        for line in raw_text.split("\r\n"):
            start, offset = offset, offset + len(line) + 2
            text = " ".join(line.split())
            if not text:
                continue
            self._position += 1
            index = start + len(line) - len(line.lstrip())
            size = round(float(pdfium_c.FPDFText_GetFontSize(textpage, index)), 1)
            self._sizes[size] += len(text)
            # A line without letters ("2)", the end of "… (nieuw in versie" on the line before)
            # is kept too: never a heading by itself, it may end the one above it (_joined).
            if len(text) <= _MAX_HEADING_CHARS:
                self._lines.append(_Line(number, self._position, text, size, self._bold(textpage, index)))

    def _bold(self, textpage: pdfium.PdfTextPage, index: int) -> bool:
        if pdfium_c.FPDFText_GetFontWeight(textpage, index) >= _BOLD_WEIGHT:
            return True
        pdfium_c.FPDFText_GetFontInfo(textpage, index, self._name, len(self._name), ctypes.byref(self._flags))
        name = self._name.value.decode("latin-1").lower()
        return bool(self._flags.value & _FORCE_BOLD_FLAG) or any(word in name for word in _BOLD_NAMES)

    def entries(self) -> list[OutlineItem]:
        if not self._sizes:
            return []
        body = self._sizes.most_common(1)[0][0]
        repeated = self._repeated()
        found: list[tuple[_Line, int | None]] = []  # with the numbering's depth
        for line in self._lines:
            if line.text in repeated or _CONTENTS_TITLE.match(line.text):
                continue
            numbered = _NUMBERED.match(line.text) or _CHAPTER.match(line.text)
            if numbered and self._page_reference(line, line.text[numbered.end() :]):
                continue
            if line.size >= body * _LARGER or (line.bold and (numbered or not _has_letters(line.text))):
                depth = numbered.group(1).count(".") + 1 if numbered else None
                found.append((line, depth))
        found = _joined(found)
        levels = _levels_by_size(found)
        items = [
            OutlineItem(level=min(depth or levels[line.size], _MAX_LEVEL), title=line.text, page=line.page)
            for line, depth in found
        ]
        return items[:_MAX_ENTRIES]

    def _page_reference(self, line: _Line, rest: str) -> bool:
        """A line of a printed table of contents ("1.2 Begrippen ..... 14"): it ends in the
        number of a later page ("2.3 Top 10" on page 30 does not)."""
        reference = _PAGE_REFERENCE.search(rest)
        return reference is not None and line.page < int(reference.group(1)) <= self._pages

    def _repeated(self) -> set[str]:
        pages: defaultdict[str, set[int]] = defaultdict(set)
        for line in self._lines:
            pages[line.text].add(line.page)
        limit = max(2, int(self._pages * _REPEATED_SHARE))
        return {text for text, on in pages.items() if len(on) > limit}


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _levels_by_size(found: list[tuple[_Line, int | None]]) -> dict[float, int]:
    """The level of an unnumbered heading: that of the numbered headings set in the size
    nearest to its own (an unnumbered "Inleiding" in the chapters' size is a chapter); without
    numbered headings, the largest size is level 1, the next 2, and so on."""
    numbered: dict[float, int] = {}
    for line, depth in found:
        if depth is not None:
            numbered[line.size] = min(depth, numbered.get(line.size, depth))
    sizes = sorted({line.size for line, depth in found if depth is None}, reverse=True)
    if not numbered:
        return {size: min(rank, _MAX_SIZE_LEVELS) for rank, size in enumerate(sizes, 1)}
    return {
        size: min(numbered.items(), key=lambda item: (abs(item[0] - size), item[1]))[1] for size in sizes
    } | numbered


def _joined(found: list[tuple[_Line, int | None]]) -> list[tuple[_Line, int | None]]:
    """A heading set over two lines (one after the other, same size, the second unnumbered) is
    one entry. A line without letters only ever ends the heading above it: "… (nieuw in versie"
    and "2)" are "… (nieuw in versie 2)"; on its own it is left out."""
    joined: list[tuple[_Line, int | None]] = []
    for line, depth in found:
        if joined:
            previous, previous_depth = joined[-1]
            if (
                previous.position + 1 == line.position
                and previous.page == line.page
                and previous.size == line.size
                and previous.bold == line.bold
                and not _NUMBERED.match(line.text)
                and len(previous.text) + len(line.text) < _MAX_HEADING_CHARS
            ):
                merged = _Line(
                    previous.page, line.position, f"{previous.text} {line.text}", previous.size, previous.bold
                )
                joined[-1] = (merged, previous_depth)
                continue
        if _has_letters(line.text):
            joined.append((line, depth))
    return joined
