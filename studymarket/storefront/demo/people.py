"""The demo's accounts. All share one password so a developer can log in as any of them.

Three roles: sellers, buyers and one staff member. The buyers are the named regular buyers
(who buy across the catalogue and log in to try the library) and a crowd of students behind
the two most popular sellers' sales, so the demo's sellers reach every reputation tier
(catalog/reputation.py) with the sales and reviews their pages show."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

DEMO_PASSWORD = "demo-wachtwoord-2026"
DEMO_EMAIL_DOMAIN = "studymarket.localhost"


@dataclass(frozen=True)
class PersonSpec:
    key: str
    first_name: str = ""
    last_name: str = ""
    display_name: str = ""  # sellers only: the public seller name

    @property
    def email(self) -> str:
        return f"{self.key}@{DEMO_EMAIL_DOMAIN}"


# The reference listing's seller; User.display_name falls back to the e-mail's local part.
REFERENCE_SELLER = PersonSpec("demo-seller", display_name="demo-seller")
# Shown as "demo-reviewer" because the account has no name: see User.display_name.
REFERENCE_REVIEWER = PersonSpec("demo-reviewer")

SELLERS = {
    spec.key: spec
    for spec in (
        REFERENCE_SELLER,
        PersonSpec("demo-sanne", "Sanne", "de Vries", "SamenvattingenSanne"),
        PersonSpec("demo-noah", "Noah", "Janssens", "NotesByNoah"),
        PersonSpec("demo-joris", "Joris", "Bakker", "JurJoris"),
        PersonSpec("demo-mila", "Mila", "Peeters", "MedMila"),
        PersonSpec("demo-emre", "Emre", "Yilmaz", "EconEmre"),
        PersonSpec("demo-paula", "Paula", "Claes", "PsychPaula"),
    )
}

REGULAR_BUYERS = (
    REFERENCE_REVIEWER,
    PersonSpec("demo-buyer-1", "Lotte", "V."),
    PersonSpec("demo-buyer-2", "Daan", "B."),
    PersonSpec("demo-buyer-3", "Emma", "K."),
    PersonSpec("demo-buyer-4", "Sem", "J."),
    PersonSpec("demo-buyer-5", "Julia", "M."),
    PersonSpec("demo-buyer-6", "Milan", "D."),
    PersonSpec("demo-buyer-7", "Noor", "A."),
    PersonSpec("demo-buyer-8", "Bram", "S."),
    PersonSpec("demo-buyer-9", "Fleur", "H."),
    PersonSpec("demo-buyer-10", "Lucas", "P."),
)

_CROWD_FIRST_NAMES = (
    "Anna", "Ruben", "Sophie", "Thijs", "Lieke", "Jesse", "Sara", "Luuk", "Eva", "Stijn",
    "Femke", "Tim", "Iris", "Jasper", "Lisa", "Wout", "Zoë", "Niels", "Amber", "Gijs",
    "Hanna", "Koen", "Yara", "Bas", "Elif", "Mees", "Roos", "Jelle", "Ines", "Arne",
    "Nina", "Pieter", "Lore", "Hamza", "Fenna", "Sven", "Marit", "Ayoub", "Tess", "Robin",
    "Jana", "Kobe", "Evi", "Mats", "Floor", "Senne", "Lara", "Vince", "Esmee", "Rayan",
    "Merel", "Dries", "Nora", "Joep", "Elise", "Siebe", "Lina", "Wessel", "Fay", "Ilias",
    "Saar", "Teun", "Jade", "Cas", "Britt", "Milo", "Liv", "Ward", "Maud", "Oscar",
)  # fmt: skip
_INITIALS = "ABCDEGHJKLMNPRSTVWZ"

# Named "student", not "buyer": they exist to make the two top sellers' figures, not to log in
# with (they can, with the demo password).
CROWD_BUYERS = tuple(
    PersonSpec(f"demo-student-{n}", name, f"{_INITIALS[(n * 7) % len(_INITIALS)]}.")
    for n, name in enumerate(_CROWD_FIRST_NAMES, start=1)
)

BUYERS = {spec.key: spec for spec in (*REGULAR_BUYERS, *CROWD_BUYERS)}

# The back office's demo account (is_staff, two-factor set up with DEMO_STAFF_TOTP_SECRET).
# Made only outside production: a public demonstration (DEMO_MODE) publishes the password,
# and a staff account with a published password and code secret would open its back office.
STAFF = {spec.key: spec for spec in (PersonSpec("demo-staff", "Kim", "Verbeke"),)}
STAFF_JOINED_AT = datetime(2021, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
# The staff account's TOTP secret as an authenticator app asks for it (base32, 20 bytes):
# published like the password, so it is the demo's only, never a real shop's.
DEMO_STAFF_TOTP_SECRET = "STUDYMARKETDEMOSTAFFTOTPSECRETAA"
