"""The two file storages, and the rules for using them whichever kind they are.

Embedded, both are folders on this machine; at scale (STORAGE=s3), both are prefixes of one
S3-compatible bucket, where a stored file has no path on this machine (``Storage.path`` raises
NotImplementedError) and every call is a request over the network that may fail. So:

- code that needs a file on disk (pikepdf, the sandboxed child, a converter) copies it into its
  workspace first (``documents.extraction.stored_file_local``), never asks the storage for a path;
- a private file is sent through ``stored_file_response``: its bytes from a local folder, or a
  redirect to a short-lived pre-signed URL of the bucket, so no web process streams a PDF;
- an object store that does not answer is ``StorageUnavailable``: the person is told to try
  again in a minute (HTTP 503, ``storage_unavailable_page``), and a task leaves its work where
  the reconcile sweeps find it.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Concatenate, ParamSpec, Protocol, cast

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from studymarket.core.errors import ApplicationError

P = ParamSpec("P")

# What a person is told to wait, and what the Retry-After header says (an outage of the store
# or of the network to it is usually over within a minute).
STORAGE_RETRY_SECONDS = 60
# What S3 (and compatible stores) answer when they are overloaded or failing, not refusing.
_UNAVAILABLE_CODES = frozenset(
    {"InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout", "RequestTimeTooSkewed"}
)


def public_storage() -> Storage:
    """Previews and avatars: files anyone may see (STORAGES["public"]).

    A callable, so migrations record the reference and not the configured backend.
    """
    return storages["public"]


def private_storage() -> Storage:
    """Sellers' documents and buyers' copies: never under a public URL."""
    return storages["default"]


def storage_is_local(storage: Storage) -> bool:
    """Whether the storage's files are on this machine (a folder), not in an object store."""
    try:
        storage.path("")
    except NotImplementedError:
        return False
    return True


class StorageUnavailable(ApplicationError):
    """The object store could not be reached or did not answer in time. Nothing was stored or
    sent; the same request a minute later will most likely work."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "We kunnen je bestanden nu even niet bereiken. Er is niets verloren gegaan: "
                "probeer het over een minuut opnieuw."
            )
        )


def storage_unreachable(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) says the object store is down, unreachable or
    overloaded, rather than that the request was wrong (a missing file, a refused key)."""
    seen: BaseException | None = error
    for _depth in range(5):
        if seen is None:
            return False
        if isinstance(seen, StorageUnavailable) or _store_outage(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _store_outage(error: BaseException) -> bool:
    # botocore is loaded by the S3 storage itself; with local files nothing of it is needed.
    try:
        from botocore.exceptions import (  # type: ignore[import-untyped]
            ClientError,
            ConnectionError,
            HTTPClientError,
        )
    except ImportError:  # pragma: no cover - boto3 is a dependency of django-storages[s3]
        return False
    if isinstance(error, ConnectionError | HTTPClientError):  # refused, timed out, cut off
        return True
    if isinstance(error, ClientError):
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        return status >= 500 or error.response.get("Error", {}).get("Code") in _UNAVAILABLE_CODES
    return False


@contextmanager
def storage_reached() -> Iterator[None]:
    """Turn an outage of the object store within the block into StorageUnavailable (whose
    message tells the person what to do); any other error passes as it is."""
    try:
        yield
    except StorageUnavailable:
        raise
    except Exception as error:
        if storage_unreachable(error):
            raise StorageUnavailable from error
        raise


def storage_answers(storage: Storage) -> bool:
    """Whether the storage answers at all (one look-up of a name that need not exist): a task
    asks first, and leaves its work to the reconcile sweep rather than fail it for an outage."""
    try:
        storage.exists("health/probe")
    except Exception as error:
        if storage_unreachable(error):
            return False
        raise
    return True


class _SigningStorage(Protocol):
    # django-storages' S3Storage.url: extra GetObject parameters and an expiry.
    def url(self, name: str, parameters: dict[str, str] | None = None, expire: int | None = None) -> str: ...


def stored_file_response(
    file: FieldFile, *, filename: str, content_type: str, record: Callable[[], object] | None = None
) -> HttpResponseBase:
    """Answer with a privately stored file, as a download named ``filename``: the one place
    that decides how a private file leaves the site (every download view calls it).

    ``record`` runs once the file is known to be there and readable, before the answer, so
    what a download means (the buyer's guarantee ends) is written only for a file that can be
    sent; an exception it raises ends the request with nothing sent.

    - A local folder: the bytes, through this process (FileResponse).
    - Object storage: 302 to a pre-signed GET valid for DOWNLOAD_URL_SECONDS, which makes the
      store answer with the same file name and type. The redirect is never kept by a shared
      cache (the URL is a key to the file for as long as it lives).

    A missing file is FileNotFoundError (a bug or a lost file: 500); a store that does not
    answer is StorageUnavailable (503 through ``storage_unavailable_page``).
    """
    storage, name = file.storage, file.name
    if not name:
        raise FileNotFoundError("no file stored")
    if storage_is_local(storage):
        stored = file.open("rb")  # before ``record``: a file that cannot be read is no download
        try:
            if record is not None:
                record()
        except BaseException:
            stored.close()
            raise
        return FileResponse(stored, as_attachment=True, filename=filename, content_type=content_type)
    with storage_reached():
        if not storage.exists(name):  # one HEAD: the file is there and the store answers
            raise FileNotFoundError(name)
    if record is not None:
        record()
    url = cast(_SigningStorage, storage).url(
        name,
        parameters={
            "ResponseContentDisposition": content_disposition_header(True, filename) or "attachment",
            "ResponseContentType": content_type,
        },
        expire=settings.DOWNLOAD_URL_SECONDS,
    )
    response = HttpResponseRedirect(url)
    patch_cache_control(response, private=True, no_store=True, no_cache=True, max_age=0)
    return response


def storage_unavailable_response(
    request: HttpRequest, error: StorageUnavailable | None = None
) -> HttpResponse:
    """503 with what happened and what to do, a page or (htmx) a fragment, and Retry-After."""
    context = {"message": (error or StorageUnavailable()).message}
    htmx = getattr(request, "htmx", False)
    template = "core/_storage_unavailable.html" if htmx else "core/storage_unavailable.html"
    response = render(request, template, context, status=503)
    response["Retry-After"] = str(STORAGE_RETRY_SECONDS)
    patch_cache_control(response, private=True, no_store=True)
    patch_vary_headers(response, ["HX-Request"])
    return response


def storage_unavailable_page(
    view: Callable[Concatenate[HttpRequest, P], HttpResponseBase],
) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
    """A view decorator: an outage of the object store while the view runs is answered with
    ``storage_unavailable_response`` (503, "probeer het over een minuut opnieuw"), not a 500."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except Exception as error:
            if not storage_unreachable(error):
                raise
            return storage_unavailable_response(
                request, error if isinstance(error, StorageUnavailable) else None
            )

    return wrapped
