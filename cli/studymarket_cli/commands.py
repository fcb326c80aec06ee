"""The commands besides `upload`: login, logout, status, sales, earnings, courses.

Each takes its parsed arguments and a function to print with, and raises CliError to stop."""

import getpass
import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

from studymarket_cli.client import ApiClient
from studymarket_cli.config import (
    DEFAULT_SITE,
    Settings,
    config_path,
    settings_delete,
    settings_read,
    settings_require,
    settings_save,
    site_normalize,
)
from studymarket_cli.errors import CliError
from studymarket_cli.formats import money_text
from studymarket_cli.upload import absolute_url, course_line

Out = Callable[[str], None]

_MONTHS = "januari februari maart april mei juni juli augustus september oktober november december".split()


def date_text(value: str | None) -> str:
    """ "30 juli 2021" for an ISO timestamp, in this computer's time zone; "" for none."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def login(*, site: str | None, out: Out, ask: Callable[[str], str] = input) -> None:
    """Ask for the site and a token, check the token with /me, keep both (mode 0600)."""
    chosen = site or os.environ.get("STUDYMARKET_URL")
    if not chosen:
        chosen = ask(f"Adres van de site [{DEFAULT_SITE}]: ").strip() or DEFAULT_SITE
    chosen = site_normalize(chosen)
    out(f"Maak een token met het recht 'Verkopen' op {chosen}/account/tokens/ en plak hem hier.")
    token = getpass.getpass("Token: ").strip()
    if not token:
        raise CliError("Je gaf geen token. Maak er een op de site en probeer het opnieuw.")
    with ApiClient(site=chosen, token=token) as client:
        me = client.get("/me")
    path = settings_save(Settings(site=chosen, token=token))
    who = me.get("name") or me.get("email") or "je"
    out(f"Ingelogd op {chosen} als {who}. De token staat in {path}.")
    if not me.get("seller"):
        out(f"Je bent nog geen verkoper: maak je verkopersprofiel aan op {chosen} voordat je uploadt.")
    elif "sell" not in (me.get("scopes") or []):
        out("Deze token mag niet verkopen: maak er een met het recht 'Verkopen' om te kunnen uploaden.")


def logout(*, out: Out) -> None:
    saved = settings_read()
    if not settings_delete():
        out("Je was niet ingelogd op deze computer.")
        return
    site = saved.site if saved else DEFAULT_SITE
    out(
        f"Uitgelogd: de token is van deze computer verwijderd ({config_path()}). "
        f"Gebruik je hem nergens meer? Trek hem dan in op {site}/account/tokens/."
    )


def client_open() -> ApiClient:
    settings = settings_require()
    return ApiClient(site=settings.site, token=settings.token)


def _price(document: dict[str, Any]) -> str:
    cents = document.get("price_cents")
    return money_text(cents) if isinstance(cents, int) else "—"


def status(*, document_id: int | None, out: Out) -> None:
    with client_open() as client:
        if document_id is not None:
            _status_one(client.get(f"/seller/documents/{document_id}"), site=client.site, out=out)
            return
        documents = list(client.pages("/seller/documents"))
    if not documents:
        out(
            "Je hebt nog geen documenten. Upload er een met: "
            "studymarket upload BESTAND --title … --price … --course …"
        )
        return
    out(f"{'ID':>6}  {'Status':<24}  {'Prijs':>10}  Titel")
    for document in documents:
        title = document.get("title") or "(nog zonder titel)"
        state = str(document.get("status_text") or document.get("status", ""))
        out(f"{document.get('id', ''):>6}  {state:<24}  {_price(document):>10}  {title}")


def _status_one(document: dict[str, Any], *, site: str, out: Out) -> None:
    out(f"Document {document.get('id')}: {document.get('title') or '(nog zonder titel)'}")
    state = str(document.get("status_text") or document.get("status", ""))
    out(f"  Status:   {state}")
    out(f"  Online:   {'ja' if document.get('published') else 'nee'}")
    out(f"  Prijs:    {_price(document)}")
    if document.get("page_count"):
        out(f"  Pagina's: {document['page_count']}")
    if document.get("url"):
        out(f"  Adres:    {absolute_url(site, str(document['url']))}")
    if document.get("refusal_reason"):
        out(f"  Reden:    {document['refusal_reason']}")


def sales(*, out: Out) -> None:
    with client_open() as client:
        rows = list(client.pages("/seller/sales"))
    if not rows:
        out("Nog geen verkopen.")
        return
    out(f"{'Datum':<18}  {'Prijs':>10}  {'Jij krijgt':>10}  Document")
    for sale in rows:
        note = " (terugbetaald)" if sale.get("refunded") else ""
        out(
            f"{date_text(sale.get('date')):<18}  {money_text(int(sale.get('price_cents') or 0)):>10}  "
            f"{money_text(int(sale.get('seller_share_cents') or 0)):>10}  {sale.get('title', '')}{note}"
        )
    kept = [sale for sale in rows if not sale.get("refunded")]
    share = sum(int(sale.get("seller_share_cents") or 0) for sale in kept)
    out(f"{plural(len(kept), 'verkoop', 'verkopen')}, samen {money_text(share)} voor jou.")


def earnings(*, out: Out) -> None:
    with client_open() as client:
        balance = client.get("/seller/earnings")
    currency = str(balance.get("currency") or "EUR")
    # The words of the site's "Mijn verdiensten".
    rows = [
        ("In de garantietermijn", "held_cents"),
        ("Beschikbaar", "available_cents"),
        ("Uitbetaald", "paid_out_cents"),
    ]
    if balance.get("debt_cents"):
        rows.append(("Te verrekenen", "debt_cents"))
    width = max(len(label) for label, _ in rows) + 1
    for label, key in rows:
        out(f"{label + ':':<{width}}  {money_text(int(balance.get(key) or 0), currency):>12}")


def courses(*, query: str, out: Out) -> None:
    with client_open() as client:
        body = client.get("/courses", params={"q": query, "page": 1})
    found = list(body.get("items") or [])
    if not found:
        out(f"Geen vak gevonden voor '{query}'.")
        return
    for course in found:
        out(course_line(course))
    count = int(body.get("count") or len(found))
    if count > len(found):
        out(f"… en nog {count - len(found)}; maak je zoekterm preciezer.")
