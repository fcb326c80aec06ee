"""ADR 0016: the check sees through a new layout and a fifth of the words edited, and leaves
distinct notes that share a course's phrases and definitions alone (bench/originality.py
measures the same on 2,000 documents)."""

import random

import pytest
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from studymarket.documents.originality import Verdict, normalised_words, originality_check, word_spans
from tests.documents.test_originality import make_version, page_texts, stored

pytestmark = pytest.mark.django_db

PLAIN = "De informatie over kosten-baten analyse is financieel efficiënt, zegt het offici\u00eble boek."
# The same sentence as another PDF maker lays it out.
TYPESET = [
    "12\nDe informa-\ntie over kosten-\nbaten analyse is ﬁnancieel eﬃciënt, zegt het\n"
    "officiële boek.\n- 12 -",
    "Pagina 3 van 17\n  o  De informatie over kosten-baten analyse is\u00a0financieel\t"
    "ef\u00adficie\u0308nt,\nzegt het officiële boek.\n3/17",
    "• De  informatie over kostenbaten ana-\n   lyse is financieel efficiënt, zegt het officiële boek.",
]


@pytest.mark.parametrize("text", TYPESET)
def test_a_new_layout_gives_the_same_words(text):
    assert normalised_words(text) == normalised_words(PLAIN) == [
        "de", "informatie", "over", "kostenbaten", "analyse", "is", "financieel", "efficient",
        "zegt", "het", "officiele", "boek",
    ]  # fmt: skip


def test_a_number_alone_on_a_line_inside_the_page_is_text():
    assert normalised_words("Tabel\n12\n14\nEinde") == ["tabel", "12", "14", "einde"]
    assert normalised_words("Tabel\n12\n14") == ["tabel", "12"]  # the last line: a page number


@hypothesis_settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="ab é\u0301-\n\t\u00ad\u200bﬁo12/•.", max_size=80))
@example(text="o a-\n b 1\no-\n2")
def test_word_spans_are_the_normalised_words_and_point_at_them(text):
    spans = list(word_spans(text))

    assert [word for _, _, word in spans] == normalised_words(text)
    for start, end, _ in spans:
        assert text[start:end].strip() == text[start:end] != ""


def _edited(texts: list[str], *, share: float, seed: int) -> list[str]:
    """A fifth of the words replaced, dropped or preceded by a new word, at random places."""
    rng = random.Random(seed)
    out = []
    for text in texts:
        words: list[str] = []
        for word in text.split():
            roll = rng.random()
            if roll >= share:
                words.append(word)
            elif roll < share * 0.6:
                words.append(f"anders{rng.randrange(10**6)}")
            elif roll < share * 0.8:
                continue
            else:
                words += [f"nieuw{rng.randrange(10**6)}", word]
        out.append(" ".join(words))
    return out


def test_a_copy_with_a_fifth_of_its_words_edited_pages_moved_and_cut_is_held():
    texts = page_texts(1, pages=12)
    original = stored(texts)
    copy_texts = _edited(texts, share=0.2, seed=7)
    copy_texts = copy_texts[6:10] + copy_texts[:5]  # pages 6, 11 and 12 cut out, the rest moved
    copy = make_version([f"Samenvatting — p. {n}\n{text}\n{n}" for n, text in enumerate(copy_texts, 1)])

    result = originality_check(version=copy)

    assert result.verdict == Verdict.NEAR
    [match] = result.matches
    assert match.earlier_version_id == original.pk
    assert 0.15 <= match.similarity < 0.4


def test_the_same_text_typeset_again_is_an_exact_copy():
    texts = page_texts(1, pages=4)
    original = stored(texts)
    # Other line breaks, hyphenation, page numbers, bullets.
    copy = make_version(
        [
            f"{n}\n• " + text.replace(" woord1", "\nwoord1").replace("woord2", "woo-\nrd2")
            for n, text in enumerate(texts, 1)
        ]
    )

    result = originality_check(version=copy)

    assert result.verdict == Verdict.EXACT
    assert [m.earlier_version_id for m in result.matches] == [original.pk]


def _course_notes(seed: int, shared: list[str]) -> list[str]:
    """Notes of one course: its 300 words in sentences of their own, with the course's stock
    phrases and a few definitions copied word for word from the textbook."""
    rng = random.Random(seed)
    vocabulary = [f"term{n}" for n in range(300)]
    pages = []
    for _ in range(8):
        sentences = []
        for _ in range(30):
            words = [rng.choice(vocabulary) for _ in range(rng.randint(6, 12))]
            if rng.random() < 0.3:
                words[2:2] = ["de", "wet", "van", "vraag", "en", "aanbod"]
            sentences.append(" ".join(words) + ".")
        sentences[rng.randrange(30)] = rng.choice(shared)
        pages.append(" ".join(sentences))
    return pages


def test_distinct_notes_of_one_course_are_not_held():
    rng = random.Random(3)
    definitions = [" ".join(f"term{rng.randrange(300)}" for _ in range(15)) + "." for _ in range(5)]
    first = stored(_course_notes(1, definitions))
    second = make_version(_course_notes(2, definitions))

    result = originality_check(version=second)

    assert result.verdict == Verdict.UNIQUE
    assert first.pk not in [m.earlier_version_id for m in result.matches]
