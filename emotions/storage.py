"""Private file storage for frames and thumbnails: never under MEDIA_URL, served only by views."""

from django.core.files.storage import Storage, storages


def private_storage() -> Storage:
    """The `private` entry of settings.STORAGES (a callable, so tests can swap the folder)."""
    return storages["private"]
