"""The explanation that goes with every data export (GDPR art. 15(1)(a)-(h)): why we hold each
part, who receives it, how long we keep it, where it came from, and the person's rights. One
structure, written out twice: README.json for machines, README.txt for people."""

import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _


def readme_parts() -> dict[str, dict[str, str]]:
    """Per file of the export: purpose, legal basis, recipients, retention, source."""
    fiscal = _("7 jaar na het einde van het boekjaar (NL, art. 52 AWR; 10 jaar voor OSS en in België)")
    return {
        "profile.json": {
            "doel": _("Je account, inloggen, en (als verkoper) je openbare profiel en uitbetalingen."),
            "grondslag": _("Uitvoering van de overeenkomst (AVG art. 6(1)(b))."),
            "ontvangers": _("Niemand buiten studymarket; je verkopersnaam en profiel zijn openbaar."),
            "bewaartermijn": _(
                "Zolang je account bestaat. Handelaarsgegevens (DSA art. 30) tot 6 maanden na het einde."
            ),
            "bron": _("Jijzelf."),
        },
        "orders.json": {
            "doel": _("Je bestellingen leveren en facturen bewaren."),
            "grondslag": _("Overeenkomst (art. 6(1)(b)) en wettelijke plicht (art. 6(1)(c))."),
            "ontvangers": _("De betaaldienst (Mollie) voor de betaling; de Belastingdienst op verzoek."),
            "bewaartermijn": fiscal,
            "bron": _("Jijzelf en de betaaldienst."),
        },
        "payments.json": {
            "doel": _("Betalingen verwerken en controleren."),
            "grondslag": _("Overeenkomst en wettelijke plicht."),
            "ontvangers": _("De betaaldienst (Mollie)."),
            "bewaartermijn": fiscal,
            "bron": _("De betaaldienst."),
        },
        "library.json": {
            "doel": _(
                "Je toegang tot gekochte documenten, je eigen kopie met je naam (tegen lekken) en de "
                "downloads (de tevredenheidsgarantie hangt ervan af)."
            ),
            "grondslag": _("Overeenkomst; gerechtvaardigd belang van verkopers (art. 6(1)(f))."),
            "ontvangers": _("Niemand buiten studymarket."),
            "bewaartermijn": _("Zolang je account bestaat; je kopieën worden bij verwijderen gewist."),
            "bron": _("Jijzelf en studymarket."),
        },
        "reviews.json": {
            "doel": _("Je reviews tonen bij documenten."),
            "grondslag": _("Overeenkomst."),
            "ontvangers": _("Iedereen die het document bekijkt (openbaar)."),
            "bewaartermijn": _("Zolang het document bestaat; na verwijderen zonder je naam."),
            "bron": _("Jijzelf."),
        },
        "refunds.json": {
            "doel": _("Je verzoeken om geld terug afhandelen."),
            "grondslag": _("Overeenkomst en wettelijke plicht."),
            "ontvangers": _("De betaaldienst (voor de terugbetaling)."),
            "bewaartermijn": fiscal,
            "bron": _("Jijzelf, studymarket en de betaaldienst."),
        },
        "discount_codes.json": {
            "doel": _("De kortingscodes die je gebruikte, en (als verkoper) de codes die je maakte."),
            "grondslag": _("Overeenkomst."),
            "ontvangers": _("Niemand buiten studymarket."),
            "bewaartermijn": fiscal,
            "bron": _("Jijzelf."),
        },
        "selling.json": {
            "doel": _("Je documenten verkopen, je verdiensten bijhouden en uitbetalen."),
            "grondslag": _("Overeenkomst en wettelijke plicht (boekhouding)."),
            "ontvangers": _("Je bank of de betaaldienst (uitbetaling); de Belastingdienst op verzoek."),
            "bewaartermijn": fiscal,
            "bron": _("Jijzelf en studymarket."),
        },
        "follows.json": {
            "doel": _("Je e-mailen over nieuwe documenten van wie of wat je volgt."),
            "grondslag": _("Jouw keuze (je kunt ontvolgen)."),
            "ontvangers": _("Niemand buiten studymarket."),
            "bewaartermijn": _("Tot je ontvolgt of je account verwijdert."),
            "bron": _("Jijzelf."),
        },
        "notifications.json": {
            "doel": _("Je in de site laten zien wat er gebeurde (verkopen, reviews, geld terug, meldingen)."),
            "grondslag": _("Uitvoering van de overeenkomst (AVG art. 6(1)(b))."),
            "ontvangers": _("Niemand buiten studymarket."),
            "bewaartermijn": _("Gelezen meldingen een half jaar; alles tot je je account verwijdert."),
            "bron": _("studymarket."),
        },
        "api_tokens.json": {
            "doel": _("Programma's (zoals de studymarket-opdrachtregel) namens jou de API laten gebruiken."),
            "grondslag": _("Uitvoering van de overeenkomst (AVG art. 6(1)(b))."),
            "ontvangers": _("Niemand buiten studymarket."),
            "bewaartermijn": _(
                "Tot je de token intrekt of je account verwijdert. "
                "De token zelf bewaren we nooit, alleen een hash."
            ),
            "bron": _("Jijzelf."),
        },
        "reports.json": {
            "doel": _("Meldingen van illegale inhoud en bezwaren afhandelen (DSA art. 16, 17 en 20)."),
            "grondslag": _("Wettelijke plicht (art. 6(1)(c))."),
            "ontvangers": _("De verkoper krijgt de inhoud van je melding, zonder je naam en e-mailadres."),
            "bewaartermijn": _(
                "Zolang nodig voor de afhandeling en de verantwoording; daarna zonder je naam."
            ),
            "bron": _("Jijzelf."),
        },
        "audit.json": {
            "doel": _("Vastleggen wat er met je account en bestellingen gebeurde (beveiliging, geschillen)."),
            "grondslag": _("Gerechtvaardigd belang (art. 6(1)(f)) en wettelijke plicht."),
            "ontvangers": _("Niemand buiten studymarket."),
            "bewaartermijn": _("Zolang de gegevens waar ze over gaan; na verwijderen zonder je naam."),
            "bron": _("studymarket."),
        },
    }


def readme_intro() -> dict[str, Any]:
    return {
        "verwerkingsverantwoordelijke": settings.OPERATOR_LEGAL_NAME,
        "contact": settings.OPERATOR_EMAIL,
        "uitleg": _(
            "Dit zijn alle gegevens die studymarket over je heeft (AVG art. 15 en 20), als JSON. "
            "Bedragen staan in eurocenten, tijden in ISO 8601."
        ),
        "niet_opgenomen": _(
            "Niet opgenomen: geheimen van de betaaldienst (sleutels en betaallinks), het onzichtbare "
            "kenmerk in je kopieën (dat verraden zou lekken helpen), en gegevens van anderen (aan wie "
            "je iets verkocht)."
        ),
        "rechten": _(
            "Je mag je gegevens laten verbeteren of verwijderen (Account verwijderen), bezwaar maken, en "
            "een klacht indienen bij de Autoriteit Persoonsgegevens of de Gegevensbeschermingsautoriteit."
        ),
        "downloadtermijn": _("Dit bestand wordt %(days)s dagen na het maken verwijderd.")
        % {"days": settings.PRIVACY_EXPORT_DAYS},
    }


def readme_json() -> str:
    return json.dumps({**readme_intro(), "bestanden": readme_parts()}, ensure_ascii=False, indent=2)


def readme_text() -> str:
    intro = readme_intro()
    lines = [str(intro["uitleg"]), "", str(intro["niet_opgenomen"]), "", str(intro["rechten"]), ""]
    lines += [
        str(intro["downloadtermijn"]),
        f"{intro['verwerkingsverantwoordelijke']} <{intro['contact']}>",
        "",
    ]
    labels = {
        "doel": _("Doel"),
        "grondslag": _("Grondslag"),
        "ontvangers": _("Ontvangers"),
        "bewaartermijn": _("Bewaartermijn"),
        "bron": _("Bron"),
    }
    for name, part in readme_parts().items():
        lines.append(name)
        lines += [f"  {labels[key]}: {value}" for key, value in part.items()]
        lines.append("")
    return "\n".join(lines)
