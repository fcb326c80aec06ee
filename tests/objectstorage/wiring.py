"""Pointing the site's two storages at a bucket of the test store, through the very S3 block of
config/settings.py (read again with STORAGE=s3 and the S3_* variables), and looking into the
bucket from outside the site."""

import importlib.util
import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
from botocore.config import Config  # type: ignore[import-untyped]
from django.apps import apps
from django.db.models import FileField
from pytest_django import Settings

from studymarket.core.storage import private_storage, public_storage
from tests.objectstorage.store import ACCESS_KEY, REGION, SECRET_KEY, MotoStore

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "config" / "settings.py"


def public_read_policy(bucket: str) -> str:
    """The bucket policy of README "Running at scale": anyone may read public/, nothing else."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicReadPreviewsAndAvatars",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/public/*",
                }
            ],
        }
    )


@dataclass(frozen=True)
class Bucket:
    name: str
    store: MotoStore

    @property
    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.store.endpoint_url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"),
        )

    def keys(self, prefix: str = "") -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def anonymous_get(self, key: str) -> tuple[int, bytes]:
        """GET without any signature, as a browser does an <img src>."""
        return http_get(f"{self.store.endpoint_url}/{self.name}/{key}")[:2]


def http_get(url: str) -> tuple[int, bytes, dict[str, str]]:
    """Status, body and headers of a plain GET (a browser following a link)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, response.read(), _headers(response.headers.items())
    except urllib.error.HTTPError as error:
        return error.code, error.read(), _headers(error.headers.items())


def _headers(items: Any) -> dict[str, str]:
    # Header names in one spelling (moto answers some in lower case).
    return {name.title(): value for name, value in items}


def bucket_make(store: MotoStore, *, policy: bool = True) -> Bucket:
    bucket = Bucket(name=f"sm-{uuid.uuid4().hex[:16]}", store=store)
    bucket.client.create_bucket(Bucket=bucket.name, CreateBucketConfiguration={"LocationConstraint": REGION})
    if policy:
        bucket.client.put_bucket_policy(Bucket=bucket.name, Policy=public_read_policy(bucket.name))
    return bucket


def s3_settings(bucket: Bucket, monkeypatch: pytest.MonkeyPatch) -> Any:
    """config/settings.py as the scale-out profile reads it, for this bucket: one attempt and
    a short connect timeout, so a store that is down is found at once."""
    for name, value in {
        "STORAGE": "s3",
        "S3_BUCKET": bucket.name,
        "S3_ENDPOINT_URL": bucket.store.endpoint_url,
        "S3_REGION": REGION,
        "S3_ACCESS_KEY_ID": ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "S3_ADDRESSING_STYLE": "path",
        "S3_CONNECT_TIMEOUT": "2",
        "S3_READ_TIMEOUT": "10",
        "S3_MAX_ATTEMPTS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("settings_scale_out", SETTINGS_FILE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def storages_on_bucket(bucket: Bucket, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """STORAGES from the S3 block, and every file field moved onto them: a field holds the
    storage made when its model was defined (tests/conftest.py's own_storage says why)."""
    scale_out = s3_settings(bucket, monkeypatch)
    settings.STORAGES = {**scale_out.STORAGES, "staticfiles": settings.STORAGES["staticfiles"]}
    settings.DOWNLOAD_URL_SECONDS = scale_out.DOWNLOAD_URL_SECONDS
    private, public = private_storage(), public_storage()
    assert type(private).__name__ == "S3Storage"
    for model in apps.get_models():
        for field in model._meta.fields:
            if isinstance(field, FileField):
                kind = getattr(field, "_storage_callable", None)
                if kind is private_storage:
                    monkeypatch.setattr(field, "storage", private)
                elif kind is public_storage:
                    monkeypatch.setattr(field, "storage", public)
