"""Group photos: the room's mood is stored with the reading, shown on the result page and in the
API, chosen for the songs ("Play for the room"), exported and deleted with the reading."""

from __future__ import annotations

import math
import re

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects
from rest_framework.test import APIClient

from accounts.models import User
from core.exceptions import ApplicationError
from emotions.models import MoodReading
from emotions.presentation import group_summary
from emotions.services import (
    reading_correct,
    reading_create,
    reading_mood_source_set,
    reading_process,
)
from emotions.tests import images
from emotions.tests.factories import MoodReadingFactory
from insights.history import history_delete_all, user_data_export
from library.evidence import track_moods_sync_curated
from library.tests.factories import curated_library
from ml.labels import EMOTIONS
from recommendations.models import Recommendation

HTMX = {"HTTP_HX_REQUEST": "true"}
Group = MoodReading.MoodSource.GROUP
Face = MoodReading.MoodSource.FACE


def page(reading: MoodReading) -> str:
    return f"/mood/readings/{reading.pk}/"


def choose(reading: MoodReading) -> str:
    return f"/mood/readings/{reading.pk}/mood-source/"


def assert_whole_summary(group: dict, faces: int) -> None:
    assert group["emotion"] in EMOTIONS
    assert set(group["probabilities"]) == set(EMOTIONS)
    assert math.isclose(sum(group["probabilities"].values()), 1.0, abs_tol=0.002)
    assert group["confidence"] == max(group["probabilities"].values())
    assert group["probabilities"][group["emotion"]] == group["confidence"]
    assert group["face_count"] == faces


# Inference stores the room's mood (the tiny model: fast; the pipeline is the real one)


@pytest.mark.django_db
@pytest.mark.usefixtures("emotion_model")
def test_a_photo_of_two_faces_stores_the_rooms_mood(user: User) -> None:
    pending = reading_create(
        user=user, image_file=images.upload(images.two_faces_jpeg()), source="upload"
    )

    reading = reading_process(reading_id=pending.pk)

    assert reading.status == MoodReading.Status.DONE
    assert reading.face_count == 2
    assert reading.group is not None, "the model returned no group summary for two faces"
    assert_whole_summary(reading.group, faces=2)
    assert reading.mood_source == Face
    assert reading.effective_emotion == reading.emotion  # the largest face's until chosen


@pytest.mark.django_db
@pytest.mark.usefixtures("emotion_model")
def test_one_face_or_none_has_no_room_mood(user: User) -> None:
    one, none = (
        reading_process(
            reading_id=reading_create(user=user, image_file=images.upload(data), source="upload").pk
        )
        for data in (images.astronaut_jpeg(), images.plain_jpeg())
    )

    assert (one.status, one.face_count, one.group) == ("done", 1, None)
    assert (none.status, none.face_count, none.group) == ("no_face", 0, None)


# Choosing the room's mood for the songs


@pytest.mark.django_db
def test_playing_for_the_room_makes_its_mood_the_readings() -> None:
    reading = MoodReadingFactory(group_photo=True)
    assert (reading.emotion, reading.group_emotion, reading.effective_emotion) == (
        "sad",
        "happy",
        "sad",
    )

    reading_mood_source_set(reading=reading, mood_source="group")
    reading.refresh_from_db()
    assert (reading.mood_source, reading.user_emotion, reading.effective_emotion) == (
        Group,
        "happy",
        "happy",
    )

    reading_mood_source_set(reading=reading, mood_source="face")
    reading.refresh_from_db()
    assert (reading.mood_source, reading.user_emotion, reading.effective_emotion) == (
        Face,
        "",
        "sad",
    )


@pytest.mark.django_db
def test_a_correction_after_the_room_is_the_listeners_own_word() -> None:
    reading = MoodReadingFactory(group_photo=True)
    reading_mood_source_set(reading=reading, mood_source="group")

    reading_correct(reading=reading, emotion="neutral")
    reading.refresh_from_db()

    assert (reading.mood_source, reading.effective_emotion) == (Face, "neutral")
    # Going back to the face keeps the listener's own word: only the room's mood is undone.
    reading_mood_source_set(reading=reading, mood_source="face")
    reading.refresh_from_db()
    assert reading.effective_emotion == "neutral"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reading_kwargs", "mood_source", "message"),
    [
        ({"done": True}, "group", "needs a photo with two or more faces"),
        ({"status": "no_face"}, "group", "needs a photo with two or more faces"),
        ({"group_photo": True}, "crowd", "Choose songs for the room"),
    ],
)
def test_the_room_cannot_be_chosen_without_one(
    reading_kwargs: dict, mood_source: str, message: str
) -> None:
    reading = MoodReadingFactory(**reading_kwargs)

    with pytest.raises(ApplicationError, match=message):
        reading_mood_source_set(reading=reading, mood_source=mood_source)
    reading.refresh_from_db()
    assert (reading.mood_source, reading.user_emotion) == (Face, "")


@pytest.mark.django_db
def test_the_songs_follow_the_room_once_chosen(client_logged_in: Client, user: User) -> None:
    curated_library(user, per_mood=5)
    track_moods_sync_curated()
    reading = MoodReadingFactory(user=user, group_photo=True)

    client_logged_in.post(choose(reading), {"mood_source": "group"})
    songs = client_logged_in.get(f"/songs/reading/{reading.pk}/", {"strategy": "match"}, **HTMX)

    assert songs.status_code == 200
    assertContains(songs, "Feeling happy? Songs to match your mood")
    assertContains(songs, "curated happy")
    assert Recommendation.objects.get(reading=reading).emotion == "happy"


# The result page


@pytest.mark.django_db
def test_the_result_page_shows_every_face_and_the_room(
    client_logged_in: Client, user: User
) -> None:
    reading = MoodReadingFactory(user=user, group_photo=True)

    response = client_logged_in.get(page(reading))

    html = response.content.decode()
    assert len(re.findall(r'<rect class="face-box[^"]*" x=', html)) == 3
    assertContains(response, '<text class="face-number"', count=3)
    assertContains(
        response,
        "the 3 faces were in your 640\N{MULTIPLICATION SIGN}480 photo; face 1 is the largest",
    )
    assertContains(
        response, '<span class="visually-hidden">Face 2:</span> Happy <small>82%</small>'
    )
    # The largest face still leads; the room has its own card with seven bars and a table.
    assertContains(
        response, 'You look <strong class="emotion-word" data-emotion="sad">sad</strong>'
    )
    assertContains(response, 'id="room-heading"')
    assertContains(
        response, 'The room feels <strong class="emotion-word" data-emotion="happy">happy</strong>'
    )
    assertContains(response, "<strong>58%</strong> happy · 3 faces read together")
    assertContains(response, 'id="room-chart"')
    assertContains(response, "Highest: Happy 58%, Sad 25%, Fear 5%.")
    assertContains(
        response, '<tr class="primary"><th scope="row">Happy</th><td>58.0%</td></tr>', html=True
    )
    assertContains(response, '<th scope="row">', count=14)  # the room's table and face 1's
    assertContains(response, "All seven emotions on face 1")
    assertContains(response, 'name="mood_source" value="group"')
    assertContains(response, "Play for the room")


@pytest.mark.django_db
def test_the_finished_result_announces_the_room_too(client_logged_in: Client, user: User) -> None:
    reading = MoodReadingFactory(user=user, group_photo=True)

    polled = client_logged_in.get(f"{page(reading)}status/", **HTMX)

    assertContains(polled, "Your reading is ready: sad. The room feels happy.")


@pytest.mark.django_db
def test_the_history_says_when_the_songs_were_for_the_room(
    client_logged_in: Client, user: User
) -> None:
    reading = MoodReadingFactory(user=user, group_photo=True)
    before = client_logged_in.get("/mood/history/")
    reading_mood_source_set(reading=reading, mood_source="group")

    after = client_logged_in.get("/mood/history/")

    assertNotContains(before, "the room's mood")
    assertContains(after, "the room's mood, 3 faces")
    assertNotContains(after, "model saw sad")


@pytest.mark.django_db
def test_eight_faces_are_all_shown_and_served(
    client_logged_in: Client, user: User, api: APIClient
) -> None:
    """The model returns up to 8 faces, largest first: every one is kept, drawn and listed."""
    base = MoodReadingFactory.build(group_photo=True)
    faces = [
        {**base.faces[1], "box": [20 + 150 * i, 300 - 10 * i, 140 - 8 * i, 140 - 8 * i]}
        for i in range(8)
    ]
    reading = MoodReadingFactory(
        user=user,
        group_photo=True,
        faces=faces,
        face_count=8,
        image_width=1280,
        image_height=720,
        group={**base.group, "face_count": 8},
    )

    response = client_logged_in.get(page(reading))
    served = api.get(f"/api/v1/readings/{reading.pk}/").json()

    assertContains(response, '<text class="face-number"', count=8)
    assertContains(response, '<li data-face="', count=8)
    assertContains(response, "the 8 faces were in your 1280\N{MULTIPLICATION SIGN}720 photo")
    assertContains(response, "8 faces read together")
    assert [face["box"] for face in served["faces"]] == [face["box"] for face in faces]
    assert (served["face_count"], served["group"]["face_count"]) == (8, 8)


@pytest.mark.django_db
def test_a_single_face_page_has_no_room_card(client_logged_in: Client, user: User) -> None:
    response = client_logged_in.get(page(MoodReadingFactory(user=user, done=True)))

    assertNotContains(response, "room-heading")
    assertNotContains(response, "Play for the room")
    assertNotContains(response, "face-list")


@pytest.mark.django_db
def test_play_for_the_room_with_htmx_returns_the_panel_led_by_the_room(
    client_logged_in: Client, user: User
) -> None:
    reading = MoodReadingFactory(user=user, group_photo=True)

    response = client_logged_in.post(choose(reading), {"mood_source": "group"}, **HTMX)

    assert response.status_code == 200
    assertNotContains(response, "<html")
    assertContains(
        response,
        '<h1 id="reading-title"><span class="result-emoji" aria-hidden="true">😊</span> '
        'The room feels <strong class="emotion-word" data-emotion="happy">happy</strong></h1>',
    )
    assertContains(response, "Face 1, the largest, looks <strong>sad</strong> (70% confident)")
    assertContains(response, "Songs now follow the room's mood: happy.")
    assertContains(response, "?strategy=match&amp;focus=1")  # the songs take the focus
    assertContains(response, "Songs for face 1 instead")
    assertNotContains(response, "Undo my correction")
    assertContains(response, 'aria-pressed="true"', count=0)  # no correction is pressed
    reading.refresh_from_db()
    assert reading.effective_emotion == "happy"


@pytest.mark.django_db
def test_without_javascript_the_choice_redirects_back(client_logged_in: Client, user: User) -> None:
    reading = MoodReadingFactory(user=user, group_photo=True)

    response = client_logged_in.post(choose(reading), {"mood_source": "group"})
    assertRedirects(response, page(reading))
    back = client_logged_in.post(choose(reading), {"mood_source": "face"}, follow=True)

    assertContains(back, "Play for the room")
    reading.refresh_from_db()
    assert (reading.mood_source, reading.effective_emotion) == (Face, "sad")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("group_photo", "data", "message"),
    [
        (True, {"mood_source": "crowd"}, "Choose songs for the room or for the largest face."),
        (True, {}, "Choose songs for the room or for the largest face."),
        (False, {"mood_source": "group"}, "needs a photo with two or more faces"),
    ],
)
def test_a_bad_choice_is_a_400_with_a_sentence(
    client_logged_in: Client, user: User, group_photo: bool, data: dict, message: str
) -> None:
    reading = MoodReadingFactory(user=user, done=True, group_photo=group_photo)

    response = client_logged_in.post(choose(reading), data)
    htmx = client_logged_in.post(choose(reading), data, **HTMX)

    assert response.status_code == 400
    assertContains(response, message, status_code=400)
    assertContains(response, 'role="alert"', status_code=400)
    assertContains(htmx, message)  # HTMX swaps only 2xx: the panel carries the alert
    reading.refresh_from_db()
    assert (reading.mood_source, reading.user_emotion) == (Face, "")


@pytest.mark.django_db
def test_someone_elses_reading_cannot_be_played_for_the_room(client_logged_in: Client) -> None:
    other = MoodReadingFactory(group_photo=True)

    assert client_logged_in.post(choose(other), {"mood_source": "group"}).status_code == 404
    assert client_logged_in.get(choose(other)).status_code in (404, 405)
    other.refresh_from_db()
    assert other.mood_source == Face


@pytest.mark.django_db
def test_the_card_rows_follow_the_stored_summary() -> None:
    summary = group_summary(MoodReadingFactory(group_photo=True))

    assert summary is not None
    assert [row["name"] for row in summary["rows"]] == list(EMOTIONS)
    assert summary["chart"]["primary"] == EMOTIONS.index("happy")
    assert summary["chart"]["values"][EMOTIONS.index("sad")] == 25.0
    assert (summary["face_count"], summary["chosen"], summary["same_as_face"]) == (3, False, False)
    assert group_summary(MoodReadingFactory(done=True)) is None


# The API


@pytest.fixture
def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_the_api_shows_the_room_and_patch_chooses_it(api: APIClient, user: User) -> None:
    reading = MoodReadingFactory(user=user, group_photo=True)
    url = f"/api/v1/readings/{reading.pk}/"

    shown = api.get(url).json()
    chosen = api.patch(url, {"mood_source": "group"}, format="json")
    single = api.get(f"/api/v1/readings/{MoodReadingFactory(user=user, done=True).pk}/").json()

    assert shown["group"]["emotion"] == "happy"
    assert shown["group"]["face_count"] == 3
    assert set(shown["group"]["probabilities"]) == set(EMOTIONS)
    assert (shown["mood_source"], shown["effective_emotion"], len(shown["faces"])) == (
        "face",
        "sad",
        3,
    )
    assert chosen.status_code == 200
    assert (chosen.json()["mood_source"], chosen.json()["effective_emotion"]) == ("group", "happy")
    assert single["group"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"mood_source": "group", "user_emotion": "sad"}, "Send either user_emotion"),
        ({}, "Send either user_emotion"),
        ({"mood_source": "crowd"}, "not a valid choice"),
    ],
)
def test_the_api_rejects_an_unclear_patch(
    api: APIClient, user: User, body: dict, message: str
) -> None:
    reading = MoodReadingFactory(user=user, group_photo=True)

    response = api.patch(f"/api/v1/readings/{reading.pk}/", body, format="json")

    assert response.status_code == 400
    assert message in str(response.json())
    reading.refresh_from_db()
    assert (reading.mood_source, reading.user_emotion) == (Face, "")


@pytest.mark.django_db
def test_the_api_refuses_the_room_of_a_single_face(api: APIClient, user: User) -> None:
    reading = MoodReadingFactory(user=user, done=True)

    response = api.patch(f"/api/v1/readings/{reading.pk}/", {"mood_source": "group"}, format="json")

    assert response.status_code == 400
    assert "two or more faces" in response.json()["message"]


@pytest.mark.django_db
def test_the_schema_describes_the_room(client: Client) -> None:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]

    assert set(components["GroupOutput"]["properties"]) == {
        "emotion",
        "confidence",
        "probabilities",
        "face_count",
    }
    reading = components["ReadingOutput"]["properties"]
    assert reading["group"]["nullable"] is True
    assert "mood_source" in reading


# Export and delete-all


@pytest.mark.django_db
def test_the_export_carries_the_room_and_delete_all_removes_it(user: User) -> None:
    reading = MoodReadingFactory(user=user, group_photo=True)
    reading_mood_source_set(reading=reading, mood_source="group")

    exported = user_data_export(user=user)["readings"]

    assert exported[0]["group"] == reading.group
    assert exported[0]["mood_source"] == "group"
    assert exported[0]["face_count"] == len(exported[0]["faces"]) == 3
    history_delete_all(user=user)
    assert not MoodReading.objects.filter(user=user).exists()
    assert user_data_export(user=user)["readings"] == []


# End to end: two real faces in one frame, through the real view, the task and the shipped model


@pytest.mark.django_db
@pytest.mark.usefixtures("shipped_model")
def test_a_group_photo_uploaded_through_the_page_shows_both_faces_and_the_room(
    client_logged_in: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the eager task runs on commit
        posted = client_logged_in.post(
            "/mood/", {"image": images.upload(images.two_faces_jpeg()), "source": "upload"}
        )
    reading = MoodReading.objects.get()
    assertRedirects(posted, page(reading))

    response = client_logged_in.get(page(reading))

    reading.refresh_from_db()
    assert (reading.status, reading.face_count) == ("done", 2)
    assertContains(response, '<text class="face-number"', count=2)  # the frame map's boxes
    assertContains(response, '<li data-face="', count=2)
    assertContains(response, "the 2 faces were in your 720\N{MULTIPLICATION SIGN}400 photo")
    assertContains(response, 'id="room-heading"')
    assertContains(response, "2 faces read together")
    room = reading.group
    assert room is not None, "the worker stored no group summary for two faces"
    assert_whole_summary(room, faces=2)
    # Both are the astronaut's smile: the room is as happy as she is.
    assert room["emotion"] == reading.emotion == "happy"
    assertContains(response, 'The room feels <strong class="emotion-word" data-emotion="happy">')
    assertContains(response, "Play for the room")
