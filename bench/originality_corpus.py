"""A seeded corpus of course notes and their disguised copies, for bench/originality.py.

Each course has its own vocabulary (compound terms made from Dutch stems, drawn with a Zipf
law as real notes repeat their key terms), a few dozen stock phrases ("de wet van vraag en
aanbod"), definitions that students copy word for word from the same textbook and quotes they
all cite. A document is 5–60 pages of sentence-like text built from patterns over Dutch function
words, general and course words, typeset as a PDF's text layer reads: lines of 70–95
characters, now and then a hyphenated line end, a running header and a page number, bullets.
So distinct documents of one course share much of their vocabulary, short phrases, some whole
definitions and quotes: the hard case for false positives.

A copy starts from the document's plain sentences (never from its typeset text) and is edited
as a copier disguising it would: words replaced, dropped or inserted at random positions (the
worst case for word shingles: real edits cluster in sentences), pages reordered or removed, and
typeset again with other line widths, hyphenation, header, footer, page numbers, bullet
characters, ligatures and white space. Same seed, same corpus, on any machine.
"""

import itertools
import random
from dataclasses import dataclass, field

FUNCTION = {
    "D": "de de de het het een een deze die dit elk".split(),
    "P": "van van in in op voor met aan bij door naar over tot uit tussen onder binnen zonder".split(),
    "C": "en en of maar omdat terwijl waardoor doordat zodat wanneer als".split(),
    "R": "ook vaak altijd niet echter daarom vooral sterk meestal soms nog eerst vervolgens".split(),
    "X": "is is wordt kan moet heeft zijn worden zal blijkt lijkt".split(),
}
GENERAL_NOUNS = (
    "mens tijd jaar manier deel vorm geval vraag antwoord begin einde gevolg oorzaak reden doel "
    "middel rol plaats groep regel stap fase niveau vorm punt kader voorbeeld situatie resultaat "
    "probleem oplossing invloed verband verschil relatie ontwikkeling beeld keuze belang aandacht"
).split()
ADJECTIVES = (
    "belangrijk groot klein nieuw oud hoog laag sterk zwak direct indirect bepaald algemeen "
    "specifiek duidelijk moeilijk eenvoudig centraal economisch sociaal juridisch formeel extern "
    "intern relevant mogelijk noodzakelijk positief negatief kritisch structureel tijdelijk"
).split()
VERBS = (
    "bepaalt beschrijft verklaart beïnvloedt verhoogt verlaagt vormt levert vraagt geeft neemt "
    "stelt maakt toont ontstaat bestaat speelt zorgt leidt biedt vergroot verkleint analyseert "
    "onderscheidt ondersteunt beperkt veroorzaakt vereist bevat omvat betreft"
).split()
STEMS = (
    "markt prijs kost winst vraag aanbod klant product merk waarde risico kapitaal rente bank "
    "contract recht wet straf staat burger macht cel eiwit gen enzym weefsel orgaan bloed hart "
    "zenuw hormoon leer gedrag geheugen taal denk emotie groep norm cultuur beleid zorg patiënt "
    "ziekte therapie data model code net systeem proces logica algoritme bestand energie kracht "
    "massa stroom spanning golf licht warmte druk stof reactie zuur metaal grond water bouw "
    "constructie ontwerp plan project team leider strategie doel budget balans belasting "
    "inkomen arbeid loon handel export import munt inflatie groei crisis schuld"
).split()
SUFFIXES = (
    "beleid analyse structuur theorie functie factor niveau verdeling vorming ontwikkeling "
    "regeling verhouding beheer proces systeem model waarde curve effect principe methode "
    "kosten vraag relatie mechanisme"
).split()
PATTERNS = [
    "D N X A .",
    "D A N V D N .",
    "D N P D N V D A N .",
    "R V D N D N P D N .",
    "D N X R A , C D N V D N .",
    "P D N V D N R D A N .",
    "D N V D N P D N C D N X A .",
    "volgens D N V D A N D N .",
    "D A N X D N P D N .",
    "C D N V , X D N R A .",
]
LIGATURES = {"fi": "\ufb01", "fl": "\ufb02", "ff": "\ufb00"}
BULLETS = ["•", "–", "o", "\uf0b7", "▪", "-", "*"]
SPACES = [" ", " ", " ", " ", "  ", "\u00a0", "\t"]


@dataclass
class Course:
    code: str
    name: str
    terms: list[str]
    cumulative: list[float]  # Zipf weights of the terms, summed (random.choices is O(1) per draw)
    words: set[str]
    phrases: list[str]
    definitions: list[str]
    quotes: list[str]


@dataclass
class Document:
    course: int
    author: str
    # Pages of plain sentences, each sentence a list of words ("." and "," included).
    pages: list[list[list[str]]]
    bullets: set[tuple[int, int]] = field(default_factory=set)  # (page, sentence) set as a bullet


def course_make(rng: random.Random, number: int) -> Course:
    stems = rng.sample(STEMS, 40)
    terms = sorted({rng.choice(stems) + rng.choice(SUFFIXES) for _ in range(260)} | set(stems))
    rng.shuffle(terms)
    cumulative = list(itertools.accumulate(1 / (rank + 1) ** 1.05 for rank in range(len(terms))))
    course = Course(
        code=f"C{number:03d}",
        name=f"{terms[0].capitalize()} en {terms[1]}",
        terms=terms,
        cumulative=cumulative,
        words=set(terms),
        phrases=[],
        definitions=[],
        quotes=[],
    )
    course.phrases = [
        " ".join(_sentence(rng, course, phrases=False)[:-1][: rng.randint(3, 6)]) for _ in range(30)
    ]
    course.definitions = [
        " ".join([rng.choice(["de", "het"]), terms[i], "is"] + _sentence(rng, course, phrases=False)[1:])
        for i in range(40)
    ]
    course.quotes = [
        " ".join(_sentence(rng, course, phrases=False) + _sentence(rng, course, phrases=False))
        for _ in range(8)
    ]
    return course


def _term(rng: random.Random, course: Course) -> str:
    return rng.choices(course.terms, cum_weights=course.cumulative)[0]


def _sentence(rng: random.Random, course: Course, *, phrases: bool = True) -> list[str]:
    words: list[str] = []
    for slot in rng.choice(PATTERNS).split():
        if slot == "N":
            words.append(_term(rng, course) if rng.random() < 0.6 else rng.choice(GENERAL_NOUNS))
        elif slot == "A":
            words.append(rng.choice(ADJECTIVES))
        elif slot == "V":
            words.append(rng.choice(VERBS))
        elif slot in FUNCTION:
            words.append(rng.choice(FUNCTION[slot]))
        else:
            words.append(slot)
    if phrases and rng.random() < 0.35:
        at = rng.randrange(len(words))
        words[at:at] = rng.choice(course.phrases).split()
    return words


def document_make(rng: random.Random, course: int, courses: list[Course]) -> Document:
    info = courses[course]
    page_count = 5 + int(56 * rng.random() ** 1.6)  # 5 to 60, most of them short
    # How much of the textbook a student copies word for word differs from student to student.
    definitions, quotes = rng.uniform(0.02, 0.15), rng.uniform(0.0, 0.03)
    pages = []
    for number in range(page_count):
        sentences: list[list[str]] = []
        if number % rng.randint(3, 6) == 0:
            sentences.append(["hoofdstuk", str(number // 4 + 1), _term(rng, info), "en", _term(rng, info)])
        size, words = rng.randint(260, 380), 0
        while words < size:
            roll = rng.random()
            if roll < definitions:
                sentence = rng.choice(info.definitions).split()
            elif roll < definitions + quotes:
                sentence = ['"', *rng.choice(info.quotes).split(), '"']
            else:
                sentence = _sentence(rng, info)
            sentences.append(sentence)
            words += len(sentence)
        pages.append(sentences)
    document = Document(course=course, author=f"auteur{rng.randrange(10**6)}", pages=pages)
    for p, sentences in enumerate(pages):
        for s in range(len(sentences)):
            if rng.random() < 0.12:
                document.bullets.add((p, s))
    return document


def corpus(seed: int, *, courses: int, documents: int) -> tuple[list[Course], list[Document]]:
    rng = random.Random(seed)
    made = [course_make(rng, n) for n in range(courses)]
    return made, [document_make(rng, n % courses, made) for n in range(documents)]


# -- disguises ----------------------------------------------------------------------------------


def edited(rng: random.Random, document: Document, courses: list[Course], share: float) -> Document:
    """``share`` of the words replaced (60 %), dropped (20 %) or given a new word before them (20 %)."""
    info = courses[document.course]
    pages = []
    for sentences in document.pages:
        new_sentences = []
        for sentence in sentences:
            out: list[str] = []
            for word in sentence:
                if word in {".", ",", '"'} or rng.random() >= share:
                    out.append(word)
                    continue
                roll = rng.random()
                if roll < 0.6:
                    out.append(_other_word(rng, info, word))
                elif roll < 0.8:
                    pass
                else:
                    out.extend([_other_word(rng, info, word), word])
            new_sentences.append(out)
        pages.append(new_sentences)
    return Document(document.course, document.author, pages, set(document.bullets))


def _other_word(rng: random.Random, info: Course, word: str) -> str:
    if word in info.words:
        return _term(rng, info)
    for words in (*FUNCTION.values(), ADJECTIVES, VERBS, GENERAL_NOUNS):
        if word in words:
            return rng.choice(words)
    return rng.choice(GENERAL_NOUNS)


def reordered(rng: random.Random, document: Document) -> Document:
    order = list(range(len(document.pages)))
    while order == sorted(order):
        rng.shuffle(order)
    return _pages_taken(document, order)


def removed(rng: random.Random, document: Document, share: float) -> Document:
    count = len(document.pages)
    keep = max(3, round(count * (1 - share)))
    return _pages_taken(document, sorted(rng.sample(range(count), keep)))


def _pages_taken(document: Document, order: list[int]) -> Document:
    bullets = {(order.index(p), s) for p, s in document.bullets if p in order}
    return Document(document.course, document.author, [document.pages[p] for p in order], bullets)


@dataclass(frozen=True)
class Style:
    width: int
    hyphenate: float
    header: str
    page_numbers: str  # a format with {n} and {total}, or ""
    bullet: str
    ligatures: bool
    spaces: bool


def style_make(rng: random.Random, document: Document, courses: list[Course]) -> Style:
    name = courses[document.course].name
    return Style(
        width=rng.randint(70, 95),
        hyphenate=rng.choice([0.0, 0.15, 0.3]),
        header=rng.choice(["", f"Samenvatting {name}", f"{name} — {document.author}", f"{name} 2025-2026"]),
        page_numbers=rng.choice(["", "{n}", "Pagina {n} van {total}", "- {n} -", "{n}/{total}"]),
        bullet=rng.choice(BULLETS),
        ligatures=rng.random() < 0.5,
        spaces=rng.random() < 0.5,
    )


def typeset(rng: random.Random, document: Document, style: Style) -> list[str]:
    """The page texts a PDF of the document would give, as the pipeline stores them."""
    texts = []
    total = len(document.pages)
    for p, sentences in enumerate(document.pages):
        lines: list[str] = [style.header] if style.header else []
        line: list[str] = []  # the words and gaps of the line being set
        length = 0
        for s, sentence in enumerate(sentences):
            bullet = (p, s) in document.bullets
            if bullet or s == 0:
                if line:
                    lines.append("".join(line))
                line, length = ([style.bullet, " "], len(style.bullet) + 1) if bullet else ([], 0)
            for word in _glued(sentence):
                if style.ligatures:
                    for plain, ligature in LIGATURES.items():
                        word = word.replace(plain, ligature)
                if length + 1 + len(word) <= style.width:
                    if length and line[-1] != " ":
                        line.append(rng.choice(SPACES) if style.spaces else " ")
                        length += 1
                    line.append(word)
                    length += len(word)
                    continue
                if len(word) >= 8 and rng.random() < style.hyphenate:
                    cut = rng.randint(3, len(word) - 3)
                    lines.append("".join(line) + f" {word[:cut]}-")
                    line, length = [word[cut:]], len(word) - cut
                else:
                    lines.append("".join(line))
                    line, length = [word], len(word)
        if line:
            lines.append("".join(line))
        if style.page_numbers:
            lines.append(style.page_numbers.format(n=p + 1, total=total))
        texts.append("\n".join(lines))
    return texts


def _glued(sentence: list[str]) -> list[str]:
    """Words with their punctuation attached, the first one capitalised, as text is written."""
    out: list[str] = []
    for word in sentence:
        if word in {".", ","} and out:
            out[-1] += word
        else:
            out.append(word)
    if out:
        out[0] = out[0][:1].upper() + out[0][1:]
    return out


def plain(document: Document) -> list[str]:
    """The page texts with nothing but single spaces between the words."""
    return [" ".join(" ".join(_glued(s)) for s in sentences) for sentences in document.pages]
