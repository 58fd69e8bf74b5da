"""Tests for the readings API: auth, the 202 shape, bad input, ownership, paging, throttling."""

from __future__ import annotations

from pathlib import Path

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from accounts.models import User
from accounts.tests.factories import UserFactory
from emotions.models import MoodReading
from emotions.tests import images
from emotions.tests.conftest import stored_files
from emotions.tests.factories import MoodReadingFactory
from ml.labels import EMOTIONS

URL = "/api/v1/readings/"
READING_FIELDS = {
    "id",
    "url",
    "page_url",
    "status",
    "source",
    "emotion",
    "user_emotion",
    "effective_emotion",
    "confidence",
    "probabilities",
    "faces",
    "face_count",
    "group",
    "mood_source",
    "uncertain",
    "model_version",
    "error_message",
    "thumbnail_url",
    "created_at",
    "finished_at",
}


@pytest.fixture
def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post_photo(api: APIClient, data: bytes, name: str = "photo.jpg", **extra: str):
    return api.post(URL, {"image": images.upload(data, name), **extra}, format="multipart")


# DRF marks the surrounding transaction for rollback when it renders its own errors; the
# creation view runs outside a request transaction, so these tests need a real commit too.
@pytest.mark.django_db(transaction=True)
def test_anonymous_callers_are_refused() -> None:
    client = APIClient()
    assert client.get(URL).status_code in (401, 403)
    assert client.post(URL, {"emotion": "happy"}, format="json").status_code in (401, 403)
    assert not MoodReading.objects.exists()


@pytest.mark.django_db
def test_a_photo_is_accepted_with_202_and_the_reading(api: APIClient, user: User) -> None:
    response = post_photo(api, images.astronaut_jpeg(), source="webcam")

    assert response.status_code == 202
    body = response.json()
    assert set(body) == READING_FIELDS
    reading = MoodReading.objects.get()
    assert reading.user == user
    assert body["id"] == reading.pk
    assert body["url"] == f"http://testserver/api/v1/readings/{reading.pk}/"
    assert body["page_url"] == f"http://testserver/mood/readings/{reading.pk}/"
    assert body["status"] == "pending"
    assert body["source"] == "webcam"
    assert body["probabilities"] == {}
    assert body["faces"] == []
    assert body["thumbnail_url"] is None


@pytest.mark.django_db
@pytest.mark.usefixtures("emotion_model")
def test_once_inference_ran_the_reading_has_probabilities_and_faces(
    api: APIClient, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        reading_id = post_photo(api, images.astronaut_jpeg()).json()["id"]

    body = api.get(f"{URL}{reading_id}/").json()

    assert body["status"] == "done"
    assert list(body["probabilities"]) == list(EMOTIONS)
    assert body["emotion"] == max(body["probabilities"], key=body["probabilities"].get)
    assert body["effective_emotion"] == body["emotion"]
    assert body["face_count"] == 1
    assert set(body["faces"][0]) == {"box", "emotion", "confidence", "uncertain", "probabilities"}
    assert body["thumbnail_url"] == f"http://testserver/mood/readings/{reading_id}/thumbnail/"


@pytest.mark.django_db
def test_a_picked_mood_is_sent_as_json(api: APIClient) -> None:
    response = api.post(URL, {"emotion": "sad"}, format="json")

    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["source"], body["user_emotion"]) == ("done", "manual", "sad")
    assert body["effective_emotion"] == "sad"
    assert body["emotion"] == ""


@pytest.mark.django_db
def test_a_picked_mood_must_be_one_of_the_seven(api: APIClient) -> None:
    response = api.post(URL, {"emotion": "ecstatic"}, format="json")

    assert response.status_code == 400
    assert "emotion" in response.json()["extra"]["fields"]


@pytest.mark.django_db
def test_an_empty_request_asks_for_a_photo(api: APIClient) -> None:
    response = api.post(URL, {}, format="multipart")

    assert response.status_code == 400
    assert response.json()["message"] == "Choose a photo to upload, or take a snapshot."


@pytest.mark.django_db
def test_a_photo_and_a_mood_together_are_refused(api: APIClient) -> None:
    response = post_photo(api, images.astronaut_jpeg(), emotion="happy")

    assert response.status_code == 400
    assert response.json()["message"] == "Send either a photo or a mood, not both."


BAD_UPLOADS = {
    "empty": (b"", "photo.jpg", "empty_file"),
    "text named .jpg": (images.NOT_AN_IMAGE, "photo.jpg", "not_an_image"),
    "truncated jpeg": (images.astronaut_jpeg()[:3000], "photo.jpg", "corrupt_image"),
    "svg": (images.SVG, "face.svg", "unsupported_format"),
    "pdf": (images.PDF, "face.pdf", "unsupported_format"),
    "over 10 MB": (b"\xff\xd8" + bytes(10 * 1024 * 1024), "big.jpg", "file_too_large"),
    "decompression bomb": (images.decompression_bomb_png(), "bomb.png", "too_many_pixels"),
    "huge dimensions": (images.png_header_only(60_000, 50_000), "huge.png", "too_many_pixels"),
    "1x1": (images.encode(images.astronaut_rgb()[:1, :1], "PNG"), "dot.png", "too_small"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_every_bad_upload_gets_a_400_a_sentence_and_leaves_nothing(
    api: APIClient, private_media: Path, case: str
) -> None:
    data, name, code = BAD_UPLOADS[case]

    response = post_photo(api, data, name)

    assert response.status_code == 400
    body = response.json()
    assert body["extra"] == {"field": "image", "code": code}
    assert body["message"][0].isupper()
    assert body["message"].endswith(".")
    assert "Traceback" not in body["message"]
    assert not MoodReading.objects.exists()
    assert stored_files(private_media) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("broker_down")
def test_when_the_analysis_cannot_start_the_api_says_so_with_503(
    private_media: Path,
) -> None:
    api = APIClient()
    api.force_authenticate(UserFactory())

    response = post_photo(api, images.astronaut_jpeg())

    assert response.status_code == 503
    assert response.json()["message"] == (
        "We couldn't start the analysis. Please try again in a moment."
    )
    assert not MoodReading.objects.exists()
    assert stored_files(private_media) == []


@pytest.mark.django_db
def test_the_list_is_paginated_newest_first_and_only_mine(api: APIClient, user: User) -> None:
    mine = [MoodReadingFactory(user=user, done=True) for _ in range(23)]
    MoodReadingFactory(done=True)  # someone else's

    first = api.get(URL).json()
    second = api.get(first["next"]).json()

    assert first["count"] == 23
    assert len(first["results"]) == 20
    assert [r["id"] for r in first["results"] + second["results"]] == [r.pk for r in mine[::-1]]
    assert second["next"] is None


@pytest.mark.django_db
def test_someone_elses_reading_is_404_for_every_method(api: APIClient) -> None:
    other = MoodReadingFactory(done=True)
    url = f"{URL}{other.pk}/"

    assert api.get(url).status_code == 404
    assert api.patch(url, {"user_emotion": "sad"}, format="json").status_code == 404
    assert api.delete(url).status_code == 404
    other.refresh_from_db()
    assert other.user_emotion == ""


@pytest.mark.django_db
def test_patch_corrects_and_clears_the_emotion(api: APIClient, user: User) -> None:
    reading = MoodReadingFactory(user=user, done=True)
    url = f"{URL}{reading.pk}/"

    corrected = api.patch(url, {"user_emotion": "surprise"}, format="json")
    assert corrected.status_code == 200
    assert corrected.json()["effective_emotion"] == "surprise"
    assert corrected.json()["emotion"] == "happy"

    cleared = api.patch(url, {"user_emotion": None}, format="json")
    assert cleared.json()["effective_emotion"] == "happy"

    wrong = api.patch(url, {"user_emotion": "meh"}, format="json")
    assert wrong.status_code == 400


@pytest.mark.django_db
def test_delete_removes_the_reading_and_its_thumbnail(
    api: APIClient, user: User, private_media: Path, django_capture_on_commit_callbacks
) -> None:
    reading = MoodReadingFactory(user=user, done=True)
    reading.thumbnail.save("face.jpg", images.upload(images.astronaut_jpeg()), save=True)
    assert stored_files(private_media)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.delete(f"{URL}{reading.pk}/")

    assert response.status_code == 204
    assert not MoodReading.objects.exists()
    assert stored_files(private_media) == []


@pytest.mark.django_db(transaction=True)
def test_uploads_are_rate_limited_per_user_but_reading_is_not(
    api: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "uploads", "2/minute")

    statuses = [api.post(URL, {"emotion": "happy"}, format="json").status_code for _ in range(3)]

    assert statuses == [202, 202, 429]
    throttled = api.post(URL, {"emotion": "sad"}, format="json").json()
    # In words, not DRF's "Request was throttled. Expected available in 59 seconds."
    assert throttled["message"] == (
        "You've uploaded a lot of photos. You can upload again in about a minute."
    )
    assert 0 < throttled["extra"]["retry_after_seconds"] <= 60
    assert all(api.get(URL).status_code == 200 for _ in range(5))
    other = APIClient()
    other.force_authenticate(UserFactory())
    assert other.post(URL, {"emotion": "happy"}, format="json").status_code == 202


@pytest.mark.django_db
def test_the_readings_api_is_in_the_openapi_schema(client) -> None:
    schema = client.get("/api/schema/", {"format": "json"}).json()

    collection = schema["paths"]["/api/v1/readings/"]
    assert set(collection) >= {"get", "post"}
    content = collection["post"]["requestBody"]["content"]
    assert set(content) == {"multipart/form-data", "application/json"}
    assert set(collection["post"]["responses"]) >= {"202", "400", "429", "503"}
    detail = schema["paths"]["/api/v1/readings/{reading_id}/"]
    assert set(detail) >= {"get", "patch", "delete"}
    assert "ReadingOutput" in str(collection["post"]["responses"]["202"])


@pytest.mark.django_db
def test_rejected_uploads_do_not_use_up_the_budget(
    api: APIClient, monkeypatch: pytest.MonkeyPatch, private_media
) -> None:
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "uploads", "1/hour")

    rejected = [
        api.post(URL, {}, format="multipart").status_code,
        api.post(URL, {"emotion": "ecstatic"}, format="json").status_code,
        post_photo(api, images.PDF).status_code,
    ]
    accepted = post_photo(api, images.astronaut_jpeg())
    spent = post_photo(api, images.astronaut_jpeg())

    assert rejected == [400, 400, 400]
    assert accepted.status_code == 202
    assert spent.status_code == 429
    assert "You can upload again in about an hour." in spent.json()["message"]
