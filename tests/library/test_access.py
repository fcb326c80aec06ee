"""Who may read what: every library URL against every role.

A non-entitled user (anonymous, another buyer, the buyer after a refund, another seller, the
document's own seller, staff) gets 404 and no bytes from every reader, page image and download
URL; only the entitled buyer gets the document. The reader page itself sends an anonymous
visitor to log in, and tells the buyer after a refund that access ended (403), both without a
page. Two guards keep the matrix complete: every URL of the library namespace must be in it,
and so must every URL anywhere whose view serves files, unless it is listed here as public by
design.
"""

import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from studymarket.core.storage import private_storage
from studymarket.library.models import StampedCopy
from studymarket.library.reader import reader_page_image
from studymarket.library.services import entitlement_revoke, stamped_copy_build
from tests.factories import SellerFactory, UserFactory
from tests.logins import login
from tests.purchases import listing_with_pdf, purchase

pytestmark = pytest.mark.django_db

TITLE = "Account Management Samenvatting"
NOT_ENTITLED = ["anonymous", "other_buyer", "refunded_buyer", "other_seller", "own_seller", "staff"]
ROLES = ["buyer", *NOT_ENTITLED]


@dataclass(frozen=True)
class World:
    users: dict[str, Any]
    document_id: int
    version_id: int


@pytest.fixture
def world() -> World:
    listing = listing_with_pdf(title=TITLE, pages=2)
    buyer = UserFactory()
    refunded = UserFactory()
    other_buyer = UserFactory()
    line = purchase(buyer=buyer, listing=listing)
    refunded_line = purchase(buyer=refunded, listing=listing)
    purchase(buyer=other_buyer, listing=listing_with_pdf(title="Iets anders", pages=1))
    # Everything a buyer could have had is there: built copies and rendered pages.
    for copy in StampedCopy.objects.filter(version=listing.document.current_version):
        stamped_copy_build(stamped_copy_id=copy.pk)
    version = listing.document.current_version
    assert version is not None
    reader_page_image(version=version, number=1, width=800)
    assert refunded_line.entitlement_id is not None
    assert line.entitlement is not None
    entitlement_revoke(entitlement_id=refunded_line.entitlement_id, reason="refund")
    users = {
        "anonymous": AnonymousUser(),
        "buyer": buyer,
        "refunded_buyer": refunded,
        "other_buyer": other_buyer,
        "other_seller": SellerFactory().user,
        "own_seller": listing.seller.user,
        "staff": UserFactory(is_staff=True, is_superuser=True),
    }
    assert line.entitlement.document_id == listing.document_id
    return World(users=users, document_id=listing.document_id, version_id=version.pk)


@dataclass(frozen=True)
class Case:
    method: str
    args: Callable[[World], list[int]]
    buyer_status: int
    buyer_content_type: str


def _DOCUMENT(world: World) -> list[int]:  # noqa: N802 - reads as a constant in the matrix
    return [world.document_id]


# Every URL of the library namespace, with the requests to make and what the buyer gets.
MATRIX: dict[str, list[Case]] = {
    "library:index": [Case("get", lambda w: [], 200, "text/html; charset=utf-8")],
    "library:read": [Case("get", _DOCUMENT, 200, "text/html; charset=utf-8")],
    "library:page": [Case("get", lambda w: [w.document_id, w.version_id, 1, 800], 200, "image/webp")],
    "library:copy_status": [Case("get", _DOCUMENT, 200, "text/html; charset=utf-8")],
    "library:download": [
        Case("post", _DOCUMENT, 200, "application/pdf"),
        Case("get", _DOCUMENT, 405, "text/html; charset=utf-8"),
    ],
}
# Views outside the library that send files, and why they need no entitlement.
PUBLIC_FILE_VIEWS = {
    "public_media": "the public storage only (previews, avatars); private files: see below",
}
# Files that are not documents, each sent only to the one person it is about; the test that
# proves no one else gets it is named.
OWNER_FILE_VIEWS = {
    "privacy:export_download": "tests/privacy/test_export.py::test_only_its_owner_downloads_it",
    "selling:sell_statement_pdf": "tests/selling/test_earnings_statement.py (only the seller)",
    "selling:sell_statement_csv": "tests/selling/test_earnings_statement.py (only the seller)",
    # The buyer's PDF through the API (a ninja view, which the guard below does not see).
    "api:library_download": "tests/api/test_download.py (the buyer's own token only, as library:download)",
}

_CASES = [(name, case) for name, cases in MATRIX.items() for case in cases]


def _request(client, world: World, role: str, name: str, case: Case) -> HttpResponse:
    user = world.users[role]
    if user.is_authenticated:
        login(client, user)
    response: HttpResponse = getattr(client, case.method)(reverse(name, args=case.args(world)))
    return response


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(("name", "case"), _CASES, ids=[f"{n}-{c.method}" for n, c in _CASES])
def test_the_buyer_gets_the_document(client, world, name, case):
    response = _request(client, world, "buyer", name, case)
    assert (response.status_code, response["Content-Type"]) == (case.buyer_status, case.buyer_content_type)
    body = _body(response)
    if case.buyer_content_type == "application/pdf":
        assert body.startswith(b"%PDF-")
    elif case.buyer_content_type == "image/webp":
        assert body[:4] == b"RIFF"
        assert body[8:12] == b"WEBP"


@pytest.mark.parametrize("role", NOT_ENTITLED)
@pytest.mark.parametrize(("name", "case"), _CASES, ids=[f"{n}-{c.method}" for n, c in _CASES])
def test_no_one_else_gets_a_byte(client, world, role, name, case):
    response = _request(client, world, role, name, case)
    body = _body(response)
    assert b"%PDF" not in body
    assert b"RIFF" not in body
    if (name, role) == ("library:read", "refunded_buyer"):
        # Their own purchase: the reader says that access ended and why (issue 16), no pages.
        assert (response.status_code, response["Content-Type"]) == (403, "text/html; charset=utf-8")
        assert b"Je hebt geen toegang meer tot dit document" in body
        assert b'class="reader-page"' not in body
        return
    assert TITLE.encode() not in body
    if name in ("library:index", "library:read") and role == "anonymous":
        # The way to log in, and back here afterwards (issue 16).
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    elif name == "library:index":
        # The list is everyone's own: empty for them.
        assert response.status_code == 200
    else:
        assert (response.status_code, response["Content-Type"]) == (404, "text/html; charset=utf-8")


def _patterns(
    patterns: list[URLPattern | URLResolver], namespace: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace or "") if n)
            yield from _patterns(pattern.url_patterns, inner)
        elif pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


def test_every_library_url_is_in_the_matrix():
    names = {name for name, _ in _patterns(get_resolver().url_patterns) if name.startswith("library:")}
    assert names == set(MATRIX), "Add the new URL to MATRIX in tests/library/test_access.py"


# What a view that sends a file's bytes says somewhere in its own code.
_SENDS_FILES = re.compile(
    r"FileResponse|StreamingHttpResponse|\bserve\(|application/pdf|image/|private_storage|\.file\.open|reader_page"
    r"|stored_file_response"
)


def test_every_view_that_sends_files_is_in_the_matrix():
    senders = set()
    for name, pattern in _patterns(get_resolver().url_patterns):
        view = inspect.unwrap(pattern.callback)
        if not getattr(view, "__module__", "").startswith("studymarket."):
            continue
        source = inspect.getsource(getattr(view, "view_class", view))
        if _SENDS_FILES.search(source):
            senders.add(name)
    assert {"library:page", "library:download", "public_media"} <= senders  # the guard sees them
    unchecked = senders - set(MATRIX) - set(PUBLIC_FILE_VIEWS) - set(OWNER_FILE_VIEWS)
    assert not unchecked, f"Views that send files without an access test: {sorted(unchecked)}"


def test_private_files_have_no_url(client, world):
    """/media/ serves the public folder only: the buyers' copies, the sellers' files and the
    rendered pages beside it cannot be reached by any path, existing or not."""
    copy = StampedCopy.objects.exclude(file="").get(entitlement__revoked_at__isnull=True)
    private = [
        copy.file.name,
        f"reader/{world.document_id}/{world.version_id}/800/1.webp",
        copy.version.file.name,
    ]
    for name in private:
        assert private_storage().exists(name)
        for path in (f"/media/{name}", f"/media/../private/{name}", f"/media/%2e%2e/private/{name}"):
            response = client.get(path)
            assert b"%PDF" not in _body(response)
            assert b"RIFF" not in _body(response)
            # Django refuses a path out of the folder as suspicious (400), whether the file
            # exists or not: no answer tells a private file is there.
            assert response.status_code == (404 if path == f"/media/{name}" else 400)
            assert client.get(path.replace(name, "copies/0/0/none.pdf")).status_code == response.status_code
