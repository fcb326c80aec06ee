"""`python manage.py ingest FILE [FILE …] --seller EMAIL --json`: bulk import for staff.

Each file goes through the upload pipeline (the same checks, processing and originality check
as a seller's upload in the browser), here and now, one after the other. One line per file:
a JSON object with at least ``file``, ``status`` (published | held_for_review | rejected |
failed) and ``reason`` (a code from documents/reasons.py, "" when there is none). The exit
status is 0 unless the command itself could not run (no such user, no database).

"published" is this command's word for an accepted version (VersionStatus.ACCEPTED): its
output stayed as it was when the version status was called so.
"""

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from studymarket.accounts.models import SellerProfile, User
from studymarket.accounts.services import seller_profile_create
from studymarket.documents.models import VersionStatus
from studymarket.documents.rejections import reason_text
from studymarket.documents.services import UploadRejected, document_upload
from studymarket.selling.services import upload_process

# The output's words for a version's status, where they differ from the stored value.
_OUTPUT_STATUS = {VersionStatus.ACCEPTED.value: "published"}


class Command(BaseCommand):
    help = "Run files through the upload pipeline for a seller, one result per file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="PDF, .docx or .odt files.")
        parser.add_argument(
            "--seller", required=True, metavar="EMAIL", help="An existing user; made a seller if not one yet."
        )
        parser.add_argument("--json", action="store_true", help="One JSON object per line per file.")

    def handle(self, *args: Any, **options: Any) -> None:
        seller = _seller(options["seller"])
        for name in options["files"]:
            outcome = _ingest(seller, name)
            if options["json"]:
                self.stdout.write(json.dumps(outcome, ensure_ascii=False))
            else:
                reason = f" ({outcome['reason']}: {outcome['message']})" if outcome["reason"] else ""
                self.stdout.write(f"{name}: {outcome['status']}{reason}")


def _seller(email: str) -> SellerProfile:
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise CommandError(f"No user with e-mail address {email!r}; create the account first.")
    profile = SellerProfile.objects.filter(user=user).first()
    if profile is None:
        try:
            profile = seller_profile_create(user=user, display_name=_display_name(user))
        except ValidationError as error:
            raise CommandError(f"Could not make {email!r} a seller: {error.messages}") from None
    return profile


def _display_name(user: User) -> str:
    # The public seller name; the seller can change it. Made unique and long enough with the id.
    name = user.get_full_name() or user.email.split("@", 1)[0]
    if len(name) < 3 or SellerProfile.objects.filter(display_name__iexact=name).exists():
        name = f"{name} {user.pk}"
    return name[:60]


def _ingest(seller: SellerProfile, name: str) -> dict[str, Any]:
    path = Path(name)
    outcome: dict[str, Any] = {"file": name, "status": "", "reason": "", "message": ""}
    if not path.is_file():
        outcome.update(status=VersionStatus.REJECTED.value, reason="not_found", message="No such file.")
        return outcome
    try:
        with path.open("rb") as handle:
            # Stored without queuing: the chain runs here and now, below.
            version = document_upload(
                seller=seller, file=File(handle, name=path.name), original_name=path.name
            )
    except UploadRejected as refused:
        outcome.update(
            status=VersionStatus.REJECTED.value, reason=refused.code.value, message=refused.message
        )
        return outcome
    version = upload_process(version_id=version.pk)
    outcome.update(
        status=_OUTPUT_STATUS.get(version.status, version.status),
        reason=version.reason_code,
        document_id=version.document_id,
        version_id=version.pk,
        page_count=version.page_count,
        message=reason_text(version.reason_code, version.reason_params) if version.reason_code else "",
    )
    return outcome
