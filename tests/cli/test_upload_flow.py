"""What `upload` does after processing, by the status the site reports: publish when ready,
keep the details but not publish when held, stop with the reason when refused
(a fake site through httpx.MockTransport; test_live.py runs the ready path on a real one)."""

import json
from pathlib import Path

import httpx
import pytest
from studymarket_cli.client import ApiClient
from studymarket_cli.errors import CliError
from studymarket_cli.upload import UploadRequest, upload_run


def _request(path: Path) -> UploadRequest:
    return UploadRequest(
        path=path,
        title="Marketing",
        price_cents=499,
        course="12",
        document_type="summary",
        academic_year="2025/2026",
        language="nl",
        description="Alles samengevat.",
        preview_pages=None,
        wait_timeout=5,
    )


class FakeSite:
    def __init__(self, status: str, **document: object) -> None:
        self.document = {
            "id": 3,
            "status": status,
            "status_text": "",
            "published": False,
            "url": "",
            **document,
        }
        self.calls: list[str] = []
        self.patched: dict[str, object] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(f"{request.method} {request.url.path}")
        if request.url.path == "/api/v1/courses/12":
            return httpx.Response(200, json={"id": 12, "name": "Marketing"})
        if request.method == "POST" and request.url.path == "/api/v1/seller/documents":
            request.read()
            return httpx.Response(202, json={"id": 3, "status": "processing"})
        if request.method == "PATCH":
            self.patched = json.loads(request.read())
        if request.url.path.endswith("/publish"):
            self.document.update(published=True, url="https://example.test/document/9/marketing/")
        return httpx.Response(200, json=self.document)


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "marketing.pdf"
    path.write_bytes(b"%PDF-1.4 fake")
    return path


def _run(site: FakeSite, request: UploadRequest) -> list[str]:
    lines: list[str] = []
    with ApiClient(
        site="https://example.test", token="smpat_x", transport=httpx.MockTransport(site)
    ) as client:
        upload_run(client, request, out=lines.append)
    return lines


def test_ready_is_described_then_published(pdf):
    site = FakeSite("ready")
    lines = _run(site, _request(pdf))
    assert site.calls[-2:] == ["PATCH /api/v1/seller/documents/3", "POST /api/v1/seller/documents/3/publish"]
    assert site.patched == {
        "title": "Marketing",
        "description": "Alles samengevat.",
        "course_id": 12,
        "document_type": "summary",
        "language": "nl",
        "academic_year": "2025/2026",
        "price_cents": 499,
    }
    assert lines[-1] == "Gepubliceerd: https://example.test/document/9/marketing/"


def test_held_keeps_the_details_and_waits_for_staff(pdf):
    site = FakeSite("held", status_text="Wacht op controle")
    lines = _run(site, _request(pdf))
    assert site.calls[-1] == "PATCH /api/v1/seller/documents/3"
    assert lines[-1] == (
        "Je document wacht op controle door ons team; je hoort van ons per e-mail. "
        "Je beschrijving en prijs zijn bewaard. Volg het met: studymarket status 3"
    )


def test_refused_stops_with_the_reason_and_describes_nothing(pdf):
    site = FakeSite("refused", refusal_reason="Dit document staat al op studymarket.")
    with pytest.raises(CliError) as raised:
        _run(site, _request(pdf))
    assert raised.value.message == "Je document is geweigerd: Dit document staat al op studymarket."
    assert not any(call.startswith("PATCH") for call in site.calls)


def test_a_course_number_that_does_not_exist_uploads_nothing(pdf):
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/courses/12"
        return httpx.Response(
            404, json={"title": "Niet gevonden", "status": 404, "detail": "Dit bestaat niet."}
        )

    lines: list[str] = []
    with ApiClient(
        site="https://example.test", token="smpat_x", transport=httpx.MockTransport(handler)
    ) as client:
        with pytest.raises(CliError, match="Er is geen vak met nummer 12"):
            upload_run(client, _request(pdf), out=lines.append)
    assert lines == []
