"""Demo PDFs with reportlab: a title page, a table of contents, headings that are also
the PDF outline, and body text, laid out to exactly the page count asked for.

The layout counts in half-line units so it knows, before drawing a paragraph, on which
page it would end; each chapter gets a page budget and its last section fills it. The
contents page needs the page numbers of headings that come later: it is drawn as a
form XObject that is filled in at the end (PDF allows the forward reference).
"""

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from studymarket.storefront.demo.writing import paragraph, section_intro

FOOTER = "Demo-inhoud — studymarket"

_WIDTH, _HEIGHT = A4
_LEFT = 68.0
_TEXT_WIDTH = _WIDTH - 2 * _LEFT
_TOP = _HEIGHT - 78.0  # top of the text area
_UNIT = 7.5  # half the body leading
_UNITS_PER_PAGE = int((_TOP - 70.0) // _UNIT)
_BODY_FONT, _BODY_SIZE = "Helvetica", 10.5
# level: (font, size, units before unless at the top of a page, units of the heading itself)
_HEADINGS = {
    1: ("Helvetica-Bold", 16.0, 2, 4),
    2: ("Helvetica-Bold", 12.5, 2, 3),
    3: ("Helvetica-BoldOblique", 11.0, 1, 3),
}
_CONTENTS_PER_PAGE = 40
_GREY = 0.42


@dataclass(frozen=True)
class Heading:
    title: str
    level: int  # 1, 2 or 3: also the outline level
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class DemoPdf:
    title: str
    cover_lines: tuple[str, ...]
    author: str
    language: str
    page_count: int
    headings: tuple[Heading, ...]
    terms: tuple[str, ...]  # the course's words, used in every section
    seed: str

    @property
    def contents_pages(self) -> int:
        if self.page_count < 8:
            return 0
        return -(-len(self.headings) // _CONTENTS_PER_PAGE)

    @property
    def body_pages(self) -> int:
        return self.page_count - 1 - self.contents_pages


def demo_pdf_build(spec: DemoPdf) -> bytes:
    """The PDF's bytes; the same spec always gives the same bytes (reportlab's invariant mode)."""
    if spec.body_pages < 1:
        raise ValueError(f"{spec.title}: {spec.page_count} pages leave no room for a body")
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle(spec.title)
    canvas.setAuthor(spec.author)
    canvas.setSubject(FOOTER)
    canvas.setCreator("studymarket demo_data")

    _title_page(canvas, spec)
    _page_end(canvas, spec)
    for n in range(spec.contents_pages):
        canvas.doForm(f"contents{n}")
        _page_end(canvas, spec)
    layout = _Layout(canvas, spec, first_page=2 + spec.contents_pages)
    layout.write_body(random.Random(spec.seed))
    _contents_forms(canvas, spec, layout.heading_pages)
    canvas.save()
    if layout.pages_drawn != spec.body_pages:
        raise AssertionError(f"{spec.title}: laid out {layout.pages_drawn} body pages, not {spec.body_pages}")
    return out.getvalue()


def _page_end(canvas: Canvas, spec: DemoPdf) -> None:
    number = canvas.getPageNumber()
    canvas.setFont("Helvetica", 8)
    canvas.setFillGray(_GREY)
    canvas.drawString(_LEFT, 40, FOOTER)
    canvas.drawRightString(_WIDTH - _LEFT, 40, f"{number} / {spec.page_count}")
    if number > 1:
        canvas.drawString(_LEFT, _HEIGHT - 48, _fit(spec.title, "Helvetica", 8, _TEXT_WIDTH))
    canvas.showPage()


def _title_page(canvas: Canvas, spec: DemoPdf) -> None:
    y = _HEIGHT - 210
    canvas.setFont("Helvetica-Bold", 26)
    for line in simpleSplit(spec.title, "Helvetica-Bold", 26, _TEXT_WIDTH):
        canvas.drawString(_LEFT, y, line)
        y -= 32
    y -= 18
    canvas.setFont("Helvetica", 12.5)
    for line in spec.cover_lines:
        canvas.drawString(_LEFT, y, _fit(line, "Helvetica", 12.5, _TEXT_WIDTH))
        y -= 20
    notice = (
        "Demo-inhoud. Deze tekst is voor de demonstratie van studymarket samengesteld uit een kleine "
        "woordenlijst. Hij volgt de opbouw van een echte samenvatting, maar is geen studiemateriaal."
        if spec.language == "nl"
        else "Demo content. This text was put together from a small word list to demonstrate studymarket. "
        "It follows the structure of real study notes but is not study material."
    )
    lines = simpleSplit(notice, "Helvetica", 9.5, _TEXT_WIDTH - 24)
    canvas.setStrokeGray(_GREY)
    canvas.rect(_LEFT, 110, _TEXT_WIDTH, 14 * len(lines) + 18, stroke=1, fill=0)
    canvas.setFont("Helvetica", 9.5)
    for n, line in enumerate(lines):
        canvas.drawString(_LEFT + 12, 110 + 14 * (len(lines) - n) - 2, line)


def _contents_forms(canvas: Canvas, spec: DemoPdf, pages: Sequence[int]) -> None:
    label = "Inhoud" if spec.language == "nl" else "Contents"
    for n in range(spec.contents_pages):
        canvas.beginForm(f"contents{n}")
        y = _TOP - 16
        if n == 0:
            canvas.setFont("Helvetica-Bold", 18)
            canvas.drawString(_LEFT, y, label)
        y -= 34
        start = n * _CONTENTS_PER_PAGE
        for heading, page in zip(
            spec.headings[start : start + _CONTENTS_PER_PAGE], pages[start:], strict=False
        ):
            font = "Helvetica-Bold" if heading.level == 1 else "Helvetica"
            indent = 18.0 * (heading.level - 1)
            number = str(page)
            room = _TEXT_WIDTH - indent - stringWidth(number, "Helvetica", 10) - 16
            title = _fit(heading.title, font, 10, room)
            canvas.setFont(font, 10)
            canvas.drawString(_LEFT + indent, y, title)
            canvas.setFont("Helvetica", 10)
            canvas.drawRightString(_WIDTH - _LEFT, y, number)
            # Leaders drawn as a dotted line, not as text: the page's text stays "title 12".
            dots_from = _LEFT + indent + stringWidth(title, font, 10) + 6
            dots_to = _WIDTH - _LEFT - stringWidth(number, "Helvetica", 10) - 6
            if dots_to > dots_from:
                canvas.setStrokeGray(_GREY)
                canvas.setDash(0.6, 3.4)
                canvas.line(dots_from, y + 1, dots_to, y + 1)
                canvas.setDash()
            y -= 16
        canvas.endForm()


@cache
def _body_width(word: str) -> float:
    return float(stringWidth(word, _BODY_FONT, _BODY_SIZE))


def _wrap(text: str) -> list[str]:
    """Lines of body text; reportlab's simpleSplit measures every word again (slowly,
    in pure Python without its optional accelerator), the demo's few hundred words are cached."""
    space = _body_width(" ")
    lines: list[str] = []
    line: list[str] = []
    width = 0.0
    for word in text.split(" "):
        word_width = _body_width(word)
        if line and width + space + word_width > _TEXT_WIDTH:
            lines.append(" ".join(line))
            line, width = [word], word_width
        else:
            width += (space if line else 0.0) + word_width
            line.append(word)
    if line:
        lines.append(" ".join(line))
    return lines


def _fit(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


class _Layout:
    def __init__(self, canvas: Canvas, spec: DemoPdf, *, first_page: int) -> None:
        self.canvas = canvas
        self.spec = spec
        self.first_page = first_page
        self.page = 0  # body page being drawn, from 0
        self.used = 0  # units used on it
        self.pages_drawn = 0
        self.heading_pages: list[int] = []

    @property
    def position(self) -> int:
        return self.page * _UNITS_PER_PAGE + self.used

    def write_body(self, rng: random.Random) -> None:
        for (start_page, end_page), chapter in zip(self._page_budgets(), self._chapters(), strict=True):
            while self.page < start_page:
                self._new_page()
            self._write_chapter(rng, chapter, end=end_page * _UNITS_PER_PAGE)
        while self.page < self.spec.body_pages - 1:
            self._new_page()
        _page_end(self.canvas, self.spec)
        self.pages_drawn = self.page + 1

    def _chapters(self) -> list[list[Heading]]:
        if not self._chapter_per_page():
            return [list(self.spec.headings)]
        chapters: list[list[Heading]] = []
        for heading in self.spec.headings:
            if heading.level == 1 or not chapters:
                chapters.append([])
            chapters[-1].append(heading)
        return chapters

    def _chapter_per_page(self) -> bool:
        chapters = sum(1 for heading in self.spec.headings if heading.level == 1)
        return self.spec.body_pages >= 2 * chapters

    def _page_budgets(self) -> list[tuple[int, int]]:
        """(first page, page after the last) of each chapter: at least one page each, the rest
        shared by the number of sections (largest remainder, so the sum is exact)."""
        chapters = self._chapters()
        total = self.spec.body_pages
        weights = [len(chapter) for chapter in chapters]
        spare = total - len(chapters)
        shares = [spare * weight / sum(weights) for weight in weights]
        pages = [1 + int(share) for share in shares]
        by_remainder = sorted(range(len(chapters)), key=lambda i: shares[i] - int(shares[i]), reverse=True)
        for i in by_remainder[: total - sum(pages)]:
            pages[i] += 1
        budgets, start = [], 0
        for count in pages:
            budgets.append((start, start + count))
            start += count
        return budgets

    def _write_chapter(self, rng: random.Random, headings: list[Heading], *, end: int) -> None:
        # A heading straight followed by a deeper one gets a short introduction only.
        weights = [
            0.5 if i + 1 < len(headings) and headings[i + 1].level > heading.level else 1.0
            for i, heading in enumerate(headings)
        ]
        start, done = self.position, 0.0
        for i, heading in enumerate(headings):
            done += weights[i]
            limit = end if i == len(headings) - 1 else start + int((end - start) * done / sum(weights))
            self._heading(heading)
            # "Inleiding" names no topic of its own: the course's words stand in.
            keywords = heading.keywords or self.spec.terms[:3]
            intro = section_intro(language=self.spec.language, keywords=keywords)
            sentences = [intro, *self._paragraph(rng, keywords)]
            while self._paragraph_place(sentences, limit=limit) == len(sentences):
                sentences = self._paragraph(rng, keywords)

    def _paragraph(self, rng: random.Random, keywords: Sequence[str]) -> list[str]:
        return paragraph(rng, language=self.spec.language, keywords=keywords, terms=self.spec.terms)

    def _heading(self, heading: Heading) -> None:
        font, size, before, units = _HEADINGS[heading.level]
        if self.used and self.used + before + units + 4 > _UNITS_PER_PAGE:
            self._new_page()
        if self.used:
            self.used += before
        y = _TOP - self.used * _UNIT - size
        self.canvas.setFont(font, size)
        self.canvas.drawString(_LEFT, y, _fit(heading.title, font, size, _TEXT_WIDTH))
        key = f"h{len(self.heading_pages)}"
        self.canvas.bookmarkHorizontal(key, 0, y + size + 6)
        self.canvas.addOutlineEntry(heading.title, key, level=heading.level - 1, closed=False)
        self.heading_pages.append(self.first_page + self.page)
        self.used += units

    def _paragraph_place(self, sentences: list[str], *, limit: int) -> int:
        """Draw the longest run of whole sentences that ends before ``limit``; how many fit."""
        for count in range(len(sentences), 0, -1):
            lines = _wrap(" ".join(sentences[:count]))
            if self._end_after(len(lines)) <= limit:
                for line in lines:
                    if self.used + 2 > _UNITS_PER_PAGE:
                        self._new_page()
                    self.canvas.setFont(_BODY_FONT, _BODY_SIZE)
                    self.canvas.drawString(_LEFT, _TOP - self.used * _UNIT - _BODY_SIZE, line)
                    self.used += 2
                self.used = min(self.used + 1, _UNITS_PER_PAGE)
                return count
        return 0

    def _end_after(self, lines: int) -> int:
        page, used = self.page, self.used
        for _ in range(lines):
            if used + 2 > _UNITS_PER_PAGE:
                page, used = page + 1, 0
            used += 2
        return page * _UNITS_PER_PAGE + min(used + 1, _UNITS_PER_PAGE)

    def _new_page(self) -> None:
        _page_end(self.canvas, self.spec)
        self.page += 1
        self.used = 0
