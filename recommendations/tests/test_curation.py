"""Tests for curation: importing a Spotify playlist (over HTTP from the stand-in), moods, rules."""

from __future__ import annotations

import pytest
from celery.exceptions import Retry
from django.test import Client

from accounts.curators import curators_group_ensure
from accounts.models import User
from accounts.tests.factories import UserFactory
from core.exceptions import ApplicationError
from library.models import MoodPlaylist, MoodPlaylistTrack, Track, TrackMood
from library.tests.factories import TrackFactory
from recommendations.curation import (
    mood_playlist_import,
    mood_playlist_import_request,
    mood_playlists_set_mood,
    rule_coverage_problems,
)
from recommendations.tasks import mood_playlist_import_task
from spotify_sandbox import catalogue
from spotify_sandbox.testing import Sandbox

FOCUS = catalogue.PLAYLISTS["demo-focus"]  # owned by the stand-in user "demo": 60 calm tracks
PARTY = catalogue.PLAYLISTS["alex-party"]  # alex's; demo only follows it, so its items are 403


@pytest.fixture
def curator(sandbox: Sandbox, transactional_db: None) -> User:
    """A staff member signed in to the stand-in as "demo", who owns the Focus playlist."""
    user = UserFactory(username="importer", is_staff=True)
    sandbox.link(user, "demo")
    return user


def import_playlist(user: User, playlist_ref: str, mood: str, name: str = "") -> MoodPlaylist:
    """What the admin does: the service marks the playlist queued, then the task (eager) runs."""
    playlist = mood_playlist_import_request(
        user=user, playlist_ref=playlist_ref, mood=mood, name=name
    )
    mood_playlist_import_task.delay(playlist.pk, user.pk)
    return playlist


def curated_moods(track_ids) -> set[str]:
    return set(
        TrackMood.objects.filter(track_id__in=list(track_ids), source="curated").values_list(
            "mood", flat=True
        )
    )


def test_it_imports_a_playlist_by_url_and_its_tracks_become_curated(curator: User) -> None:
    url = f"https://open.spotify.com/playlist/{FOCUS.id}?si=abc123"

    queued = import_playlist(curator, url, "calm")

    playlist = MoodPlaylist.objects.get(pk=queued.pk)
    assert playlist.import_status == "done", playlist.import_message
    assert playlist.name == "Focus"
    assert playlist.description == "Quiet work music."
    assert playlist.spotify_playlist_id == FOCUS.id
    assert playlist.import_message.startswith("Imported 60 tracks")
    entries = list(playlist.entries.select_related("track").order_by("position"))
    expected = [catalogue.track(index) for index in FOCUS.track_indices]
    assert [entry.track.spotify_id for entry in entries] == [t.id for t in expected]
    first = entries[0].track
    assert first.name == expected[0].name
    assert first.artists.exists()
    assert first.artist_names
    assert curated_moods(e.track_id for e in entries) == {"calm"}
    assert TrackMood.objects.filter(source="curated").count() == 60


def test_reimporting_replaces_the_tracks_and_their_evidence(curator: User) -> None:
    playlist = import_playlist(curator, FOCUS.id, "calm")
    stray = TrackFactory(name="Added by hand")
    MoodPlaylistTrack.objects.create(playlist=playlist, track=stray, position=99)
    mood_playlists_set_mood(playlist_ids=[playlist.pk], mood="calm")
    assert curated_moods([stray.pk]) == {"calm"}

    again = import_playlist(curator, f"spotify:playlist:{FOCUS.id}", "sad", name="Study")

    again.refresh_from_db()
    assert again.pk == playlist.pk
    assert (again.name, again.mood, again.import_status) == ("Study", "sad", "done")
    assert again.entries.count() == 60
    assert curated_moods([stray.pk]) == set()
    assert curated_moods(again.entries.values_list("track_id", flat=True)) == {"sad"}
    assert Track.objects.filter(spotify_id=catalogue.track(FOCUS.track_indices[0]).id).count() == 1


def test_someone_elses_playlist_fails_with_a_message(curator: User) -> None:
    playlist = import_playlist(curator, PARTY.id, "happy")

    playlist.refresh_from_db()
    assert playlist.import_status == "failed"
    assert "owns or collaborates on" in playlist.import_message
    assert not playlist.entries.exists()


def test_a_rate_limit_reschedules_the_import(sandbox: Sandbox, curator: User) -> None:
    sandbox.fault(r"^v1/playlists/[^/]+/items", 429, retry_after=7, remaining=1)

    queued = mood_playlist_import_request(user=curator, playlist_ref=FOCUS.id, mood="calm")
    assert queued.import_status == "queued"

    # Tasks run eagerly in tests, so the task's retry surfaces here instead of being scheduled.
    with pytest.raises(Retry) as retry:
        mood_playlist_import_task.delay(queued.pk, curator.pk)

    assert retry.value.when == 7
    playlist = MoodPlaylist.objects.get(spotify_playlist_id=FOCUS.id)
    assert playlist.import_status == "queued"
    assert "starts again in 7 s" in playlist.import_message

    mood_playlist_import_task.apply(args=(playlist.pk, curator.pk))

    playlist.refresh_from_db()
    assert playlist.import_status == "done", playlist.import_message
    assert playlist.entries.count() == 60


def test_the_import_reports_progress(curator: User, monkeypatch) -> None:
    seen: list[str] = []
    from recommendations import curation

    original = curation._set_import_state

    def spy(playlist_id: int, status: str, message: str) -> None:
        seen.append(f"{status}: {message}")
        original(playlist_id, status, message)

    monkeypatch.setattr(curation, "_set_import_state", spy)
    monkeypatch.setattr(curation, "PROGRESS_EVERY", 25)
    playlist = MoodPlaylist.objects.create(name="x", mood="calm", spotify_playlist_id=FOCUS.id)

    mood_playlist_import(playlist_id=playlist.pk, user_id=curator.pk)

    assert seen == [
        "running: Reading the playlist from Spotify.",
        "running: Read 25 of 60 tracks so far.",
        "running: Read 50 of 60 tracks so far.",
    ]


def test_the_admin_queues_the_import_and_the_reimport(curator: User, client: Client) -> None:
    curator.groups.add(curators_group_ensure())
    client.force_login(curator)

    imported = client.post(
        "/admin/library/moodplaylist/import/", {"playlist": FOCUS.id, "mood": "calm"}
    )

    playlist = MoodPlaylist.objects.get(spotify_playlist_id=FOCUS.id)
    assert imported.status_code == 302
    assert playlist.import_status == "done", playlist.import_message
    assert playlist.entries.count() == 60

    playlist.entries.all().delete()
    reimported = client.post(
        "/admin/library/moodplaylist/",
        {"action": "reimport", "_selected_action": [str(playlist.pk)]},
        follow=True,
    )

    playlist.refresh_from_db()
    assert "1 import(s) queued." in reimported.content.decode()
    assert playlist.import_status == "done", playlist.import_message
    assert playlist.entries.count() == 60


@pytest.mark.django_db
def test_bad_references_and_missing_spotify_are_explained() -> None:
    user = UserFactory()
    with pytest.raises(ApplicationError) as bad:
        mood_playlist_import_request(user=user, playlist_ref="not a playlist", mood="calm")
    with pytest.raises(ApplicationError) as unconnected:
        mood_playlist_import_request(user=user, playlist_ref=FOCUS.id, mood="calm")
    with pytest.raises(ApplicationError):
        mood_playlist_import_request(user=user, playlist_ref=FOCUS.id, mood="furious")

    assert bad.value.extra == {"field": "playlist"}
    assert "Connect your Spotify account" in unconnected.value.message
    assert not MoodPlaylist.objects.exists()


def test_rule_coverage_names_what_is_missing() -> None:
    from ml.labels import EMOTIONS

    full = [(emotion, strategy, 1.0) for emotion in EMOTIONS for strategy in ("match", "lift")]
    assert rule_coverage_problems(full) == []
    broken = [row for row in full if row[:2] != ("fear", "lift")] + [("fear", "lift", 0.0)]
    assert rule_coverage_problems(broken) == [
        '"Lift my mood" has no mood with a weight above 0 for: fear.'
    ]
