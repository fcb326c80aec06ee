"""How text becomes words (analysis.py): folding, stems, course codes, snippets."""

from studymarket.search import analysis


def _plan(text: str) -> list[list[list[str]]]:
    return [
        [[w.plain for w in alternative] for alternative in group.alternatives]
        for group in analysis.query_plan(text)
    ]


def test_words_are_folded_and_lowercased():
    assert _plan("België COËFFICIËNT") == [[["belgie"]], [["coefficient"]]]


def test_a_course_code_with_a_space_may_also_be_one_word():
    assert _plan("MAN 3025 statistiek") == [[["man", "3025"], ["man3025"]], [["statistiek"]]]
    assert _plan("MAN3025") == [[["man3025"]]]
    assert _plan("3025 MAN") == [[["3025"]], [["man"]]]


def test_each_word_has_a_dutch_and_an_english_stem():
    (group,) = analysis.query_plan("verkopen")
    (word,) = group.words()
    assert word.stems == {"nl": "verkoop", "en": "verkopen"}
    (group,) = analysis.query_plan("management")
    assert group.words()[0].stems["en"] == "manag"


def test_query_syntax_and_overlong_words_are_dropped():
    assert _plan('title:"x" AND (y* OR -z)') == [[["title"]], [["x"]], [["and"]], [["y"]], [["or"]], [["z"]]]
    assert _plan("a" * 41 + " kort") == [[["kort"]]]
    assert len(analysis.query_plan(" ".join(f"woord{n}" for n in range(50)))) == analysis.MAX_QUERY_WORDS


def test_course_code_normalise():
    assert {
        analysis.course_code_normalise(c) for c in ("MAN 3025", "man-3025", "MAN3025", " Man 30 25 ")
    } == {"man3025"}


def test_typo_tolerance_only_for_long_words_without_digits():
    words = {w.plain: w for w in analysis.plan_words(analysis.query_plan("abc abcd abcdefgh ab12cd"))}
    assert {p: analysis.fuzzy_allowed(w) for p, w in words.items()} == {
        "abc": False,
        "abcd": True,
        "abcdefgh": True,
        "ab12cd": False,
    }
    assert (analysis.fuzzy_distance(words["abcd"]), analysis.fuzzy_distance(words["abcdefgh"])) == (1, 2)


def test_snippet_marks_every_form_of_the_words_around_the_first():
    words = analysis.plan_words(analysis.query_plan("verkoop belgie"))
    text = "In België verkopen we veel; de verkoop groeit."
    assert analysis.snippet_html(text, words) == (
        "In <mark>België</mark> <mark>verkopen</mark> we veel; de <mark>verkoop</mark> groeit."
    )


def test_a_long_page_gives_a_short_snippet_cut_on_words():
    words = analysis.plan_words(analysis.query_plan("kraljic"))
    text = "begin " + "woord " * 100 + "de Kraljic-matrix " + "einde " * 100
    snippet = analysis.snippet_html(text, words)
    assert snippet.startswith("… woord ")
    assert snippet.endswith(" einde …")
    assert "de <mark>Kraljic</mark>-matrix" in snippet
    assert len(snippet) < analysis.SNIPPET_BEFORE + analysis.SNIPPET_AFTER + 40


def test_no_match_no_snippet():
    assert analysis.snippet_html("niets te zien", analysis.plan_words(analysis.query_plan("kraljic"))) == ""
