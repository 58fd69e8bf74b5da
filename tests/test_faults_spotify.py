"""Fault: Spotify (the local stand-in, over real HTTP) rate-limits for minutes, fails, or hangs.

The library sync pauses with a message the user sees through the API and the library page,
resumes from where it stopped once Spotify answers again, and never duplicates a row. (Single
429s, capped Retry-After, one 5xx, connection refused and `invalid_grant` are covered by
recommendations/tests/test_sync.py; these are the long and the silent failures.)
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from library.models import LibraryEntry, LibrarySync, Track
from library.sync import LibrarySyncPaused, LibrarySyncUnavailable, library_sync_run
from spotify_sandbox.models import FaultRule
from spotify_sandbox.testing import Sandbox

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sandbox")]


@pytest.fixture(autouse=True)
def _patient_client(settings) -> None:
    """The stand-in shares this busy test process: only the hung-server test wants a timeout."""
    settings.SPOTIFY_REQUEST_TIMEOUT = 60


def _listener(sandbox: Sandbox, spotify_user: str):
    user = UserFactory()
    sandbox.link(user, spotify_user)
    return user


def _library(user) -> list[tuple[int, bool]]:
    return sorted(LibraryEntry.objects.filter(user=user).values_list("track_id", "liked"))


def _sync_status(user) -> dict:
    api = APIClient()
    api.force_authenticate(user)
    response = api.get("/api/v1/library/sync/")
    assert response.status_code == 200
    return response.json()


def test_a_429_storm_for_minutes_pauses_tells_the_user_and_resumes_without_duplicates(
    sandbox: Sandbox,
) -> None:
    user = _listener(sandbox, "synthetic-250")
    # After the first two pages, Spotify answers every Web API call with 429 / Retry-After 180.
    storm = sandbox.fault("v1/me/tracks?*offset=[12][0-9][0-9]*", 429, retry_after=180)

    with pytest.raises(LibrarySyncPaused) as first:
        library_sync_run(user_id=user.pk)
    status = _sync_status(user)
    # The scheduled resume runs while the storm still blows: paused again, one request spent.
    with pytest.raises(LibrarySyncPaused) as second:
        library_sync_run(user_id=user.pk, checkpoint=first.value.checkpoint)
    requests_while_paused = LibrarySync.objects.get(user=user).requests_made
    partial = _library(user)

    assert first.value.countdown == 180
    # The checkpoint is the last page stored (re-reading it is harmless: rows are upserted).
    assert first.value.checkpoint["phase"] == "liked"
    assert first.value.checkpoint["offset"] in (50, 100)
    assert status["status"] == "paused"
    assert "Paused: Spotify asked us to wait" in status["message"]
    assert status["resume_at"] is not None
    assert second.value.checkpoint == first.value.checkpoint
    assert len(partial) == 100
    # Each run starts with GET /me; the resume during the storm costs 1-2 requests more.
    assert requests_while_paused <= 1 + 2 + 1 + 1 + 2

    FaultRule.objects.filter(pk=storm.pk).delete()
    done = library_sync_run(user_id=user.pk, checkpoint=second.value.checkpoint)
    again = library_sync_run(user_id=user.pk)

    assert done.status == LibrarySync.Status.DONE
    assert done.track_count == 250
    assert _sync_status(user)["status"] == "done"
    assert len(_library(user)) == len(set(_library(user))) == 250
    assert again.status == LibrarySync.Status.DONE
    assert Track.objects.count() == len(set(Track.objects.values_list("spotify_id", flat=True)))


def test_server_errors_back_off_then_resume_without_duplicates(sandbox: Sandbox) -> None:
    user = _listener(sandbox, "synthetic-120")
    outage = sandbox.fault("v1/*", 502)

    countdowns = []
    checkpoint: dict = {}
    for attempt in range(3):
        with pytest.raises(LibrarySyncUnavailable) as unavailable:
            library_sync_run(user_id=user.pk, checkpoint=checkpoint, attempt=attempt)
        countdowns.append(unavailable.value.countdown)
        checkpoint = unavailable.value.checkpoint
    status = _sync_status(user)
    FaultRule.objects.filter(pk=outage.pk).delete()
    done = library_sync_run(user_id=user.pk, checkpoint=checkpoint, attempt=3)

    assert countdowns == [5, 10, 20]
    assert status["status"] == "queued"
    assert "Spotify did not answer" in status["message"]
    assert done.status == LibrarySync.Status.DONE
    assert len(_library(user)) == 120


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback port that accepts connections and never answers (a hung upstream)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1/"
    finally:
        stop.set()
        thread.join(timeout=2)
        for connection in accepted:
            connection.close()
        listener.close()


def test_a_hung_spotify_times_out_and_the_sync_is_retried_later(
    sandbox: Sandbox, silent_server: str, settings
) -> None:
    user = _listener(sandbox, "synthetic-40")
    library_sync_run(user_id=user.pk)
    before = _library(user)
    settings.SPOTIFY_API_BASE_URL = silent_server
    settings.SPOTIFY_REQUEST_TIMEOUT = 0.5

    with pytest.raises(LibrarySyncUnavailable) as unavailable:
        library_sync_run(user_id=user.pk)

    assert unavailable.value.countdown == 5
    assert _sync_status(user)["status"] == "queued"
    assert _library(user) == before
