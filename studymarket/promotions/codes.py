"""The text of a code: how a typed code is read, which codes a seller may choose, and how a
code nobody can guess is made."""

import re
import secrets

from studymarket.promotions.models import CODE_MAX_LENGTH, CODE_MIN_LENGTH

# No 0/O and 1/I: a generated code is read off a screen or a flyer and typed again.
GENERATED_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
GENERATED_LENGTH = 10  # 32**10 ≈ 10**15 codes: with the rate limits, guessing one is hopeless

_CHOSEN = re.compile(rf"[A-Z0-9]{{{CODE_MIN_LENGTH},{CODE_MAX_LENGTH}}}")


def code_normalise(text: str) -> str:
    """What a buyer typed, as codes are stored: without spaces around or inside, upper-case."""
    return re.sub(r"\s+", "", text).upper()


def code_well_formed(code: str) -> bool:
    """6–20 letters (A–Z) and digits, after code_normalise."""
    return bool(_CHOSEN.fullmatch(code))


def code_generate() -> str:
    return "".join(secrets.choice(GENERATED_ALPHABET) for _ in range(GENERATED_LENGTH))
