"""Fixtures shared by the library tests."""

import pytest

from library.sync import library_sync_run
from library.sync import run as sync_run


@pytest.fixture
def synced(listener, monkeypatch):
    """Sync a stand-in listener's library without the post-sync tag fetch (tests run it)."""

    def make(spotify_user: str):
        user = listener(spotify_user)
        with monkeypatch.context() as patch:
            patch.setattr(sync_run, "_after_sync", lambda user: None)
            assert library_sync_run(user_id=user.pk).status == "done"
        return user

    return make
