"""The upload size limit for the API's multipart requests: documents.upload_limits'
handler, installed before ninja reads the body (api.py), so a file over
settings.UPLOAD_MAX_BYTES is dropped while it arrives and answered with 413."""

from django.http import HttpRequest

from studymarket.documents.upload_limits import UploadSizeLimit
from studymarket.selling.forms import upload_too_large_message

_ATTRIBUTE = "_api_upload_limit"


def upload_limit_install(request: HttpRequest) -> None:
    if request.method == "POST" and request.content_type == "multipart/form-data":
        setattr(request, _ATTRIBUTE, UploadSizeLimit.install(request))


def upload_limit_refused(request: HttpRequest) -> str:
    """The message for a file the limit dropped, or "" when none was."""
    limit: UploadSizeLimit | None = getattr(request, _ATTRIBUTE, None)
    return upload_too_large_message() if limit is not None and limit.refused else ""
