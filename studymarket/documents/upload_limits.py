"""An upload handler that drops a file over settings.UPLOAD_MAX_BYTES while it arrives.

Django's own handlers would first write the whole body to a temporary file; this one
sits in front of them and skips the file as soon as it is known to be too large (from
the request's Content-Length, else by counting), so its bytes are read and thrown away,
never stored. The other form fields (the CSRF token) are still parsed.

Install it per view, before anything reads request.POST or request.FILES::

    limit = UploadSizeLimit.install(request)
    ...
    if limit.refused: ...
"""

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

# Room for the multipart boundaries, part headers and the small form fields around the
# file. A body larger than the limit plus this cannot hold a file within the limit.
_FORM_OVERHEAD_BYTES = 64 * 1024


class UploadSizeLimit(FileUploadHandler):
    def __init__(self, request: HttpRequest | None = None, *, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.refused: list[str] = []  # names of the files dropped
        self._body_too_large = False
        self._received = 0

    @classmethod
    def install(cls, request: HttpRequest, *, max_bytes: int | None = None) -> "UploadSizeLimit":
        handler = cls(request, max_bytes=settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes)
        # A list until the body is read; Django makes it immutable then, and this would raise.
        request.upload_handlers.insert(0, handler)  # type: ignore[union-attr]
        return handler

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],  # noqa: N803 (Django's name)
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        self._body_too_large = content_length > self.max_bytes + _FORM_OVERHEAD_BYTES

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self._received = 0
        if self._body_too_large:
            self._refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self._received += len(raw_data)
        if self._received > self.max_bytes:
            self._refuse()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) makes the file

    def _refuse(self) -> None:
        self.refused.append(self.file_name or "")
        # The parser closes (and so deletes) what the next handlers wrote so far, then
        # reads the rest of this file's bytes without keeping them.
        raise SkipFile
