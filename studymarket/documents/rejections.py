"""What the seller reads when an upload is refused or failed: one message per reason code
(documents/reasons.py), saying what went wrong and what they can do about it."""

from typing import Any

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from studymarket.documents.reasons import Reason

MESSAGES: dict[Reason, Promise] = {
    Reason.EMPTY: _("Het bestand is leeg. Kies het bestand opnieuw en probeer het nog eens."),
    Reason.TOO_LARGE: _(
        "Het bestand is groter dan %(max_mb)s MB. Verklein de afbeeldingen of splits het document, "
        "en upload het opnieuw."
    ),
    Reason.NOT_PDF: _(
        "Dit is geen PDF-bestand%(detected)s. Sla je document op als PDF (in Word: Bestand > Opslaan als > "
        "PDF) en upload het opnieuw."
    ),
    Reason.POLYGLOT: _(
        "Dit bestand begint niet als een PDF: er staat iets anders vóór de PDF-gegevens. Open het in een "
        "PDF-lezer, sla het opnieuw op als PDF en upload het dan."
    ),
    Reason.UNSUPPORTED_TYPE: _(
        "Dit soort bestand kunnen we niet verkopen. Upload een PDF, of een Word- (.docx) of "
        "OpenDocument-bestand (.odt)."
    ),
    Reason.UNSAFE_NAME: _(
        "De bestandsnaam bevat een mappad (zoals ../ of /). Geef het bestand een gewone naam en upload "
        "het opnieuw."
    ),
    Reason.TRUNCATED: _(
        "Het bestand is niet compleet: het houdt halverwege op, bijvoorbeeld omdat het downloaden of "
        "kopiëren werd onderbroken. Sla het document opnieuw op als PDF en upload het nog eens."
    ),
    Reason.UNREADABLE: _(
        "We kunnen dit PDF-bestand niet lezen: het is beschadigd. Sla het document opnieuw op als PDF "
        "en upload het nog eens."
    ),
    Reason.ENCRYPTED: _(
        "Dit PDF-bestand is met een wachtwoord beveiligd. Haal de beveiliging eraf (sla het op zonder "
        "wachtwoord) en upload het opnieuw."
    ),
    Reason.JAVASCRIPT: _(
        "Dit PDF-bestand bevat JavaScript of andere code die iets uitvoert. Dat laten we niet toe. "
        "Sla het document opnieuw op als gewone PDF (bijvoorbeeld via Afdrukken > Opslaan als PDF)."
    ),
    Reason.ZERO_PAGES: _(
        "Dit PDF-bestand heeft geen pagina's. Controleer het document en upload het opnieuw."
    ),
    Reason.TOO_MANY_PAGES: _(
        "Dit document heeft %(count)s pagina's; het maximum is %(max)s. Splits het in delen en upload "
        "die apart."
    ),
    Reason.TOO_COMPLEX: _(
        "Dit PDF-bestand is te zwaar om veilig te verwerken (het vraagt meer dan %(megabytes)s MB "
        "geheugen of zit vreemd in elkaar). Sla het opnieuw op als PDF, met kleinere afbeeldingen, "
        "en upload het nog eens."
    ),
    Reason.TIMEOUT: _(
        "Het verwerken van dit bestand duurde langer dan %(seconds)s seconden en is gestopt. Splits het "
        "document of sla het opnieuw op met kleinere afbeeldingen, en upload het nog eens."
    ),
    Reason.PAGE_TOO_HEAVY: _(
        "Pagina %(page)s van dit PDF-bestand is te zwaar om te tonen: het tekenen ervan duurt langer "
        "dan %(seconds)s seconden, bijvoorbeeld door duizenden doorzichtige lagen over elkaar. Druk "
        "het document af naar een nieuwe PDF (Afdrukken > Opslaan als PDF) of vlak de transparantie "
        "af (in Acrobat: Transparantie afvlakken), en upload het opnieuw."
    ),
    Reason.CONVERSION_UNAVAILABLE: _(
        "Word- en OpenDocument-bestanden kunnen we nu niet omzetten. Sla je document zelf op als PDF "
        "en upload dat."
    ),
    Reason.CONVERSION_FAILED: _(
        "Het omzetten van je document naar PDF is mislukt. Sla het zelf op als PDF en upload dat."
    ),
    Reason.EXACT_COPY: _(
        "Dit document staat al op het platform (een exacte kopie). Je kunt alleen eigen werk verkopen."
    ),
    Reason.BUYER_COPY: _(
        "Dit bestand is een gekochte kopie van een document op studymarket: er staat het kenmerk van "
        "een bestelling in. Je kunt alleen eigen werk verkopen. We hebben de verkoper van het origineel "
        "laten weten dat er een kopie werd aangeboden."
    ),
    Reason.REJECTED_BY_STAFF: _("Ons team heeft dit document afgewezen: %(note)s"),
    Reason.INTERRUPTED: _("Het verwerken werd onderbroken. We proberen het automatisch opnieuw."),
    Reason.PROCESSING_ERROR: _(
        "Er ging bij ons iets mis tijdens het verwerken. Probeer het later opnieuw; lukt het dan nog "
        "niet, neem contact met ons op."
    ),
}

_UNKNOWN = _("Dit bestand is geweigerd.")
# Parameters a message needs but a stored reason may lack (older rows, a reason without them).
_DEFAULTS: dict[str, Any] = {
    "max_mb": "",
    "count": "",
    "max": "",
    "megabytes": "",
    "seconds": "",
    "note": "",
    "page": "",
}


def reason_text(code: str, params: dict[str, Any] | None = None) -> str:
    """The message for a reason code, in the active language, with its parameters filled in."""
    try:
        message = MESSAGES[Reason(code)]
    except ValueError:
        return str(_UNKNOWN)
    # A fraction as the reader writes it ("0,5" in Dutch).
    values = {
        **_DEFAULTS,
        **{
            key: formats.localize(value) if isinstance(value, float) else value
            for key, value in (params or {}).items()
        },
    }
    detected = values.get("detected")
    # "(het lijkt een PNG-afbeelding)" only when the kind of file was recognised.
    values["detected"] = gettext(" (het lijkt een %(kind)s-bestand)") % {"kind": detected} if detected else ""
    return str(message) % values
