"""Text analysis shared by both backends: how words are folded and stemmed, how a user's
query becomes a plan of words, and how a preview page becomes a snippet.

Built on tantivy's analyzers (Rust snowball stemmers, ASCII folding) so that the embedded
index, the query side and the snippets agree on what a "word" is. The PostgreSQL backend
uses the same query plan (words, code alternatives) with PostgreSQL's own dictionaries.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from stdnum import isbn
from tantivy import Filter, TextAnalyzer, TextAnalyzerBuilder, Tokenizer

# Longer words are dropped by the analyzers: nobody searches for 40-letter words, and hostile
# input must not grow the index's term dictionary.
MAX_WORD = 40
# A query uses at most this many words; the rest are ignored (people paste sentences).
MAX_QUERY_WORDS = 12
STEM_LANGUAGES = ("nl", "en")
_STEMMER = {"nl": "dutch", "en": "english"}

_LETTERS = re.compile(r"^[a-z]+$")
_DIGITS = re.compile(r"^[0-9]+$")
_WORD = re.compile(r"\w+", re.UNICODE)


def _builder() -> TextAnalyzerBuilder:
    return (
        TextAnalyzerBuilder(Tokenizer.simple())
        .filter(Filter.remove_long(MAX_WORD))
        .filter(Filter.lowercase())
        .filter(Filter.ascii_fold())
    )


@functools.cache
def analyzer(name: str) -> TextAnalyzer:
    """ "plain" (lowercase, accents folded), "nl" / "en" (plain + that language's stemmer)."""
    if name == "plain":
        return _builder().build()
    return _builder().filter(Filter.stemmer(_STEMMER[name])).build()


def fold(text: str) -> str:
    """Lowercase with accents removed: "België" → "belgie"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def course_code_normalise(code: str) -> str:
    """ "MAN 3025", "man-3025" and "MAN3025" all become "man3025"."""
    return "".join(ch for ch in fold(code) if ch.isalnum())


@dataclass(frozen=True)
class Word:
    """One word of a query: its folded form and its stems (plain form when no stem differs)."""

    plain: str
    stems: dict[str, str]  # language → stem

    def forms(self) -> set[str]:
        return {self.plain, *self.stems.values()}


@dataclass(frozen=True)
class Group:
    """One required part of a query: any of ``alternatives`` matches, each alternative being
    a list of words that must all match. A course code typed with a space ("MAN 3025") is
    one group with two alternatives: man AND 3025, or man3025."""

    alternatives: tuple[tuple[Word, ...], ...]

    def words(self) -> list[Word]:
        return [word for alternative in self.alternatives for word in alternative]


def _word(plain: str) -> Word:
    stems = {}
    for language in STEM_LANGUAGES:
        stemmed = analyzer(language).analyze(plain)
        stems[language] = stemmed[0] if stemmed else plain
    return Word(plain=plain, stems=stems)


# Digits in groups separated by hyphens or spaces, as ISBNs are printed: "978-1-86152-947-3",
# "90 430 3623 X". Only a valid ISBN (check digit) is read as one.
# A leading "ISBN" / "ISBN-13:" goes with it (no listing has the word "isbn" in its text).
_ISBN_WRITTEN = re.compile(
    r"(?:\bisbn(?:-?1[03])?:?\s*)?(?<![0-9A-Za-z])([0-9](?:[- ]?[0-9]){8,11}(?:[- ]?[0-9Xx]))(?![0-9A-Za-z])",
    re.IGNORECASE,
)


def isbns_joined(text: str) -> str:
    """The text with every ISBN written with hyphens or spaces, or as an ISBN-10, replaced by
    its ISBN-13 digits: the form the index holds (catalog stores ISBN-13s), so that
    "978-1-86152-947-3" finds what "9781861529473" finds instead of the words 978, 1, 86152 …"""

    def joined(match: re.Match[str]) -> str:
        compact = isbn.compact(match.group(1))
        if not isbn.is_valid(compact):
            return match.group()
        return str(isbn.to_isbn13(compact))

    return _ISBN_WRITTEN.sub(joined, text)


def query_plan(text: str) -> list[Group]:
    """The user's text as required groups of words. Never raises: anything that is not a word
    is ignored, so no input can break a query."""
    text = isbns_joined(text or "")
    plains = [token for token in analyzer("plain").analyze(text) if token][:MAX_QUERY_WORDS]
    groups: list[Group] = []
    i = 0
    while i < len(plains):
        current = plains[i]
        following = plains[i + 1] if i + 1 < len(plains) else None
        if following is not None and _LETTERS.match(current) and _DIGITS.match(following):
            groups.append(
                Group(
                    alternatives=(
                        (_word(current), _word(following)),
                        (_word(current + following),),
                    )
                )
            )
            i += 2
            continue
        groups.append(Group(alternatives=((_word(current),),)))
        i += 1
    return groups


# Typo tolerance: words this long may be off by one edit, from FUZZY_TWO_EDITS letters by two.
FUZZY_MIN_LENGTH = 4
FUZZY_TWO_EDITS = 8


def fuzzy_allowed(word: Word) -> bool:
    """Short words and numbers must match exactly: "7" is not nearly "8"."""
    return len(word.plain) >= FUZZY_MIN_LENGTH and not any(ch.isdigit() for ch in word.plain)


def fuzzy_distance(word: Word) -> int:
    return 1 if len(word.plain) < FUZZY_TWO_EDITS else 2


def plan_words(plan: list[Group]) -> list[Word]:
    return [word for group in plan for word in group.words()]


# --- Snippets ------------------------------------------------------------------------------

SNIPPET_BEFORE = 60
SNIPPET_AFTER = 160


def language_of(code: str) -> str:
    """The stemmer language for a listing's language code (Dutch unless it is English)."""
    return "en" if (code or "").lower().startswith("en") else "nl"


def _matcher(words: list[Word]) -> Callable[[str], bool]:
    forms = {form for word in words for form in word.forms()}
    prefixes = {word.plain[:3] for word in words}

    def matches(token: str) -> bool:
        folded = token.lower() if token.isascii() else fold(token)
        if folded in forms:
            return True
        if folded[:3] in prefixes and len(folded) <= MAX_WORD:
            for language in STEM_LANGUAGES:
                stemmed = analyzer(language).analyze(folded)
                if stemmed and stemmed[0] in forms:
                    return True
        return False

    return matches


def snippet_html(text: str, words: list[Word]) -> str:
    """A short extract of ``text`` around its first matching word, HTML-escaped, with the
    matching words in <mark>. "" when nothing matches (no extract without a reason)."""
    matches = _matcher(words)
    first = next((m for m in _WORD.finditer(text) if matches(m.group())), None)
    if first is None:
        return ""
    start = max(0, first.start() - SNIPPET_BEFORE)
    end = min(len(text), first.end() + SNIPPET_AFTER)
    # Cut on whitespace so no word is shown half.
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first.start() else first.start()
    if end < len(text):
        space = text.rfind(" ", first.end(), end)
        end = space if space > 0 else end
    parts: list[str] = ["… " if start > 0 else ""]
    position = start
    for match in _WORD.finditer(text, start, end):
        if match.start() < first.start() or not matches(match.group()):
            continue
        parts.append(html.escape(text[position : match.start()]))
        parts.append(f"<mark>{html.escape(match.group())}</mark>")
        position = match.end()
    parts.append(html.escape(text[position:end]))
    if end < len(text):
        parts.append(" …")
    return " ".join("".join(parts).split())
