"""Password rules beyond Django's: a Dutch common-password list, and a strength estimate by zxcvbn.

Django's CommonPasswordValidator knows 20,000 mostly English passwords; Dutch users pick
"wachtwoord123", "welkom2024" or "feyenoord1908". ``DutchCommonPasswordValidator`` refuses the
words of accounts/data/common-passwords-nl.txt with anything but letters around them (digits,
a year, symbols), in any case and with the usual digit-for-letter swaps, so the list holds only
the words. ``PasswordStrengthValidator`` asks zxcvbn (offline: it carries frequency lists of
breached passwords, and finds repeats, keyboard rows, sequences, dates and the user's own
name) for a score and refuses below settings.PASSWORD_MIN_SCORE, saying in Dutch what made
the password weak. The Dutch list is one of zxcvbn's dictionaries too, so "welkom" inside a
longer password counts as the cheap guess it is.

Each refusal gives one explanation: the strength check stays quiet about a password that the
length rule or one of the two lists already refuses.
"""

import re
import threading
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from zxcvbn import matching
from zxcvbn import zxcvbn as zxcvbn_estimate

DUTCH_LIST = Path(__file__).resolve().parent / "data" / "common-passwords-nl.txt"
# zxcvbn refuses longer input; a password this long is judged on its first 72 characters.
ZXCVBN_MAX_LENGTH = 72
SITE_WORDS = ("studymarket",)

# Anything but letters before and after the word ("2024welkom!", "wachtwoord123").
_AROUND = re.compile(r"^[^a-zà-ÿ]+|[^a-zà-ÿ]+$")
# Separators inside ("wacht-woord", "ik hou van jou").
_INSIDE = re.compile(r"[\s\-_.]+")
_LEET = str.maketrans(
    {"4": "a", "@": "a", "3": "e", "1": "i", "!": "i", "0": "o", "$": "s", "5": "s", "7": "t"}
)
_LEET_L = str.maketrans({"1": "l", "|": "l"})

# zxcvbn keeps the user's words in a module-level dictionary that each call replaces.
_zxcvbn_lock = threading.Lock()


@cache
def dutch_words() -> frozenset[str]:
    """The Dutch list, which also becomes zxcvbn's dictionary "nl_common" (ranked as listed)."""
    lines = DUTCH_LIST.read_text(encoding="utf-8").splitlines()
    words = [line.strip().lower() for line in lines if line.strip() and not line.startswith("#")]
    matching.add_frequency_lists({"nl_common": words})
    return frozenset(words)


@cache
def _django_common() -> frozenset[str]:
    return frozenset(password_validation.CommonPasswordValidator().passwords)


def dutch_common_word(password: str) -> str | None:
    """The list word this password is, give or take digits, symbols and letter swaps; else None."""
    words = dutch_words()
    lowered = password.lower().strip()
    for candidate in (lowered, lowered.translate(_LEET_L)):
        bare = _INSIDE.sub("", _AROUND.sub("", candidate))
        for word in (
            bare,
            bare.translate(_LEET),
            _INSIDE.sub("", _AROUND.sub("", candidate.translate(_LEET))),
        ):
            if word in words:
                return word
    return None


class DutchCommonPasswordValidator:
    """Refuses a common Dutch password or word, also with digits, a year or symbols around it."""

    def __init__(self, min_length: int = 12) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if _refused_by_djangos_rules(password, user, min_length=self.min_length):
            return
        if dutch_common_word(password):
            raise ValidationError(
                _(
                    "Dit wachtwoord is een veelgebruikt woord, met hooguit cijfers of tekens erbij. "
                    "Zulke wachtwoorden worden als eerste geraden."
                )
                + " "
                + _advice(),
                code="password_common_dutch",
            )

    def get_help_text(self) -> str:
        return _("Je wachtwoord mag geen veelgebruikt woord zijn, ook niet met cijfers of een jaartal erbij.")


class PasswordStrengthValidator:
    """Refuses a password that zxcvbn scores below ``min_score`` (0-4), with the reason in Dutch."""

    def __init__(self, min_score: int = 3, min_length: int = 12) -> None:
        self.min_score = min_score
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if _refused_by_djangos_rules(password, user, min_length=self.min_length):
            return
        if dutch_common_word(password):
            return  # DutchCommonPasswordValidator explains it
        inputs = _user_inputs(user)
        with _zxcvbn_lock:
            result = zxcvbn_estimate(password[:ZXCVBN_MAX_LENGTH], user_inputs=inputs)
        if result["score"] >= self.min_score:
            return
        message, code = _weakness(password[:ZXCVBN_MAX_LENGTH], result["sequence"])
        raise ValidationError(message + " " + _advice(), code=code)

    def get_help_text(self) -> str:
        return _(
            "Het mag geen herhaling (zoals aaaa), rij toetsen (zoals qwerty) of reeks (zoals 1234) "
            "zijn, en niet lijken op je naam of e-mailadres."
        )


def _refused_by_djangos_rules(password: str, user: Any, *, min_length: int) -> bool:
    """Whether one of Django's validators (configured before ours) refuses this password
    already, with its own explanation: too short, all digits, on its list, like the user's name."""
    if len(password) < min_length or password.isdigit():
        return True
    if password.lower().strip() in _django_common():
        return True
    try:
        password_validation.UserAttributeSimilarityValidator().validate(password, user)
    except ValidationError:
        return True
    return False


def _advice() -> str:
    return _("Kies bijvoorbeeld een zin van vier of meer losse woorden die niet bij elkaar horen.")


def _user_inputs(user: Any) -> list[str]:
    """Words an attacker tries first for this user (ASVS 6.2.11): the site, name and address."""
    words = list(SITE_WORDS)
    if user is None:
        return words
    email = str(getattr(user, "email", "") or "")
    words += [email, email.split("@")[0]]
    words += [str(getattr(user, field, "") or "") for field in ("first_name", "last_name")]
    return [word.lower() for word in words if word]


def _long(matches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Two or three characters in a row ("ab", "ove") are everywhere; only longer runs tell.
    return [match for match in matches if match["j"] - match["i"] + 1 >= 4]


def _coverage(matches: list[dict[str, Any]], length: int) -> float:
    covered: set[int] = set()
    for match in matches:
        covered.update(range(match["i"], match["j"] + 1))
    return len(covered) / length if length else 0.0


def _weakness(password: str, sequence: list[dict[str, Any]]) -> tuple[str, str]:
    """What makes a low-scoring password weak, as a Dutch sentence and a code. A pattern that
    covers half of it or more is named; otherwise the best guess zxcvbn built it from."""
    length = len(password)
    patterns = [
        (
            _long(matching.repeat_match(password)),
            _("Dit wachtwoord herhaalt steeds dezelfde tekens, zoals „aaaa” of „abcabc”."),
            "password_repeats",
        ),
        (
            _long(matching.sequence_match(password)),
            _("Dit wachtwoord is een reeks, zoals „abcd” of „1234”."),
            "password_sequence",
        ),
        (
            _long(matching.spatial_match(password)),
            _("Dit wachtwoord is een rij toetsen op het toetsenbord, zoals „qwerty” of „azerty”."),
            "password_keyboard",
        ),
    ]
    # The pattern covering most of it, if that is more than half (a tie goes to the one first).
    best = max(patterns, key=lambda pattern: _coverage(pattern[0], length))
    if _coverage(best[0], length) > 0.5:
        return best[1], best[2]
    dictionaries = {
        match.get("dictionary_name") for match in sequence if match.get("pattern") == "dictionary"
    }
    if "user_inputs" in dictionaries:
        return (
            _("Dit wachtwoord lijkt te veel op je naam, je e-mailadres of de naam van deze site."),
            "password_personal",
        )
    if "passwords" in dictionaries:
        return (
            _("Dit wachtwoord, of het grootste deel ervan, staat in lijsten van uitgelekte wachtwoorden."),
            "password_breached",
        )
    if dictionaries:
        return (
            _("Dit wachtwoord bestaat uit veelgebruikte woorden, namen of jaartallen en is snel te raden."),
            "password_common_words",
        )
    return _("Dit wachtwoord is te makkelijk te raden."), "password_too_guessable"
