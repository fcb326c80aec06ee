"""The language a document is written in, for the quality card (py3langid: its model ships in
the wheel and runs offline)."""

import functools
from typing import Any

# The languages studied in the Netherlands and Belgium; restricting the model to them makes it
# surer (a Dutch text is never taken for Afrikaans).
LANGUAGES = ("nl", "en", "fr", "de")
# Enough text to be sure; the identifier reads it byte by byte in Python.
_SAMPLE_CHARS = 6000
_MIN_LETTERS = 40
_MIN_PROBABILITY = 0.7


@functools.cache
def _identifier() -> Any:
    # Imported here, not at the top: numpy and the model are for the worker's upload pass only,
    # and the web processes reach this module through the URLconf.
    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]
    from py3langid.modelio import load_model  # type: ignore[import-untyped]

    # Built from our languages' columns only: set_languages() would keep the full model (27 MB
    # of the worker's memory) next to them for as long as the worker lives.
    weights, priors, classes, next_move, row, output = load_model(MODEL_DIR / MODEL_FILE)
    keep = [index for index, code in enumerate(classes) if code in LANGUAGES]
    return LanguageIdentifier(
        np.asarray(weights)[:, keep],
        np.asarray(priors)[keep],
        [classes[index] for index in keep],
        next_move,
        output,
        norm_probs=True,
        tk_row=row,
    )


def text_language(texts: list[str]) -> str:
    """The language code of the texts (the pages of one document), or "" when unsure.

    Samples from the whole document, not only its first pages, which are often a title page
    and a table of contents.
    """
    texts = [text for text in texts if text.strip()]
    if not texts:
        return ""
    share = max(_SAMPLE_CHARS // min(len(texts), 12), 200)
    step = max(len(texts) // 12, 1)
    sample = "\n".join(text[:share] for text in texts[::step])[:_SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < _MIN_LETTERS:
        return ""
    language, probability = _identifier().classify(sample)
    return str(language) if probability >= _MIN_PROBABILITY else ""
