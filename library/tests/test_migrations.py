"""The library models moved from `recommendations` with their tables: data survives the move."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

OLD_LAYOUT = [
    ("recommendations", "0003_default_emotion_mood_rules"),
    ("feedback", "0001_initial"),
    ("library", None),
]


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


@pytest.mark.django_db(transaction=True)
def test_rows_written_at_the_old_layout_are_read_through_the_new_models() -> None:
    executor = _migrate(OLD_LAYOUT)
    old = executor.loader.project_state([t for t in OLD_LAYOUT if t[1]]).apps
    User = old.get_model("accounts", "User")
    user = User.objects.create(username="before-the-move")
    artist = old.get_model("recommendations", "Artist").objects.create(spotify_id="a1", name="Nina")
    track = old.get_model("recommendations", "Track").objects.create(
        spotify_id="t1", name="Feeling Good", artist_names="Nina"
    )
    track.artists.add(artist)
    old.get_model("recommendations", "LibraryEntry").objects.create(
        user=user, track=track, liked=True
    )
    playlist = old.get_model("recommendations", "MoodPlaylist").objects.create(
        name="Morning", mood="happy"
    )
    old.get_model("recommendations", "MoodPlaylistTrack").objects.create(
        playlist=playlist, track=track, position=1
    )
    old.get_model("recommendations", "TrackMood").objects.create(
        track=track, mood="happy", source="curated", score=1.0
    )
    recommendation = old.get_model("recommendations", "Recommendation").objects.create(
        user=user, emotion="happy", strategy="match"
    )
    item = old.get_model("recommendations", "RecommendationItem").objects.create(
        recommendation=recommendation, track=track, position=1, score=1.0, reason="r"
    )
    old.get_model("feedback", "Rating").objects.create(
        user=user, track=track, item=item, emotion="happy", strategy="match", stars=5
    )
    track_type = ContentType.objects.get_or_create(app_label="recommendations", model="track")[0]

    _migrate([])

    from feedback.models import Rating
    from library.models import LibraryEntry, MoodPlaylist, Track, TrackMood
    from recommendations.models import RecommendationItem

    moved = Track.objects.get(spotify_id="t1")
    assert [a.name for a in moved.artists.all()] == ["Nina"]
    assert LibraryEntry.objects.get(track=moved).liked
    assert list(MoodPlaylist.objects.get(name="Morning").tracks.all()) == [moved]
    assert TrackMood.objects.get(track=moved).source == "curated"
    assert RecommendationItem.objects.get(track=moved).recommendation.user.username == (
        "before-the-move"
    )
    assert Rating.objects.get(track=moved).stars == 5
    # Permissions and admin history follow the model: its content type moved, not a new one.
    assert ContentType.objects.get_for_model(Track).pk == track_type.pk
