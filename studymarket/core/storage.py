from django.core.files.storage import Storage, storages


def public_storage() -> Storage:
    """Previews and avatars: files anyone may see (STORAGES["public"]).

    A callable, so migrations record the reference and not the configured backend.
    """
    return storages["public"]


def private_storage() -> Storage:
    """Sellers' documents and buyers' copies: never under a public URL."""
    return storages["default"]
