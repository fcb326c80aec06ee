"""What of a locked page goes into the index (ADR 0013).

A locked page's text is never shown, but if all its words were searchable, anyone could test
whether a word occurs behind the paywall (an exam's answer, a name) by searching for it. So a
locked page is indexed with only the words that the document already shows to everyone: its
title, description, course, book, table of contents and preview pages. Search then still says
"p. 37 (alleen voor kopers)" for a word the buyer can see is in the document, and says nothing
about a word that only a buyer could read.
"""

import re
from collections.abc import Iterable

from studymarket.search.analysis import fold

_WORD = re.compile(r"\w+", re.UNICODE)


def public_vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """The folded words of everything the listing shows before purchase."""
    return frozenset(word for text in texts for word in _WORD.findall(fold(text)))


def locked_page_text(text: str, vocabulary: frozenset[str]) -> str:
    """The words of a locked page that are in ``vocabulary``, in page order."""
    return " ".join(word for word in _WORD.findall(text) if fold(word) in vocabulary)


def pages_for_index(pages: list[str], *, preview_page_count: int, public_texts: Iterable[str]) -> list[str]:
    """Preview pages as they are; locked pages (after ``preview_page_count``) cut down to the
    public vocabulary. Page numbers stay where they were."""
    preview = pages[:preview_page_count]
    vocabulary = public_vocabulary([*public_texts, *preview])
    return [*preview, *(locked_page_text(text, vocabulary) for text in pages[preview_page_count:])]
