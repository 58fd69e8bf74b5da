"""Demo data: one curated mood playlist per music mood, from the Spotify stand-in's catalogue."""

from __future__ import annotations

from io import TextIOBase

from django.apps import apps
from django.conf import settings
from django.db import transaction

from library.evidence import track_moods_sync_curated
from library.models import Mood, MoodPlaylist, MoodPlaylistTrack

TRACKS_PER_MOOD = 20
# The demo listener's library is drawn from the first 700 catalogue tracks.
CATALOGUE_POOL = 700
DEMO_PLAYLISTS = {
    Mood.HAPPY: ("Demo · Sunny side", "Bright, upbeat songs a curator picked as happy."),
    Mood.ENERGETIC: ("Demo · Full throttle", "Loud, driving, tense songs: energetic."),
    Mood.SAD: ("Demo · Grey skies", "Slow, low songs for feeling blue."),
    Mood.CALM: ("Demo · Slow breath", "Gentle songs a curator picked as calm."),
}


def _sandbox_root() -> str:
    """The stand-in's root URL (its album art lives there), from the Web API base setting."""
    base = settings.SPOTIFY_API_BASE_URL.rstrip("/")
    return base.removesuffix("/v1") + "/"


@transaction.atomic
def seed(*, stdout: TextIOBase) -> None:
    """Create or refresh the curated demo mood playlists; idempotent."""
    if not apps.is_installed("spotify_sandbox"):
        stdout.write("demo mood playlists: skipped (the Spotify stand-in is not enabled)")
        return
    from library.sync import upsert_tracks
    from spotify import client as spotify
    from spotify_sandbox import catalogue, payloads

    links = payloads.Links(_sandbox_root())
    touched: set[int] = set()
    for mood, (name, description) in DEMO_PLAYLISTS.items():
        picks = catalogue.tracks_for_mood(mood, TRACKS_PER_MOOD, pool=CATALOGUE_POOL)
        data = [spotify.TrackData.from_json(payloads.track_object(t, links)) for t in picks]
        ids = upsert_tracks(track for track in data if track is not None)
        playlist, _ = MoodPlaylist.objects.update_or_create(
            name=name, defaults={"mood": mood, "description": description}
        )
        touched |= set(playlist.entries.values_list("track_id", flat=True))
        playlist.entries.all().delete()
        MoodPlaylistTrack.objects.bulk_create(
            MoodPlaylistTrack(playlist=playlist, track_id=ids[t.id], position=position)
            for position, t in enumerate(picks)
            if t.id in ids
        )
        touched |= {ids[t.id] for t in picks if t.id in ids}
        stdout.write(f"demo mood playlist {name!r}: {len(ids)} {mood} tracks")
    track_moods_sync_curated(track_ids=touched)
