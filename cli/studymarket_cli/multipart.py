"""A multipart/form-data body with one file, streamed from disk in chunks.

httpx would read the file itself, but then the progress bar could not follow the bytes. The body
is a generator with a known length: the Content-Length header keeps httpx from sending it
chunked, which a WSGI server (Django's among them) does not accept."""

import mimetypes
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from studymarket_cli.errors import CliError

CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class MultipartBody:
    chunks: Iterator[bytes]
    length: int
    content_type: str


def file_field_quote(name: str) -> str:
    """A file name inside a quoted header parameter, as browsers write it (WHATWG HTML):
    quote and line breaks percent-encoded, the rest as UTF-8."""
    return name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def multipart_file_body(
    path: Path, *, field: str = "file", on_bytes: Callable[[int], object] = lambda n: None
) -> MultipartBody:
    """``on_bytes(n)`` is called as each chunk of the file leaves; the size is read once, and a
    file that changes length while it is sent stops the upload with a clear message."""
    size = path.stat().st_size
    boundary = f"studymarket-{secrets.token_hex(16)}"
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="{field}"; filename="{file_field_quote(path.name)}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def chunks() -> Iterator[bytes]:
        yield head
        left = size
        with path.open("rb") as file:
            while left:
                chunk = file.read(min(CHUNK_BYTES, left))
                if not chunk:
                    raise CliError(f"{path.name} werd korter tijdens het uploaden. Probeer het opnieuw.")
                left -= len(chunk)
                on_bytes(len(chunk))
                yield chunk
        yield tail

    return MultipartBody(
        chunks=chunks(),
        length=len(head) + size + len(tail),
        content_type=f"multipart/form-data; boundary={boundary}",
    )
