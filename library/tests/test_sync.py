"""Library sync against the stand-in over real HTTP: complete, incremental, idempotent, polite."""

from __future__ import annotations

import datetime as dt
import logging
import time

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from library.models import Artist, LibraryEntry, LibrarySync, Track
from library.sync import (
    LibrarySyncPaused,
    LibrarySyncUnavailable,
    library_sync_enqueue_due,
    library_sync_run,
)
from library.sync import run as sync_run
from library.tasks import library_sync
from spotify_sandbox import catalogue

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sandbox")]


def _snapshot(user) -> dict[str, object]:
    """Every row the sync writes, with its update time: equal snapshots mean nothing changed."""
    return {
        "tracks": sorted(Track.objects.values_list("pk", "spotify_id", "updated_at")),
        "artists": sorted(Artist.objects.values_list("pk", "spotify_id", "name")),
        "links": sorted(Track.artists.through.objects.values_list("track_id", "artist_id")),
        "entries": sorted(
            LibraryEntry.objects.filter(user=user).values_list(
                "pk", "track_id", "liked", "liked_at", "top_short", "top_medium", "top_long",
                "recent", "last_played_at", "playlist", "updated_at",
            )
        ),
    }  # fmt: skip


def test_a_2000_track_library_syncs_completely_and_a_second_run_changes_nothing(listener) -> None:
    user = listener("synthetic-2000")

    first = library_sync_run(user_id=user.pk)

    assert first.status == LibrarySync.Status.DONE
    assert (first.processed, first.total, first.track_count) == (2000, 2000, 2000)
    assert first.message == "Synced 2,000 tracks."
    liked = LibraryEntry.objects.filter(user=user, liked=True)
    assert liked.count() == 2000
    expected = {catalogue.track(i).id for i in range(1000, 3000)}
    assert set(liked.values_list("track__spotify_id", flat=True)) == expected
    assert LibraryEntry.objects.filter(user=user, top_short=True).count() == 50
    assert LibraryEntry.objects.filter(user=user, recent=True).count() == 20
    newest = LibraryEntry.objects.get(user=user, track__spotify_id=catalogue.track(1000).id)
    assert newest.liked_at == catalogue.user("synthetic-2000").liked_at(0)
    track = newest.track
    assert (track.name, track.isrc, track.uri) == (
        catalogue.track(1000).name,
        catalogue.track(1000).isrc,
        catalogue.track(1000).uri,
    )
    assert track.artists.count() == len(catalogue.track(1000).artists)
    # /me, 40 pages of liked songs, 3 top lists, recently played, playlists.
    assert first.requests_made == 1 + 40 + 3 + 1 + 1
    before = _snapshot(user)

    second = library_sync_run(user_id=user.pk)

    assert second.status == LibrarySync.Status.DONE
    assert _snapshot(user) == before
    assert second.track_count == 2000
    # Incremental: one page of liked songs shows nothing new, so the rest is not read.
    assert second.requests_made == 1 + 1 + 3 + 1 + 1


def test_progress_is_recorded_page_by_page(listener, monkeypatch) -> None:
    user = listener("synthetic-260")
    seen: list[tuple[int, int, str]] = []
    original = sync_run._Run.progress

    def spy(run, message: str) -> None:
        original(run, message)
        row = LibrarySync.objects.get(user=user)
        seen.append((row.processed, row.total, row.message))

    monkeypatch.setattr(sync_run._Run, "progress", spy)

    library_sync_run(user_id=user.pk)

    liked = [entry for entry in seen if entry[2].startswith("Reading your liked songs")]
    assert [(p, t) for p, t, _ in liked] == [(50, 260), (100, 260), (150, 260), (200, 260),
                                             (250, 260), (260, 260)]  # fmt: skip
    assert liked[2][2] == "Reading your liked songs… 150 of 260"
    assert LibrarySync.objects.get(user=user).status == LibrarySync.Status.DONE


def test_new_likes_are_picked_up_and_unliked_songs_leave(listener, sandbox) -> None:
    user = listener("synthetic-120")
    library_sync_run(user_id=user.pk)
    gone = Track.objects.create(spotify_id=catalogue.track(9).id, name="Unliked since")
    LibraryEntry.objects.create(user=user, track=gone, liked=True)
    session = sandbox.session_for(
        sandbox.issue("synthetic-120", scope="user-library-modify").access_token
    )
    session.put(sandbox.api + "me/library", params={"uris": catalogue.track(77).uri}, timeout=10)

    result = library_sync_run(user_id=user.pk)

    assert LibraryEntry.objects.get(user=user, track__spotify_id=catalogue.track(77).id).liked
    assert not LibraryEntry.objects.filter(user=user, track=gone).exists()
    assert result.track_count == 121


def test_playlists_owned_or_collaborative_are_read_followed_ones_skipped(
    listener, openapi_checked_client
) -> None:
    user = listener("demo")

    result = library_sync_run(user_id=user.pk)

    in_playlists = set(
        LibraryEntry.objects.filter(user=user, playlist=True).values_list(
            "track__spotify_id", flat=True
        )
    )
    expected = {
        catalogue.track(i).id
        for key in ("demo-run", "demo-rain", "demo-focus", "alex-road-trip")
        for i in catalogue.PLAYLISTS[key].track_indices
    }
    assert in_playlists == expected
    party = {catalogue.track(i).id for i in catalogue.PLAYLISTS["alex-party"].track_indices}
    assert not party & (in_playlists - expected)
    assert result.status == LibrarySync.Status.DONE
    assert result.track_count == LibraryEntry.objects.filter(user=user).count()
    # /me, 6 liked pages, 3 top lists, recent, playlists, 4 readable playlists (Focus: 2 pages).
    assert result.requests_made == 1 + 6 + 3 + 1 + 1 + 5


def test_a_429_reschedules_the_task_with_retry_after_and_resumes(listener, sandbox, monkeypatch):
    user = listener("synthetic-300")
    # The third page of liked songs answers 429 once.
    sandbox.fault("v1/me/tracks?*offset=100*", 429, retry_after=7, remaining=1)
    sleeps: list[float] = []
    monkeypatch.setattr(time, "sleep", lambda seconds: sleeps.append(seconds))
    retries: list[dict] = []
    real_retry = library_sync.retry

    def watch_retry(*args, **kwargs):
        row = LibrarySync.objects.get(user=user)
        retries.append({**kwargs, "status": row.status, "resume_at": row.resume_at})
        return real_retry(*args, **kwargs)

    monkeypatch.setattr(library_sync, "retry", watch_retry)
    started = timezone.now()

    result = library_sync.apply(args=[user.pk], throw=False)

    assert result.successful()
    assert len(retries) == 1
    retry = retries[0]
    assert retry["countdown"] == 7
    assert retry["kwargs"]["checkpoint"] == {"phase": "liked", "offset": 100}
    assert retry["status"] == LibrarySync.Status.PAUSED
    assert (
        started + dt.timedelta(seconds=6)
        < retry["resume_at"]
        < timezone.now() + dt.timedelta(seconds=8)
    )
    assert sleeps == []  # never slept in the worker
    done = LibrarySync.objects.get(user=user)
    assert done.status == LibrarySync.Status.DONE
    assert done.track_count == 300
    # /me, 2 pages, the 429, then /me again and the rest from offset 100 (4 pages), tops,
    # recent, playlists.
    assert done.requests_made == 1 + 2 + 1 + 1 + 4 + 3 + 1 + 1


def test_a_long_retry_after_is_capped_and_shown_as_paused(listener, sandbox, settings) -> None:
    settings.SPOTIFY_RETRY_AFTER_MAX_SECONDS = 600
    sandbox.fault("v1/me/tracks*", 429, retry_after=86_400, body_reason="QUOTA_EXCEEDED")
    user = listener("synthetic-10")

    with pytest.raises(LibrarySyncPaused) as paused:
        library_sync_run(user_id=user.pk)

    assert paused.value.countdown == 600
    row = LibrarySync.objects.get(user=user)
    assert row.status == LibrarySync.Status.PAUSED
    assert "quota" in row.message
    assert row.resume_at > timezone.now() + dt.timedelta(seconds=590)


def test_connection_errors_retry_with_backoff_then_give_up(listener, settings) -> None:
    user = listener("synthetic-10")
    settings.SPOTIFY_API_BASE_URL = "http://127.0.0.1:9/v1/"  # the dev server is not up yet

    with pytest.raises(LibrarySyncUnavailable) as unavailable:
        library_sync_run(user_id=user.pk)
    assert unavailable.value.countdown == 5
    assert LibrarySync.objects.get(user=user).status == LibrarySync.Status.QUEUED
    with pytest.raises(LibrarySyncUnavailable) as later:
        library_sync_run(user_id=user.pk, checkpoint=unavailable.value.checkpoint, attempt=3)
    assert later.value.countdown == 40

    final = library_sync_run(user_id=user.pk, attempt=sync_run.MAX_UNAVAILABLE_ATTEMPTS)
    assert final.status == LibrarySync.Status.FAILED


def test_a_server_error_is_retried_by_the_task_and_then_succeeds(listener, sandbox, monkeypatch):
    user = listener("synthetic-60")
    sandbox.fault("v1/me/top/tracks*", 503, remaining=1)
    countdowns: list[int] = []
    real_retry = library_sync.retry
    monkeypatch.setattr(
        library_sync,
        "retry",
        lambda *a, **k: countdowns.append(k["countdown"]) or real_retry(*a, **k),
    )

    assert library_sync.apply(args=[user.pk], throw=False).successful()

    assert countdowns == [5]
    assert LibrarySync.objects.get(user=user).status == LibrarySync.Status.DONE


def test_removed_endpoints_are_skipped_with_a_log_line(listener, sandbox, caplog) -> None:
    sandbox.fault("v1/me/top/tracks*", 403)
    sandbox.fault("v1/me/player/recently-played*", 404)
    user = listener("synthetic-40")

    with caplog.at_level(logging.WARNING, logger="library.sync"):
        result = library_sync_run(user_id=user.pk)

    assert result.status == LibrarySync.Status.DONE
    assert result.track_count == 40
    assert "top skipped (Spotify answered 403)" in result.message
    assert "skipped recent, Spotify answered 404" in caplog.text


def test_an_expired_sign_in_needs_reauth_and_keeps_the_library(listener, sandbox) -> None:
    user = listener("synthetic-30")
    library_sync_run(user_id=user.pk)
    social = user.social_auth.get()
    social.extra_data["auth_time"] = int(time.time()) - 7200  # the access token has expired
    social.save()
    sandbox.fault("api/token", 400, body_reason="invalid_grant")

    result = library_sync_run(user_id=user.pk)

    assert result.status == LibrarySync.Status.REAUTH
    assert "Sign in with Spotify again" in result.message
    assert LibraryEntry.objects.filter(user=user).count() == 30
    assert user.social_auth.exists()


def test_one_run_at_a_time(listener) -> None:
    user = listener("synthetic-10")
    LibrarySync.objects.create(
        user=user, status=LibrarySync.Status.RUNNING, started_at=timezone.now()
    )

    result = library_sync_run(user_id=user.pk)

    assert result.status == LibrarySync.Status.RUNNING
    assert not LibraryEntry.objects.filter(user=user).exists()


def test_every_users_library_is_their_own(listener) -> None:
    sam, alex = listener("sam"), listener("alex")

    library_sync_run(user_id=sam.pk)
    library_sync_run(user_id=alex.pk)

    sams = set(LibraryEntry.objects.filter(user=sam).values_list("track__spotify_id", flat=True))
    alexs = set(LibraryEntry.objects.filter(user=alex).values_list("track__spotify_id", flat=True))
    assert {catalogue.track(i).id for i in catalogue.user("sam").liked} <= sams
    assert {catalogue.track(i).id for i in catalogue.user("alex").liked} <= alexs
    assert not {catalogue.track(i).id for i in catalogue.user("alex").liked} - alexs & sams


def test_the_beat_queues_only_connected_users_with_stale_libraries(listener, monkeypatch) -> None:
    queued: list[int] = []
    monkeypatch.setattr(library_sync, "delay", lambda user_id: queued.append(user_id))
    fresh, stale, never = listener("sam"), listener("alex"), listener("demo")
    UserFactory()  # not connected to Spotify
    LibrarySync.objects.create(
        user=fresh, status=LibrarySync.Status.DONE, last_success_at=timezone.now()
    )
    LibrarySync.objects.create(
        user=stale,
        status=LibrarySync.Status.DONE,
        last_success_at=timezone.now() - dt.timedelta(days=2),
    )

    assert library_sync_enqueue_due() == 2

    assert sorted(queued) == sorted([stale.pk, never.pk])
    assert LibrarySync.objects.get(user=never).status == LibrarySync.Status.QUEUED
    assert library_sync_enqueue_due() == 0  # already queued
