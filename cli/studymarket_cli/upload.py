"""`studymarket upload`: send the file, wait for the site to process it, describe it, publish it.

The course is looked up before a byte is sent, so a typo costs no upload."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

from studymarket_cli.client import ApiClient
from studymarket_cli.errors import CliError
from studymarket_cli.multipart import multipart_file_body

# Statuses the site reports once processing is over (GET /seller/documents/{id}); before: "processing".
FINISHED = frozenset({"ready", "refused", "held", "failed"})
_POLL_FIRST, _POLL_MAX = 0.5, 5.0
# Sending a large file over a slow line takes long; the answer after the last byte does not.
_UPLOAD_TIMEOUT = httpx.Timeout(60.0, connect=10.0, read=300.0)
_COURSES_SHOWN = 10


@dataclass(frozen=True)
class UploadRequest:
    path: Path
    title: str
    price_cents: int
    course: str  # an id, or text to look up
    document_type: str
    academic_year: str
    language: str
    description: str
    preview_pages: int | None
    wait_timeout: float


def course_line(course: dict[str, Any]) -> str:
    """ "  12  Account Management (MAN 3025) — Odisee, Bedrijfsmanagement"."""
    name = str(course.get("name", ""))
    if course.get("code"):
        name += f" ({course['code']})"
    where = ", ".join(str(course[key]) for key in ("institution", "programme") if course.get(key))
    return f"{course.get('id', ''):>6}  {name}" + (f" — {where}" if where else "")


def course_resolve(client: ApiClient, text: str) -> int:
    """A course id as given, or the one course the site finds for the text. Several candidates:
    one whose name or code is exactly the text wins; else they are listed and the command stops."""
    text = text.strip()
    if text.isdigit():
        try:
            return int(client.get(f"/courses/{int(text)}")["id"])
        except CliError as exc:
            if exc.status != 404:
                raise
            raise CliError(
                f"Er is geen vak met nummer {text}. Zoek het juiste nummer met: studymarket courses NAAM"
            ) from None
    body = client.get("/courses", params={"q": text, "page": 1})
    found: list[dict[str, Any]] = list(body.get("items") or [])
    exact = [
        c
        for c in found
        if text.casefold() in (str(c.get("name", "")).casefold(), str(c.get("code", "")).casefold())
    ]
    if len(found) == 1 or len(exact) == 1:
        return int((found if len(found) == 1 else exact)[0]["id"])
    if not found:
        raise CliError(
            f"Geen vak gevonden voor '{text}'. Zoek met een andere naam of code (studymarket courses …), "
            "of voeg het vak toe op de site."
        )
    count = int(body.get("count") or len(found))
    lines = [course_line(course) for course in found[:_COURSES_SHOWN]]
    if count > len(lines):
        lines.append(f"        … en nog {count - len(lines)}; maak je zoekterm preciezer.")
    raise CliError(f"Meerdere vakken passen bij '{text}'. Kies er één met --course ID:\n" + "\n".join(lines))


def document_send(client: ApiClient, path: Path, *, show_progress: bool = True) -> dict[str, Any]:
    """POST the file as multipart `file`, a progress bar following the bytes; the 202 answer."""
    size = path.stat().st_size
    with tqdm(
        total=size, unit="B", unit_scale=True, unit_divisor=1024, desc=path.name, disable=not show_progress
    ) as bar:
        body = multipart_file_body(path, on_bytes=bar.update)
        answer = client.request(
            "POST",
            "/seller/documents",
            content=body.chunks,
            headers={"Content-Type": body.content_type, "Content-Length": str(body.length)},
            timeout=_UPLOAD_TIMEOUT,
        )
    if not isinstance(answer, dict) or "id" not in answer:
        raise CliError(
            "De site bevestigde de upload niet. Kijk met 'studymarket status' of je document toch binnen is."
        )
    return answer


def document_wait(
    client: ApiClient,
    document_id: int,
    *,
    timeout: float,
    report: Callable[[str], None],
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    """Poll until processing is over (ready, refused, held or failed); CliError after ``timeout``."""
    deadline = clock() + timeout
    interval = _POLL_FIRST
    shown = ""
    while True:
        document: dict[str, Any] = client.get(f"/seller/documents/{document_id}")
        status = str(document.get("status", ""))
        if status in FINISHED:
            return document
        text = str(document.get("status_text") or status)
        if text != shown:
            report(f"{text}…")
            shown = text
        if clock() >= deadline:
            # Uploading again would only meet the first copy: the seller finishes on the site.
            where = absolute_url(client.site, str(document.get("url") or ""))
            raise CliError(
                f"Je document wordt nog verwerkt. Kijk later hoe het ervoor staat met: studymarket status "
                f"{document_id}; beschrijf en publiceer het daarna op {where}"
            )
        sleep(min(interval, max(deadline - clock(), 0)))
        interval = min(interval * 2, _POLL_MAX)


def details_payload(request: UploadRequest, *, course_id: int) -> dict[str, object]:
    payload: dict[str, object] = {
        "title": request.title,
        "description": request.description,
        "course_id": course_id,
        "document_type": request.document_type,
        "language": request.language,
        "academic_year": request.academic_year,
        "price_cents": request.price_cents,
    }
    if request.preview_pages is not None:
        payload["preview_page_count"] = request.preview_pages
    return payload


def upload_run(client: ApiClient, request: UploadRequest, *, out: Callable[[str], None]) -> None:
    if not request.path.is_file():
        raise CliError(f"{request.path} bestaat niet of is geen bestand.")
    try:
        request.path.open("rb").close()
    except OSError as exc:
        raise CliError(
            f"Kan {request.path} niet lezen ({exc.strerror}). Controleer de rechten op het bestand."
        ) from exc
    course_id = course_resolve(client, request.course)
    sent = document_send(client, request.path)
    document_id = int(sent["id"])
    out(f"Geüpload (document {document_id}). De site verwerkt het nu.")
    document = document_wait(client, document_id, timeout=request.wait_timeout, report=out)
    status = document["status"]
    if status == "refused":
        reason = document.get("refusal_reason") or document.get("status_text") or ""
        raise CliError(f"Je document is geweigerd: {reason}")
    if status == "failed":
        raise CliError(
            f"Het verwerken is mislukt: {document.get('status_text') or 'onbekende fout'}. "
            "Probeer het opnieuw, of neem contact op met de klantenservice."
        )
    client.patch(f"/seller/documents/{document_id}", json=details_payload(request, course_id=course_id))
    if status == "held":
        out(
            "Je document wacht op controle door ons team; je hoort van ons per e-mail. "
            f"Je beschrijving en prijs zijn bewaard. Volg het met: studymarket status {document_id}"
        )
        return
    published = client.post(f"/seller/documents/{document_id}/publish")
    if not isinstance(published, dict) or not published.get("url"):
        published = client.get(f"/seller/documents/{document_id}")
    out(f"Gepubliceerd: {absolute_url(client.site, str(published.get('url') or ''))}")


def absolute_url(site: str, url: str) -> str:
    """The API sends absolute addresses; a path is read against the site, to be safe."""
    if "://" in url:
        return url
    return f"{site}/{url.lstrip('/')}"
