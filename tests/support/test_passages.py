import pytest

from studymarket.support import passages
from studymarket.support.passages import Segment, overlap_passages
from tests.documents.test_originality import make_version, page_texts

pytestmark = pytest.mark.django_db


def test_shared_runs_are_marked_with_the_text_as_written():
    new = make_version(
        [
            "Inleiding van mij.\nDe Wet van vraag en aanbod bepaalt de prijs, zegt Smith. Einde.",
            "Niets gedeeld hier.",
        ]
    )
    earlier = make_version(["Volgens het boek: de wet van vraag en aanbod bepaalt de prijs. Zo is het."])

    overlap = overlap_passages(version=new, earlier=earlier)

    [page] = overlap.new.pages
    assert page.number == 1
    assert page.segments == [
        Segment("Inleiding van mij.\n", marked=False),
        Segment("De Wet van vraag en aanbod bepaalt de prijs", marked=True),
        Segment(", zegt Smith. Einde.", marked=False),
    ]
    assert page.marked_words == 9
    assert (overlap.new.marked_words, overlap.new.compared_words, overlap.new.marked_percent) == (9, 18, 50)
    assert overlap.new.pages_with_overlap == 1
    assert [segment.text for segment in overlap.earlier.pages[0].segments if segment.marked] == [
        "de wet van vraag en aanbod bepaalt de prijs"
    ]


def test_texts_sharing_no_run_have_no_passages():
    overlap = overlap_passages(
        version=make_version(page_texts(1, pages=2)), earlier=make_version(page_texts(2))
    )

    assert overlap.new.pages == []
    assert overlap.earlier.pages == []
    assert overlap.new.marked_percent == 0


def test_large_documents_are_cut_off(monkeypatch):
    monkeypatch.setattr(passages, "MAX_WORDS", 500)
    monkeypatch.setattr(passages, "MAX_PAGES_SHOWN", 2)
    texts = page_texts(1, pages=10, words=200)

    overlap = overlap_passages(version=make_version(texts), earlier=make_version(texts))

    assert overlap.new.truncated
    assert overlap.new.compared_words == 500
    assert overlap.new.pages_with_overlap == 3
    assert [page.number for page in overlap.new.pages] == [1, 2]
