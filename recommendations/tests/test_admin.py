"""Tests for the curators' admin: mood playlists, rules, readings, ratings, recommendations."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import User
from accounts.tests.factories import UserFactory
from emotions.models import MoodReading
from library.models import Mood, MoodPlaylist, TrackMood
from library.tests.factories import (
    MoodPlaylistFactory,
    MoodPlaylistTrackFactory,
    TrackFactory,
)
from recommendations.models import EmotionMoodRule
from recommendations.rules import DEFAULT_RULES

CHANGELIST = "/admin/library/moodplaylist/"
RULES = "/admin/recommendations/emotionmoodrule/"


@pytest.fixture(autouse=True)
def default_rules(db: None) -> None:
    """The rules migration 0003 seeds (a flushed, reused test database may have lost them)."""
    if not EmotionMoodRule.objects.exists():
        EmotionMoodRule.objects.bulk_create(
            EmotionMoodRule(emotion=emotion, strategy=strategy, mood=mood, weight=weight)
            for strategy, emotions in DEFAULT_RULES.items()
            for emotion, targets in emotions.items()
            for mood, weight in targets
        )


@pytest.fixture
def curator_client(client: Client, curator: User) -> Client:
    client.force_login(curator)
    return client


def curated(track_id: int) -> set[str]:
    return set(
        TrackMood.objects.filter(track_id=track_id, source="curated").values_list("mood", flat=True)
    )


def playlist_with_tracks(mood: str = Mood.CALM, n: int = 3) -> tuple[MoodPlaylist, list]:
    playlist = MoodPlaylistFactory(mood=mood)
    tracks = [MoodPlaylistTrackFactory(playlist=playlist, position=i).track for i in range(n)]
    return playlist, tracks


def action(client: Client, name: str, *pks: int, url: str = CHANGELIST, **extra: str):
    return client.post(
        url, {"action": name, "_selected_action": [str(pk) for pk in pks], **extra}, follow=True
    )


# Mood playlists ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_shows_mood_and_track_count(curator_client: Client) -> None:
    playlist, _ = playlist_with_tracks(Mood.SAD, n=4)

    response = curator_client.get(CHANGELIST)

    assert response.status_code == 200
    row = response.context["cl"].result_list.get(pk=playlist.pk)
    assert row.track_total == 4
    assertContains(response, '<td class="field-track_count">4</td>', html=True)
    assertContains(response, "Import from Spotify")


@pytest.mark.django_db
def test_set_mood_moves_the_tracks_curated_evidence(curator_client: Client) -> None:
    playlist, tracks = playlist_with_tracks(Mood.SAD)
    other, _ = playlist_with_tracks(Mood.HAPPY, n=1)
    from recommendations.curation import curated_evidence_refresh

    curated_evidence_refresh(track_ids=[t.pk for t in tracks])
    assert curated(tracks[0].pk) == {"sad"}

    response = action(curator_client, "set_mood_calm", playlist.pk)

    assertContains(response, "1 playlist now calm")
    playlist.refresh_from_db()
    other.refresh_from_db()
    assert (playlist.mood, other.mood) == ("calm", "happy")
    assert all(curated(track.pk) == {"calm"} for track in tracks)


@pytest.mark.django_db
def test_editing_tracks_inline_updates_the_evidence(curator_client: Client) -> None:
    playlist, (kept, removed) = playlist_with_tracks(Mood.HAPPY, n=2)
    added = TrackFactory(name="Added later")
    entries = list(playlist.entries.order_by("position"))
    url = reverse("admin:library_moodplaylist_change", args=[playlist.pk])
    form = curator_client.get(url)
    assertContains(form, 'class="admin-autocomplete')

    response = curator_client.post(
        url,
        {
            "name": playlist.name,
            "mood": "energetic",
            "description": "",
            "spotify_playlist_id": "",
            "entries-TOTAL_FORMS": "3",
            "entries-INITIAL_FORMS": "2",
            "entries-MIN_NUM_FORMS": "0",
            "entries-MAX_NUM_FORMS": "1000",
            "entries-0-id": str(entries[0].pk),
            "entries-0-playlist": str(playlist.pk),
            "entries-0-position": "0",
            "entries-0-track": str(kept.pk),
            "entries-1-id": str(entries[1].pk),
            "entries-1-playlist": str(playlist.pk),
            "entries-1-position": "1",
            "entries-1-track": str(removed.pk),
            "entries-1-DELETE": "on",
            "entries-2-playlist": str(playlist.pk),
            "entries-2-position": "2",
            "entries-2-track": str(added.pk),
        },
    )

    assert response.status_code == 302, response.context["errors"]
    assert set(playlist.entries.values_list("track_id", flat=True)) == {kept.pk, added.pk}
    assert curated(kept.pk) == {"energetic"}
    assert curated(added.pk) == {"energetic"}
    assert curated(removed.pk) == set()


@pytest.mark.django_db
def test_deleting_a_playlist_removes_its_evidence(curator_client: Client) -> None:
    playlist, (track,) = playlist_with_tracks(n=1)
    from recommendations.curation import curated_evidence_refresh

    curated_evidence_refresh(track_ids=[track.pk])

    action(curator_client, "delete_selected", playlist.pk, post="yes")

    assert not MoodPlaylist.objects.filter(pk=playlist.pk).exists()
    assert curated(track.pk) == set()


@pytest.mark.django_db
def test_track_autocomplete_finds_tracks_for_curators(curator_client: Client) -> None:
    TrackFactory(name="Blue in Green", artist_names="Miles Davis")
    TrackFactory(name="Something else")

    response = curator_client.get(
        "/admin/autocomplete/",
        {
            "term": "blue",
            "app_label": "library",
            "model_name": "moodplaylisttrack",
            "field_name": "track",
        },
    )

    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["Blue in Green — Miles Davis"]


@pytest.mark.django_db
def test_export_csv_lists_every_track_and_defuses_formulas(curator_client: Client) -> None:
    playlist = MoodPlaylistFactory(name="=HYPERLINK(evil)", mood=Mood.SAD)
    MoodPlaylistTrackFactory(playlist=playlist, position=0, track=TrackFactory(name="Song one"))
    MoodPlaylistTrackFactory(playlist=playlist, position=1, track=TrackFactory(name="Song two"))

    response = action(curator_client, "export_csv", playlist.pk)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="mood-playlists-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["position"], row["track"], row["mood"]) for row in rows] == [
        ("0", "Song one", "sad"),
        ("1", "Song two", "sad"),
    ]
    assert rows[0]["playlist"] == "'=HYPERLINK(evil)"


@pytest.mark.django_db
def test_import_status_is_served_as_json(curator_client: Client) -> None:
    playlist = MoodPlaylistFactory(import_status="running", import_message="Read 50 of 120 tracks")

    response = curator_client.get(f"{CHANGELIST}{playlist.pk}/import-status/")

    assert response.json() == {
        "status": "running",
        "status_display": "Importing",
        "message": "Read 50 of 120 tracks",
        "tracks": 0,
        "finished": False,
    }
    page = curator_client.get(f"{CHANGELIST}{playlist.pk}/change/")
    assertContains(page, 'id="import-progress"')
    assertContains(page, 'aria-live="polite"')


# Emotion → mood rules ---------------------------------------------------------------------------


def rule(emotion: str, strategy: str) -> EmotionMoodRule:
    return EmotionMoodRule.objects.filter(emotion=emotion, strategy=strategy).first()


@pytest.mark.django_db
def test_the_default_rules_cover_every_emotion() -> None:
    from recommendations.curation import rule_coverage_after

    assert rule_coverage_after() == []


@pytest.mark.django_db
def test_a_weight_outside_0_to_1_is_refused(curator_client: Client) -> None:
    happy = rule("happy", "match")
    url = reverse("admin:recommendations_emotionmoodrule_change", args=[happy.pk])

    response = curator_client.post(
        url, {"strategy": "match", "emotion": "happy", "mood": "happy", "weight": "1.5"}
    )

    assert response.status_code == 200
    assertContains(response, "Ensure this value is less than or equal to 1.0")
    happy.refresh_from_db()
    assert happy.weight == 1.0


@pytest.mark.django_db
def test_a_change_that_leaves_an_emotion_uncovered_is_refused(curator_client: Client) -> None:
    (only_sad,) = EmotionMoodRule.objects.filter(emotion="sad", strategy="match")
    url = reverse("admin:recommendations_emotionmoodrule_change", args=[only_sad.pk])

    moved = curator_client.post(
        url, {"strategy": "match", "emotion": "angry", "mood": "sad", "weight": "1"}
    )
    zeroed = curator_client.post(
        url, {"strategy": "match", "emotion": "sad", "mood": "sad", "weight": "0"}
    )
    fine = curator_client.post(
        url, {"strategy": "match", "emotion": "sad", "mood": "calm", "weight": "0.7"}
    )

    assertContains(moved, "&quot;Match my mood&quot; has no mood with a weight above 0 for: sad.")
    assertContains(zeroed, "has no mood with a weight above 0 for: sad.")
    assert fine.status_code == 302
    only_sad.refresh_from_db()
    assert (only_sad.emotion, only_sad.mood, only_sad.weight) == ("sad", "calm", 0.7)


@pytest.mark.django_db
def test_list_editing_is_checked_as_a_whole(curator_client: Client) -> None:
    rules = list(EmotionMoodRule.objects.order_by("strategy", "emotion", "-weight"))
    lift_sad = [r for r in rules if (r.strategy, r.emotion) == ("lift", "sad")]
    assert len(lift_sad) == 2  # calm 1.0 and happy 0.6

    def post(weights: dict[int, str]):
        data = {
            "form-TOTAL_FORMS": str(len(rules)),
            "form-INITIAL_FORMS": str(len(rules)),
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "_save": "Save",
        }
        for index, row in enumerate(rules):
            data[f"form-{index}-id"] = str(row.pk)
            data[f"form-{index}-mood"] = row.mood
            data[f"form-{index}-weight"] = weights.get(row.pk, str(row.weight))
        return curator_client.post(RULES, data)

    one_zero = post({lift_sad[0].pk: "0"})
    both_zero = post({lift_sad[0].pk: "0", lift_sad[1].pk: "0"})

    assert one_zero.status_code == 302
    assert both_zero.status_code == 200
    assertContains(both_zero, "has no mood with a weight above 0 for: sad.")
    assert EmotionMoodRule.objects.get(pk=lift_sad[1].pk).weight == 0.6


@pytest.mark.django_db
def test_deleting_the_last_rule_of_an_emotion_is_refused(curator_client: Client) -> None:
    (only_fear,) = EmotionMoodRule.objects.filter(emotion="fear", strategy="lift")
    lift_sad = list(EmotionMoodRule.objects.filter(emotion="sad", strategy="lift"))

    single = curator_client.post(
        reverse("admin:recommendations_emotionmoodrule_delete", args=[only_fear.pk]),
        {"post": "yes"},
        follow=True,
    )
    bulk = action(curator_client, "delete_selected_checked", only_fear.pk, url=RULES)
    allowed = action(
        curator_client, "delete_selected_checked", lift_sad[1].pk, url=RULES, post="yes"
    )

    assertContains(single, "Not deleted:")
    assertContains(bulk, "Not deleted:")
    assert EmotionMoodRule.objects.filter(pk=only_fear.pk).exists()
    assert allowed.status_code == 200
    assert not EmotionMoodRule.objects.filter(pk=lift_sad[1].pk).exists()


@pytest.mark.django_db
def test_an_uncovered_emotion_is_flagged_on_the_list(curator_client: Client) -> None:
    EmotionMoodRule.objects.filter(emotion="disgust", strategy="match").delete()

    response = curator_client.get(RULES)

    assertContains(response, "has no mood with a weight above 0 for: disgust.")


# Tracks, readings, ratings, users ---------------------------------------------------------------


@pytest.mark.django_db
def test_readings_are_filterable_and_never_show_images(
    curator_client: Client, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path)
    monkeypatch.setattr(MoodReading._meta.get_field("thumbnail"), "storage", storage)
    reading = MoodReading.objects.create(
        user=UserFactory(),
        source="upload",
        status="done",
        emotion="sad",
        confidence=0.9,
        model_version="cnn-7",
    )
    reading.thumbnail.save("secret-face.jpg", ContentFile(b"\xff\xd8 jpeg"), save=True)

    listing = curator_client.get(
        "/admin/emotions/moodreading/?emotion=sad&status=done&model_version=cnn-7"
    )
    page = curator_client.get(reverse("admin:emotions_moodreading_change", args=[reading.pk]))

    assert list(listing.context["cl"].result_list) == [reading]
    assert (
        curator_client.get("/admin/emotions/moodreading/?emotion=happy").context["cl"].result_count
        == 0
    )
    assertContains(page, "Thumbnail kept")
    assertNotContains(page, "secret-face")
    assertNotContains(page, "thumbs/")
    assertNotContains(page, "/thumbnail/")


@pytest.mark.django_db
def test_ratings_are_read_only(curator_client: Client) -> None:
    response = curator_client.get("/admin/feedback/rating/")
    assert response.status_code == 200
    assert curator_client.get("/admin/feedback/rating/add/").status_code == 403


@pytest.mark.django_db
def test_a_rule_edit_re_derives_what_past_ratings_say(
    curator_client: Client, django_capture_on_commit_callbacks
) -> None:
    from feedback.services import rating_upsert
    from library.models import TrackMood
    from recommendations.models import RecommendationItem
    from recommendations.tests.factories import RecommendationItemFactory

    item: RecommendationItem = RecommendationItemFactory(
        recommendation__emotion="sad", recommendation__strategy="match"
    )
    rating_upsert(user=item.recommendation.user, item=item, stars=5)

    def rated_moods() -> set[str]:
        return set(
            TrackMood.objects.filter(track=item.track, source="ratings").values_list(
                "mood", flat=True
            )
        )

    assert rated_moods() == {"sad"}  # "match" + sad targets the sad mood
    (only_sad,) = EmotionMoodRule.objects.filter(emotion="sad", strategy="match")
    url = reverse("admin:recommendations_emotionmoodrule_change", args=[only_sad.pk])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = curator_client.post(
            url, {"strategy": "match", "emotion": "sad", "mood": "calm", "weight": "1"}
        )

    assert response.status_code == 302
    assert len(callbacks) == 1  # one re-derivation queued for the edit
    # A 5-star rating given while the rules said "sad" now says "calm", as the new rule reads it.
    assert rated_moods() == {"calm"}
