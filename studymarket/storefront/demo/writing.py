"""Body text for the demo PDFs: plausible study prose from small hand-written pools.

Everything is drawn from a ``random.Random`` seeded by the caller, so the same
document gets the same words on every run (and the same SHA-256).
"""

import random
import re
from collections.abc import Sequence

# {kw}: a word from the section's heading; {term}, {other}: words from the course.
_SENTENCES_NL = (
    "In dit onderdeel staat {kw} centraal.",
    "Het begrip {kw} wordt in de les uitgelegd aan de hand van een voorbeeld uit de praktijk.",
    "Voor het examen moet je de definitie van {kw} kennen en kunnen toepassen op een casus.",
    "De docent benadrukte dat {kw} niet los te zien is van {term}.",
    "Een veelgemaakte fout is {kw} te verwarren met {other}.",
    "Samengevat helpt {kw} om keuzes te onderbouwen en prioriteiten te stellen.",
    "In het handboek wordt {kw} uitgewerkt in drie stappen: analyseren, plannen en evalueren.",
    "Wie {kw} begrijpt, ziet sneller het verband met {term}.",
    "Tijdens de oefensessie pasten we {kw} toe op een bedrijf uit de regio.",
    "Let op: bij {kw} gaat het niet om één vaste regel, maar om een afweging.",
    "Het schema in de les toonde hoe {kw} en {other} elkaar beïnvloeden.",
    "Een goed voorbeeld van {term} vind je in de casus die in week drie werd besproken.",
    "De theorie rond {term} is vooral nuttig als je haar koppelt aan concrete cijfers.",
    "Vaak wordt gevraagd om {term} in eigen woorden uit te leggen.",
    "Schrijf bij elk begrip een kort voorbeeld op; dat helpt bij het studeren.",
    "Dit deel sluit aan bij wat eerder over {other} werd gezegd.",
    "Op het examen kwam vorig jaar een open vraag over {kw}.",
    "Maak een overzicht van de voor- en nadelen van {term}.",
    "De notities uit de les vullen hier het handboek aan.",
    "Volgens de docent is dit een van de belangrijkste onderdelen van het vak.",
    "In de praktijk blijkt {term} minder eenvoudig dan het model doet vermoeden.",
    "Vergelijk {kw} met {other}: waar zitten de verschillen, en waar de overeenkomsten?",
    "Denk bij {kw} aan wie beslist, wie betaalt en wie er de gevolgen van draagt.",
    "Een handige ezelsbrug: eerst het doel, dan de middelen, dan de meting.",
    "Het model is een vereenvoudiging, maar het maakt de discussie over {term} helder.",
    "Werk de oefening uit het boek zelf uit voordat je de oplossing bekijkt.",
    "Hier volgt een korte herhaling van de kernbegrippen rond {kw}.",
    "Wie de samenhang tussen {kw} en {term} kan uitleggen, heeft de stof goed begrepen.",
)

_SENTENCES_EN = (
    "This part is about {kw}.",
    "The lecture introduced {kw} with an example from practice.",
    "For the exam you should be able to define {kw} and apply it to a case.",
    "The lecturer stressed that {kw} cannot be separated from {term}.",
    "A common mistake is to confuse {kw} with {other}.",
    "In short, {kw} helps to justify choices and set priorities.",
    "The textbook works out {kw} in three steps: analyse, plan and evaluate.",
    "Once you understand {kw}, the link with {term} becomes much clearer.",
    "In the tutorial we applied {kw} to a company from the region.",
    "Note that {kw} is not a fixed rule but a trade-off.",
    "The diagram from the lecture shows how {kw} and {other} influence each other.",
    "A good example of {term} is the case discussed in week three.",
    "The theory of {term} is most useful when you connect it to real figures.",
    "Exam questions often ask you to explain {term} in your own words.",
    "Write a short example next to every concept; it helps when revising.",
    "This section builds on what was said earlier about {other}.",
    "Last year the exam had an open question on {kw}.",
    "Make a list of the advantages and disadvantages of {term}.",
    "The lecture notes complete the textbook here.",
    "According to the lecturer this is one of the key parts of the course.",
    "In practice {term} turns out to be less simple than the model suggests.",
    "Compare {kw} with {other}: where do they differ, and where do they agree?",
    "A model is a simplification, but it makes the discussion of {term} clear.",
    "Try the exercise from the book yourself before you look at the solution.",
    "What follows is a short review of the key ideas behind {kw}.",
)

_STOPWORDS = frozenset(
    "aan als bij dan de een en hoe het in is naar of op te tot van voor wat wie waarom wanneer met door "
    "deze dit over uit zijn inleiding introduction versus doorheen verandert grondig effectief boeiend "
    "inleidend hoofdstuk tussen "
    "the and of to in for a an on with from by is are what how why chapter".split()
)
_WORD = re.compile(r"[^\W\d_][\w-]*")


def heading_keywords(heading: str) -> list[str]:
    """The telling words of a heading ("Kraljic-matrix", "leveranciersportfolio"), for the body text."""
    candidates = [word for word in _WORD.findall(heading) if word.lower() not in _STOPWORDS]
    telling = [word for word in candidates if len(word) >= 6 or "-" in word or word.isupper()]
    words: list[str] = []
    for word in telling or candidates:
        # Acronyms and names ("DMU", "Kraljic-matrix") keep their capitals; other words read mid-sentence.
        keep = word.isupper() or ("-" in word and word[0].isupper())
        word = word if keep else word.lower()
        if word not in words:
            words.append(word)
    return words


def section_intro(*, language: str, keywords: Sequence[str]) -> str:
    """A first sentence naming every keyword, so a search for any of them finds the section."""
    if len(keywords) > 1:
        joined = ", ".join(keywords[:-1]) + (" en " if language == "nl" else " and ") + keywords[-1]
    else:
        joined = "".join(keywords)
    return ("Kernbegrippen in dit deel: {}." if language == "nl" else "Key terms in this part: {}.").format(
        joined
    )


def paragraph(
    rng: random.Random, *, language: str, keywords: Sequence[str], terms: Sequence[str]
) -> list[str]:
    """Three to six sentences; every paragraph names at least one of ``keywords``."""
    pool = _SENTENCES_NL if language == "nl" else _SENTENCES_EN
    keywords = keywords or terms
    sentences = []
    for n in range(rng.randint(3, 6)):
        template = pool[0] if n == 0 and rng.random() < 0.15 else rng.choice(pool)
        if n == 0 and "{kw}" not in template:
            template = rng.choice([t for t in pool if "{kw}" in t])
        text = template.format(kw=rng.choice(keywords), term=rng.choice(terms), other=rng.choice(terms))
        sentences.append(text[0].upper() + text[1:])
    return sentences
