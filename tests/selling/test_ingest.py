"""`manage.py ingest FILE [FILE …] --seller EMAIL --json`: the pipeline for staff's bulk imports."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from studymarket.accounts.models import SellerProfile
from studymarket.documents.models import DocumentVersion, VersionStatus
from tests.documents import hostile
from tests.factories import SellerFactory, UserFactory
from tests.pdfs import pdf_bytes

pytestmark = pytest.mark.django_db


def _ingest(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("ingest", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_each_file_gets_one_json_line(tmp_path):
    user = UserFactory(email="import@example.test", first_name="Ina", last_name="Import")
    good = tmp_path / "samenvatting.pdf"
    good.write_bytes(pdf_bytes(pages=3))
    locked = tmp_path / "beveiligd.pdf"
    locked.write_bytes(hostile.encrypted_pdf())
    picture = tmp_path / "foto.pdf"
    picture.write_bytes(hostile.png_bytes())

    lines = _ingest(
        str(good), str(locked), str(picture), str(tmp_path / "weg.pdf"), "--seller", user.email, "--json"
    )

    assert [(line["file"], line["status"], line["reason"]) for line in lines] == [
        (str(good), "published", ""),
        (str(locked), "rejected", "encrypted"),
        (str(picture), "rejected", "not_pdf"),
        (str(tmp_path / "weg.pdf"), "rejected", "not_found"),
    ]
    assert "wachtwoord" in lines[1]["message"]
    version = DocumentVersion.objects.get(pk=lines[0]["version_id"])
    assert (version.status, version.page_count, lines[0]["page_count"]) == (VersionStatus.ACCEPTED, 3, 3)
    assert version.original_name == "samenvatting.pdf"
    # The user became a seller, and owns what was imported.
    assert SellerProfile.objects.get(user=user).display_name == "Ina Import"
    assert version.document.seller.user == user


def test_an_existing_seller_keeps_their_profile(tmp_path):
    seller = SellerFactory()
    path = tmp_path / "notities.pdf"
    path.write_bytes(pdf_bytes(pages=1))

    (line,) = _ingest(str(path), "--seller", seller.user.email.upper(), "--json")

    assert line["status"] == "published"
    assert SellerProfile.objects.filter(user=seller.user).count() == 1


def test_a_path_with_folders_is_stored_by_its_hash(tmp_path):
    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd.pdf").write_bytes(pdf_bytes(pages=1))
    seller = SellerFactory()

    (line,) = _ingest(
        str(folder / ".." / ".." / "etc" / "passwd.pdf"), "--seller", seller.user.email, "--json"
    )

    version = DocumentVersion.objects.get(pk=line["version_id"])
    assert version.original_name == "passwd.pdf"
    assert version.file.name == f"documents/{version.document_id}/{version.sha256}.pdf"


def test_without_json_one_readable_line_per_file(tmp_path):
    seller = SellerFactory()
    path = tmp_path / "leeg.pdf"
    path.write_bytes(b"")
    out = io.StringIO()

    call_command("ingest", str(path), "--seller", seller.user.email, stdout=out)

    assert out.getvalue().startswith(f"{path}: rejected (empty: Het bestand is leeg.")


def test_an_unknown_seller_stops_the_command(tmp_path):
    with pytest.raises(CommandError, match="nobody@example.test"):
        call_command("ingest", str(tmp_path / "x.pdf"), "--seller", "nobody@example.test", "--json")


def test_a_short_or_taken_name_still_makes_a_seller(tmp_path):
    SellerFactory(display_name="ab")
    user = UserFactory(email="ab@example.test")
    path = tmp_path / "notities.pdf"
    path.write_bytes(pdf_bytes(pages=1))

    (line,) = _ingest(str(path), "--seller", user.email, "--json")

    assert line["status"] == "published"
    assert SellerProfile.objects.get(user=user).display_name == f"ab {user.pk}"
