"""Does every stored file the database names exist, whole? Run by `manage.py restore` and as
`manage.py files_check`.

A document version's file must exist with the size and SHA-256 recorded at upload (the file
buyers get). Previews, thumbnails, avatars and buyers' built copies must exist (a built copy with its
recorded size). Data exports are left out: they are short-lived, and privacy sits beside
operations in the layers (pyproject.toml), not below it. Through the storage API, so it checks object storage
too. Returns one line per problem; none means every file is there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from django.core.files.storage import Storage

from studymarket.accounts.models import SellerProfile
from studymarket.core.storage import private_storage, public_storage
from studymarket.documents.models import DocumentPage, DocumentVersion
from studymarket.library.models import StampedCopy, StampedCopyStatus

_CHUNK = 1024 * 1024


def files_check() -> list[str]:
    problems = list(_versions())
    problems += list(_copies())
    public = public_storage()
    pages = DocumentPage.objects.exclude(preview_image="", thumbnail="").values_list(
        "version_id", "number", "preview_image", "thumbnail"
    )
    for version_id, number, *names in pages.iterator():
        for name in names:
            if name and not public.exists(name):
                problems.append(f"version {version_id} page {number}: {name} is missing")
    for profile_id, name in SellerProfile.objects.exclude(avatar="").values_list("pk", "avatar").iterator():
        if not public.exists(name):
            problems.append(f"seller profile {profile_id}: avatar {name} is missing")
    return problems


def _versions() -> Iterator[str]:
    storage = private_storage()
    versions = DocumentVersion.objects.exclude(file="").values_list("pk", "file", "size_bytes", "sha256")
    for version_id, name, size, sha256 in versions.iterator():
        label = f"document version {version_id}: {name}"
        if not storage.exists(name):
            yield f"{label} is missing"
            continue
        found_size, found_sha256 = _measure(storage, name)
        if found_size != size:
            yield f"{label} has {found_size} bytes, recorded {size}"
        elif sha256 and found_sha256 != sha256:
            yield f"{label} has sha256 {found_sha256}, recorded {sha256}"


def _copies() -> Iterator[str]:
    storage = private_storage()
    copies = StampedCopy.objects.filter(status=StampedCopyStatus.READY).exclude(file="")
    for copy_id, name, size in copies.values_list("pk", "file", "size_bytes").iterator():
        if not storage.exists(name):
            yield f"stamped copy {copy_id}: {name} is missing"
        elif size and storage.size(name) != size:
            yield f"stamped copy {copy_id}: {name} has {storage.size(name)} bytes, recorded {size}"


def _measure(storage: Storage, name: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()
