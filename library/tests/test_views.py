"""The library page, its HTMX status, the library APIs, and "save as playlist" (over HTTP)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects
from social_django.models import UserSocialAuth

from accounts.tests.factories import UserFactory
from library.models import LibraryEntry, LibrarySync, Track
from library.tasks import library_sync
from recommendations.models import Recommendation, RecommendationItem
from spotify_sandbox import catalogue
from spotify_sandbox.models import Playlist
from spotify_sandbox.testing import Sandbox


def _connect(user, uid: str = "listener") -> UserSocialAuth:
    """A Spotify link without talking to Spotify (for pages that do not call it)."""
    return UserSocialAuth.objects.create(
        user=user,
        provider="spotify",
        uid=uid,
        extra_data={"access_token": "secret-access", "refresh_token": "secret-refresh",
                    "expires_in": 3600, "auth_time": int(timezone.now().timestamp())},
    )  # fmt: skip


def _library(user, size: int, *, start: int = 0) -> list[LibraryEntry]:
    entries = []
    for i in range(start, start + size):
        data = catalogue.track(i)
        track, _ = Track.objects.get_or_create(
            spotify_id=data.id,
            defaults={"name": data.name, "artist_names": data.artists[0].name, "uri": data.uri},
        )
        entries.append(
            LibraryEntry.objects.create(
                user=user, track=track, liked=True,
                liked_at=timezone.now() - dt.timedelta(minutes=i),
            )
        )  # fmt: skip
    return entries


@pytest.fixture
def connected(db, client: Client):
    user = UserFactory()
    _connect(user)
    client.force_login(user)
    return user


def test_the_library_pages_need_a_signed_in_user(client: Client, db) -> None:
    for path in ("/library/", "/library/status/"):
        assertRedirects(client.get(path), f"/accounts/login/?next={path}")
    assert client.post("/library/sync/").status_code == 302
    assert client.get("/api/v1/library/").status_code in (401, 403)


def test_without_spotify_the_page_offers_to_connect(client_logged_in: Client) -> None:
    page = client_logged_in.get("/library/")

    assertContains(page, "not connected")
    assertContains(page, "Connect Spotify")
    assertContains(page, 'action="/login/spotify/"')
    sync = client_logged_in.post("/library/sync/")
    assertRedirects(sync, "/accounts/profile/", fetch_redirect_response=False)


def test_the_library_shows_its_size_sources_and_pages(client: Client, connected) -> None:
    entries = _library(connected, 60)
    entries[0].top_short = True
    entries[0].save()
    LibrarySync.objects.create(
        user=connected, status=LibrarySync.Status.DONE, track_count=60,
        last_success_at=timezone.now(),
    )  # fmt: skip

    page = client.get("/library/")

    assertContains(page, "60 tracks in your library")
    assertContains(page, "<strong>60</strong> liked", html=True)
    assertContains(page, catalogue.track(0).name)
    assertNotContains(page, catalogue.track(55).name)
    assertContains(page, "Page 1 of 2")
    assertContains(page, "top track")
    assertContains(page, "Sync now")
    assertContains(client.get("/library/?page=2"), catalogue.track(55).name)


def test_a_connected_empty_library_has_an_empty_state(client: Client, connected) -> None:
    page = client.get("/library/")

    assertContains(page, "not been synced yet")
    assertContains(page, "No tracks yet")


def test_a_running_sync_is_polled_with_its_progress(client: Client, connected) -> None:
    LibrarySync.objects.create(
        user=connected, status=LibrarySync.Status.RUNNING, processed=350, total=1200,
        started_at=timezone.now(), message="Reading your liked songs… 350 of 1,200",
    )  # fmt: skip

    page = client.get("/library/")

    assertContains(page, "Syncing your library… 350 of 1,200")
    assertContains(page, 'hx-trigger="every 2s"')
    assertContains(page, 'aria-live="polite"')
    assertContains(page, '<progress value="350" max="1200"')
    assertNotContains(page, "Sync now")
    partial = client.get("/library/status/?watching=1", headers={"HX-Request": "true"})
    assertContains(partial, "350 of 1,200")
    assert "HX-Refresh" not in partial.headers


def test_the_status_reloads_the_page_when_a_watched_sync_ends(client: Client, connected) -> None:
    LibrarySync.objects.create(user=connected, status=LibrarySync.Status.DONE)

    partial = client.get("/library/status/?watching=1", headers={"HX-Request": "true"})

    assert partial.headers["HX-Refresh"] == "true"


def test_a_paused_sync_says_when_it_resumes(client: Client, connected) -> None:
    LibrarySync.objects.create(
        user=connected, status=LibrarySync.Status.PAUSED,
        message="Paused: Spotify asked us to wait. Resuming at 14:05 (120 s).",
    )  # fmt: skip

    assertContains(client.get("/library/"), "Resuming at 14:05")


def test_sync_now_queues_a_sync_once(
    client: Client, connected, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(library_sync, "delay", lambda user_id: queued.append(user_id))

    with django_capture_on_commit_callbacks(execute=True):
        partial = client.post("/library/sync/", headers={"HX-Request": "true"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/library/sync/")

    assertContains(partial, "Sync queued")
    assert queued == [connected.pk]
    assert LibrarySync.objects.get(user=connected).status == LibrarySync.Status.QUEUED


def test_the_library_api_lists_only_my_tracks_and_no_tokens(client: Client, connected) -> None:
    _library(connected, 3)
    other = UserFactory()
    _library(other, 2, start=100)

    body = client.get("/api/v1/library/").json()

    assert body["count"] == 3
    assert {r["track"]["spotify_id"] for r in body["results"]} == {
        catalogue.track(i).id for i in range(3)
    }
    assert body["results"][0]["sources"] == ["liked"]
    assert body["results"][0]["track"]["open_url"].startswith("https://open.spotify.com/track/")
    assert b"secret-" not in client.get("/api/v1/library/").content


def test_the_sync_api_reports_and_starts(
    client: Client, connected, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    monkeypatch.setattr(library_sync, "delay", lambda user_id: None)

    assert client.get("/api/v1/library/sync/").json()["status"] == "never"
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/api/v1/library/sync/")

    assert started.status_code == 202
    assert started.json()["status"] == "queued"
    assert b"secret-" not in started.content


def test_the_sync_api_needs_spotify(client_logged_in: Client) -> None:
    refused = client_logged_in.post("/api/v1/library/sync/")

    assert refused.status_code == 400
    assert refused.json()["extra"]["code"] == "spotify_not_connected"


# Save as playlist, against the stand-in over HTTP ---------------------------------------------


def _recommendation(user, indices: list[int]) -> Recommendation:
    recommendation = Recommendation.objects.create(user=user, emotion="happy", strategy="match")
    for position, index in enumerate(indices, start=1):
        data = catalogue.track(index)
        track, _ = Track.objects.get_or_create(
            spotify_id=data.id, defaults={"name": data.name, "uri": data.uri}
        )
        RecommendationItem.objects.create(
            recommendation=recommendation, track=track, position=position, score=1.0, reason="r"
        )
    return recommendation


@pytest.mark.django_db(transaction=True)
def test_save_creates_one_private_playlist_with_the_songs_in_order(sandbox: Sandbox) -> None:
    user = UserFactory()
    sandbox.link(user, "demo")
    recommendation = _recommendation(user, [5, 3, 9, 1])
    client = Client()
    client.force_login(user)

    first = client.post(f"/songs/{recommendation.pk}/save/", follow=True)
    again = client.post(f"/songs/{recommendation.pk}/save/", follow=True)

    recommendation.refresh_from_db()
    playlist = Playlist.objects.get()
    assert recommendation.spotify_playlist_id == playlist.spotify_id
    assert playlist.owner == "demo"
    assert playlist.public is False
    assert playlist.name.startswith("Moodtrack · happy (match)")
    assert [e.track_index for e in playlist.entries.all()] == [5, 3, 9, 1]
    assertContains(first, "Saved: a private playlist with 4 songs is in your Spotify.")
    assertContains(first, "real playback needs a real Spotify account")
    assertContains(again, "Already saved")
    assert Playlist.objects.count() == 1
    assert playlist.entries.count() == 4


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_save_is_finished_not_repeated(sandbox: Sandbox) -> None:
    user = UserFactory()
    sandbox.link(user, "demo")
    recommendation = _recommendation(user, [1, 2, 3])
    sandbox.fault("v1/playlists/*/items*", 503, method="POST", remaining=1)
    client = Client()
    client.force_login(user)

    failed = client.post(f"/songs/{recommendation.pk}/save/", follow=True)
    assertContains(failed, "Spotify did not answer")
    retried = client.post(f"/songs/{recommendation.pk}/save/", follow=True)

    assertContains(retried, "Already saved")
    playlist = Playlist.objects.get()
    assert [e.track_index for e in playlist.entries.all()] == [1, 2, 3]


@pytest.mark.django_db(transaction=True)
def test_a_playlist_deleted_in_spotify_is_saved_again(sandbox: Sandbox) -> None:
    user = UserFactory()
    sandbox.link(user, "demo")
    recommendation = _recommendation(user, [1, 2])
    client = Client()
    client.force_login(user)
    client.post(f"/songs/{recommendation.pk}/save/")
    Playlist.objects.all().delete()

    client.post(f"/songs/{recommendation.pk}/save/")

    recommendation.refresh_from_db()
    assert Playlist.objects.get().spotify_id == recommendation.spotify_playlist_id


@pytest.mark.django_db(transaction=True)
def test_nobody_saves_someone_elses_list(sandbox: Sandbox) -> None:
    owner, stranger = UserFactory(), UserFactory()
    sandbox.link(stranger, "sam")
    recommendation = _recommendation(owner, [1])
    client = Client()
    client.force_login(stranger)

    assert client.post(f"/songs/{recommendation.pk}/save/").status_code == 404
    assert client.get(f"/songs/{recommendation.pk}/save/").status_code == 405
    assert not Playlist.objects.exists()
