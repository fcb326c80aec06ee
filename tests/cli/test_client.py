"""The upload body is multipart as Django reads it, streamed with a known length, and every
failure reaches the seller as a message that says what to do (httpx.MockTransport stands in
for the site; tests/cli/test_live.py talks to a real one)."""

import io
from pathlib import Path

import httpx
import pytest
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from studymarket_cli.client import ApiClient
from studymarket_cli.errors import CliError
from studymarket_cli.main import main
from studymarket_cli.multipart import CHUNK_BYTES, multipart_file_body
from studymarket_cli.upload import document_send, document_wait

from tests.smtp import free_port

SITE = "https://example.test"


def _client(handler) -> ApiClient:
    return ApiClient(site=SITE, token="smpat_test", transport=httpx.MockTransport(handler))


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / 'Samenvatting "AM" é.pdf'
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * (CHUNK_BYTES // 64))  # 4 chunks and a bit
    return path


def test_upload_body_is_the_file_as_django_reads_it(pdf):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202, json={"id": 7, "status": "processing"})

    with _client(handler) as client:
        assert document_send(client, pdf, show_progress=False) == {"id": 7, "status": "processing"}
    request = seen[0]
    assert request.url == "https://example.test/api/v1/seller/documents"
    assert request.headers["authorization"] == "Bearer smpat_test"
    assert "transfer-encoding" not in request.headers  # a WSGI server needs the length
    body = request.read()
    assert int(request.headers["content-length"]) == len(body)
    meta = {"CONTENT_TYPE": request.headers["content-type"], "CONTENT_LENGTH": str(len(body))}
    _, files = MultiPartParser(
        meta, io.BytesIO(body), upload_handlers=[MemoryFileUploadHandler()], encoding="utf-8"
    ).parse()
    [uploaded] = files.getlist("file")
    assert uploaded.name == "Samenvatting %22AM%22 é.pdf"
    assert uploaded.content_type == "application/pdf"
    assert uploaded.read() == pdf.read_bytes()


def test_progress_counts_every_byte_of_the_file(pdf):
    counted: list[int] = []
    body = multipart_file_body(pdf, on_bytes=counted.append)
    sent = b"".join(body.chunks)
    assert sum(counted) == pdf.stat().st_size
    assert len(counted) == 5
    assert len(sent) == body.length


def test_a_file_that_shrinks_while_sent_stops_the_upload(pdf):
    body = multipart_file_body(pdf)
    next(body.chunks)
    pdf.write_bytes(b"%PDF-")
    with pytest.raises(CliError, match="korter"):
        b"".join(body.chunks)


def test_problem_detail_is_what_the_seller_reads():
    def handler(request: httpx.Request) -> httpx.Response:
        problem = {"type": "urn:x", "title": "Niet verwerkt", "status": 422, "detail": "Kies een vak."}
        return httpx.Response(422, json=problem, headers={"content-type": "application/problem+json"})

    with _client(handler) as client, pytest.raises(CliError) as raised:
        client.get("/me")
    assert raised.value.message == "Kies een vak."
    assert raised.value.status == 422


def test_field_errors_follow_the_detail():
    def handler(request: httpx.Request) -> httpx.Response:
        problem = {
            "title": "Niet verwerkt",
            "status": 422,
            "detail": "Controleer deze velden: price_cents.",
            "errors": [{"loc": ["body", "price_cents"], "msg": "De prijs is minimaal € 1,00."}],
        }
        return httpx.Response(422, json=problem)

    with _client(handler) as client, pytest.raises(CliError) as raised:
        client.patch("/seller/documents/1", json={})
    assert raised.value.message == (
        "Controleer deze velden: price_cents.\n  price_cents: De prijs is minimaal € 1,00."
    )


def test_title_when_there_is_no_detail_and_a_hint_for_a_refused_token():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"title": "Niet aangemeld", "status": 401})

    with _client(handler) as client, pytest.raises(CliError) as raised:
        client.get("/me")
    assert raised.value.message == (
        "Niet aangemeld\nMaak een nieuwe token op https://example.test/account/tokens/ "
        "en log opnieuw in met: studymarket login"
    )


def test_a_page_that_is_no_api_answer_points_at_the_address():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, text="<html>Not found</html>")

    with _client(handler) as client, pytest.raises(CliError, match=r"onverwacht antwoord \(HTTP 404\)"):
        client.get("/me")


def test_a_redirect_names_the_address_to_use():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"location": "https://www.example.test/api/v1/me"})

    with _client(handler) as client, pytest.raises(CliError, match="stuurt door naar https://www.example"):
        client.get("/me")


def test_no_network_is_said_plainly():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused")

    with _client(handler) as client, pytest.raises(CliError) as raised:
        client.get("/me")
    assert raised.value.message.startswith("Kan https://example.test niet bereiken (Connection refused).")


def test_pages_are_read_until_the_count():
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        items = [{"id": n} for n in range(20 * (page - 1), min(20 * page, 45))]
        return httpx.Response(200, json={"items": items, "count": 45})

    with _client(handler) as client:
        assert [item["id"] for item in client.pages("/seller/sales")] == list(range(45))


def test_waiting_stops_at_a_final_status_and_reports_progress_once():
    answers = iter(["processing", "processing", "ready"])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"id": 3, "status": next(answers), "status_text": "Wordt verwerkt"})

    reported: list[str] = []
    with _client(handler) as client:
        document = document_wait(client, 3, timeout=60, report=reported.append, sleep=lambda s: None)
    assert document["status"] == "ready"
    assert reported == ["Wordt verwerkt…"]


def test_waiting_too_long_says_how_to_look_later():
    def handler(request: httpx.Request) -> httpx.Response:
        document = {"id": 3, "status": "processing", "status_text": "Wordt verwerkt", "url": "/verkopen/3/"}
        return httpx.Response(200, json=document)

    now = iter(range(0, 1000, 10))
    with _client(handler) as client, pytest.raises(CliError) as raised:
        document_wait(
            client, 3, timeout=30, report=lambda s: None, sleep=lambda s: None, clock=lambda: next(now)
        )
    assert raised.value.message == (
        "Je document wordt nog verwerkt. Kijk later hoe het ervoor staat met: studymarket status 3; "
        "beschrijf en publiceer het daarna op https://example.test/verkopen/3/"
    )


def test_usage_errors_exit_with_2_and_help_with_0(capsys):
    assert main(["upload", "x.pdf", "--title", "T", "--course", "1", "--price", "vier"]) == 2
    assert "schrijf bijvoorbeeld 4,99" in capsys.readouterr().err
    assert main(["upload", "x.pdf"]) == 2
    assert main([]) == 2
    assert main(["--help"]) == 0
    assert "upload" in capsys.readouterr().out


def test_not_logged_in_exits_with_1(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("STUDYMARKET_CONFIG", str(tmp_path / "config.json"))
    monkeypatch.delenv("STUDYMARKET_TOKEN", raising=False)
    assert main(["status"]) == 1
    assert capsys.readouterr().err == "Je bent nog niet ingelogd. Log in met: studymarket login\n"


def test_a_site_that_is_not_there_exits_with_1_and_says_what_to_check(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("STUDYMARKET_CONFIG", str(tmp_path / "config.json"))
    monkeypatch.setenv("STUDYMARKET_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("STUDYMARKET_TOKEN", "smpat_test")
    assert main(["earnings"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Kan http://127.0.0.1:")
    assert err.endswith(
        "Controleer je internetverbinding en het adres van de site (studymarket login --site …).\n"
    )
