"""The demo's accounts. All share one password so a developer can log in as any of them."""

from dataclasses import dataclass

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

BUYERS = {
    spec.key: spec
    for spec in (
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
}
