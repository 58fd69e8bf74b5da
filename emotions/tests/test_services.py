"""Tests for the reading services: creation, inference and privacy, idempotency, the sweeper."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image

from accounts.models import User
from core.exceptions import ApplicationError
from emotions import services
from emotions.models import MoodReading
from emotions.services import (
    reading_correct,
    reading_create,
    reading_delete,
    reading_process,
    readings_sweep_stuck,
)
from emotions.tests import images
from emotions.tests.conftest import stored_files
from emotions.tests.factories import MoodReadingFactory
from emotions.validation import STORED_MAX_SIDE
from ml.labels import EMOTIONS

Status = MoodReading.Status


def photo_reading(user: User, data: bytes | None = None, source: str = "upload") -> MoodReading:
    """A pending photo reading whose task has not run (the test transaction never commits)."""
    return reading_create(
        user=user, image_file=images.upload(data or images.astronaut_jpeg()), source=source
    )


# Creating readings


@pytest.mark.django_db
def test_a_picked_mood_is_done_at_once(user: User, private_media: Path) -> None:
    reading = reading_create(user=user, source="manual", emotion="sad")

    assert reading.status == Status.DONE
    assert reading.user_emotion == "sad"
    assert reading.effective_emotion == "sad"
    assert reading.finished_at is not None
    assert stored_files(private_media) == []


@pytest.mark.django_db
@pytest.mark.parametrize("emotion", [None, "", "ecstatic"])
def test_a_picked_mood_must_be_one_of_the_seven(user: User, emotion: str | None) -> None:
    with pytest.raises(ApplicationError, match="Pick one of"):
        reading_create(user=user, source="manual", emotion=emotion)
    assert not MoodReading.objects.exists()


@pytest.mark.django_db
def test_a_photo_is_stored_privately_and_queued_for_inference_on_commit(
    user: User,
    private_media: Path,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks,
) -> None:
    sent = []
    monkeypatch.setattr(
        "emotions.tasks.process_reading.apply_async",
        lambda **kwargs: sent.append(kwargs),
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reading = photo_reading(user, source="webcam")
    assert sent == []  # nothing is sent before the row is committed

    assert reading.status == Status.PENDING
    assert reading.source == "webcam"
    assert reading.image.name.startswith(f"frames/{user.pk}/")
    assert stored_files(private_media) == [reading.image.name]
    assert (reading.image_width, reading.image_height) == (512, 512)

    for callback in callbacks:
        callback()
    assert sent == [
        {"args": (reading.pk,), "queue": "ml", "retry_policy": services.PUBLISH_RETRY_POLICY}
    ]


@pytest.mark.django_db
def test_a_bad_photo_writes_nothing(user: User, private_media: Path) -> None:
    with pytest.raises(ApplicationError) as caught:
        photo_reading(user, images.NOT_AN_IMAGE)

    assert caught.value.status_code == 400
    assert not MoodReading.objects.exists()
    assert stored_files(private_media) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("broker_down")
def test_when_the_broker_is_down_the_reading_and_its_file_are_removed(
    user: User, private_media: Path
) -> None:
    with pytest.raises(ApplicationError) as caught:
        photo_reading(user)

    assert caught.value.status_code == 503
    assert caught.value.message == services.COULD_NOT_START
    assert not MoodReading.objects.exists()
    assert stored_files(private_media) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("emotion_model")
def test_with_eager_tasks_the_reading_comes_back_finished(
    user: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        reading = photo_reading(user)

    reading.refresh_from_db()
    assert reading.status == Status.DONE


# Inference and the privacy policy


@pytest.mark.django_db
@pytest.mark.usefixtures("emotion_model")
def test_inference_stores_the_result_keeps_a_thumbnail_and_deletes_the_frame(
    user: User, private_media: Path
) -> None:
    reading = photo_reading(user)
    frame = reading.image.name

    reading = reading_process(reading_id=reading.pk)

    assert reading.status == Status.DONE
    assert set(reading.probabilities) == set(EMOTIONS)
    assert sum(reading.probabilities.values()) == pytest.approx(1.0, abs=1e-3)
    assert reading.emotion == max(reading.probabilities, key=reading.probabilities.get)
    assert reading.confidence == reading.probabilities[reading.emotion]
    assert reading.face_count == 1
    (face,) = reading.faces
    x, y, w, _ = face["box"]
    assert 140 < x < 220  # the astronaut's face
    assert 30 < y < 110
    assert 70 < w < 140
    assert face["crop"][0] <= x
    assert face["crop"][2] >= w
    assert reading.model_version.startswith("cnn-")
    assert reading.attempts == 1
    assert reading.finished_at is not None
    assert reading.error_message == ""
    # Privacy: the full frame is gone from storage, only the face thumbnail remains.
    assert reading.image.name == ""
    assert not (private_media / frame).exists()
    assert stored_files(private_media) == [reading.thumbnail.name]
    assert reading.thumbnail.name.startswith(f"thumbs/{user.pk}/")
    assert (private_media / reading.thumbnail.name).read_bytes()[:2] == b"\xff\xd8"


@pytest.mark.django_db
@pytest.mark.usefixtures("emotion_model")
def test_a_user_who_keeps_nothing_keeps_nothing(user: User, private_media: Path) -> None:
    user.image_retention = User.ImageRetention.NOTHING
    user.save()
    reading = photo_reading(user)

    reading = reading_process(reading_id=reading.pk)

    assert reading.status == Status.DONE
    assert reading.faces  # the boxes are still known
    assert not reading.thumbnail
    assert stored_files(private_media) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("emotion_model")
def test_a_photo_without_a_face_is_no_face_and_keeps_nothing(
    user: User, private_media: Path
) -> None:
    reading = reading_process(reading_id=photo_reading(user, images.plain_jpeg()).pk)

    assert reading.status == Status.NO_FACE
    assert reading.face_count == 0
    assert reading.emotion == ""
    assert reading.error_message == services.NO_FACE
    assert stored_files(private_media) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("emotion_model")
def test_several_faces_give_a_count_and_the_largest_as_primary(user: User) -> None:
    reading = reading_process(reading_id=photo_reading(user, images.two_faces_jpeg()).pk)

    assert reading.status == Status.DONE
    assert reading.face_count == 2
    primary, other = reading.faces
    assert primary["box"][0] < 360 <= other["box"][0]
    assert primary["box"][2] > other["box"][2]
    assert reading.emotion == primary["emotion"]
    assert "crop" not in other


@pytest.mark.django_db
@pytest.mark.usefixtures("emotion_model")
@pytest.mark.parametrize(
    "data", [images.exif_rotated_portrait_jpeg(), images.cmyk_jpeg(), images.animated_gif()]
)
def test_awkward_but_valid_photos_are_read(user: User, data: bytes) -> None:
    reading = reading_process(reading_id=photo_reading(user, data).pk)

    assert reading.status == Status.DONE
    assert reading.face_count == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("emotion_model")
def test_a_big_photo_is_read_at_its_stored_size(user: User) -> None:
    big = Image.fromarray(images.astronaut_rgb()).resize((3000, 3000))
    reading = reading_process(reading_id=photo_reading(user, images.encode(big)).pk)

    assert (reading.image_width, reading.image_height) == (STORED_MAX_SIDE, STORED_MAX_SIDE)
    assert reading.status == Status.DONE


@pytest.mark.django_db
@pytest.mark.usefixtures("emotion_model")
def test_a_second_delivery_of_a_finished_reading_changes_nothing(
    user: User, private_media: Path
) -> None:
    first = reading_process(reading_id=photo_reading(user).pk)
    files = stored_files(private_media)

    again = reading_process(reading_id=first.pk)

    assert again.status == Status.DONE
    assert again.attempts == 1
    assert again.finished_at == first.finished_at
    assert again.thumbnail.name == first.thumbnail.name
    assert stored_files(private_media) == files


@pytest.mark.django_db
@pytest.mark.usefixtures("emotion_model")
def test_a_reading_left_processing_by_a_lost_worker_is_run_again(user: User) -> None:
    reading = photo_reading(user)
    MoodReading.objects.filter(pk=reading.pk).update(status=Status.PROCESSING, attempts=1)

    reading = reading_process(reading_id=reading.pk)

    assert reading.status == Status.DONE
    assert reading.attempts == 2


@pytest.mark.django_db
def test_a_reading_that_keeps_killing_workers_is_given_up(user: User, private_media: Path) -> None:
    reading = photo_reading(user)
    MoodReading.objects.filter(pk=reading.pk).update(
        status=Status.PROCESSING, attempts=services.MAX_ATTEMPTS
    )

    reading = reading_process(reading_id=reading.pk)

    assert reading.status == Status.FAILED
    assert reading.error_message == services.TOO_MANY_ATTEMPTS
    assert stored_files(private_media) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("emotion_model")
def test_a_result_that_arrives_after_another_delivery_finished_is_dropped(
    user: User, private_media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reading = photo_reading(user)

    def the_other_delivery_finishes() -> None:
        MoodReading.objects.filter(pk=reading.pk).update(status=Status.DONE, emotion="sad")

    storage = MoodReading._meta.get_field("image").storage
    original_open = storage.open

    def open_after_the_other_delivery(*args: object, **kwargs: object):
        the_other_delivery_finishes()
        return original_open(*args, **kwargs)

    monkeypatch.setattr(storage, "open", open_after_the_other_delivery)

    result = reading_process(reading_id=reading.pk)

    assert result.emotion == "sad"
    assert stored_files(private_media) == []  # neither our thumbnail nor the frame


@pytest.mark.django_db
def test_a_missing_model_fails_the_reading_with_a_friendly_message(
    user: User, settings, tmp_path: Path, private_media: Path
) -> None:
    settings.EMOTION_MODEL_PATH = tmp_path / "nowhere" / "emotion_cnn.keras"

    reading = reading_process(reading_id=photo_reading(user).pk)

    assert reading.status == Status.FAILED
    assert reading.error_message == services.MODEL_UNAVAILABLE
    assert "emotion model is unavailable" in reading.error_message
    assert stored_files(private_media) == []


@pytest.mark.django_db
def test_a_missing_frame_fails_the_reading(user: User, private_media: Path) -> None:
    reading = photo_reading(user)
    (private_media / reading.image.name).unlink()

    reading = reading_process(reading_id=reading.pk)

    assert reading.status == Status.FAILED
    assert reading.error_message == services.FRAME_MISSING


@pytest.mark.django_db
def test_a_deleted_reading_is_nothing_to_do() -> None:
    assert reading_process(reading_id=123_456) is None


# Corrections and deletion


@pytest.mark.django_db
def test_a_correction_is_stored_and_can_be_undone() -> None:
    reading = MoodReadingFactory(done=True)

    reading_correct(reading=reading, emotion="sad")
    reading.refresh_from_db()
    assert (reading.emotion, reading.user_emotion, reading.effective_emotion) == (
        "happy",
        "sad",
        "sad",
    )

    reading_correct(reading=reading, emotion=None)
    reading.refresh_from_db()
    assert reading.effective_emotion == "happy"


@pytest.mark.django_db
def test_a_correction_must_be_an_emotion_and_a_picked_mood_cannot_be_cleared(user: User) -> None:
    with pytest.raises(ApplicationError, match="Pick one of"):
        reading_correct(reading=MoodReadingFactory(done=True), emotion="meh")
    manual = reading_create(user=user, source="manual", emotion="happy")
    with pytest.raises(ApplicationError, match="can be changed, not cleared"):
        reading_correct(reading=manual, emotion="")
    assert reading_correct(reading=manual, emotion="sad").effective_emotion == "sad"


@pytest.mark.django_db
@pytest.mark.usefixtures("emotion_model")
def test_deleting_a_reading_deletes_its_files(
    user: User, private_media: Path, django_capture_on_commit_callbacks
) -> None:
    done = reading_process(reading_id=photo_reading(user).pk)
    pending = photo_reading(user)
    assert len(stored_files(private_media)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        reading_delete(reading=done)
        reading_delete(reading=pending)

    assert not MoodReading.objects.exists()
    assert stored_files(private_media) == []


# The sweeper


@pytest.mark.django_db
def test_the_sweeper_fails_stuck_readings_and_tidies_files(
    user: User, private_media: Path, settings
) -> None:
    settings.READING_STUCK_AFTER_SECONDS = 600
    long_ago = timezone.now() - timedelta(minutes=11)
    stuck_pending = photo_reading(user)
    stuck_processing = photo_reading(user)
    recent = photo_reading(user)
    finished_with_leftover_frame = photo_reading(user)
    MoodReading.objects.filter(pk=stuck_pending.pk).update(updated_at=long_ago)
    MoodReading.objects.filter(pk=stuck_processing.pk).update(
        status=Status.PROCESSING, updated_at=long_ago
    )
    MoodReading.objects.filter(pk=finished_with_leftover_frame.pk).update(
        status=Status.DONE, updated_at=long_ago
    )
    orphan = private_media / "frames" / str(user.pk) / "orphan.jpg"
    orphan.write_bytes(b"\xff\xd8 a frame whose row was rolled back")
    old = long_ago.timestamp()
    os.utime(orphan, (old, old))

    assert readings_sweep_stuck() == 2

    statuses = dict(MoodReading.objects.values_list("pk", "status"))
    assert statuses == {
        stuck_pending.pk: Status.FAILED,
        stuck_processing.pk: Status.FAILED,
        recent.pk: Status.PENDING,
        finished_with_leftover_frame.pk: Status.DONE,
    }
    assert MoodReading.objects.get(pk=stuck_pending.pk).error_message == services.STUCK
    assert stored_files(private_media) == [recent.image.name]
    assert readings_sweep_stuck() == 0


@pytest.mark.django_db
@pytest.mark.usefixtures("emotion_model")
def test_the_sweeper_resends_a_reading_whose_whole_worker_died(
    user: User, private_media: Path, settings
) -> None:
    """A worker container killed mid-task leaves its message unacknowledged for the broker's
    visibility timeout (an hour on Redis); the sweeper sends the reading again instead."""
    settings.READING_RESEND_AFTER_SECONDS = 180
    settings.READING_STUCK_AFTER_SECONDS = 600
    four_minutes_ago = timezone.now() - timedelta(minutes=4)
    orphaned = photo_reading(user)
    still_running = photo_reading(user)
    MoodReading.objects.filter(pk=orphaned.pk).update(
        status=Status.PROCESSING, attempts=1, updated_at=four_minutes_ago
    )
    MoodReading.objects.filter(pk=still_running.pk).update(status=Status.PROCESSING, attempts=1)

    assert readings_sweep_stuck() == 0  # nothing failed: the orphan ran again (eager here)

    orphaned.refresh_from_db()
    assert orphaned.status == Status.DONE
    assert orphaned.attempts == 2
    assert orphaned.face_count == 1  # the astronaut's face, read by the (tiny) model
    assert stored_files(private_media) == [still_running.image.name, orphaned.thumbnail.name]
    still_running.refresh_from_db()
    assert (still_running.status, still_running.attempts) == (Status.PROCESSING, 1)


@pytest.mark.django_db
def test_a_resend_the_broker_refuses_leaves_the_reading_for_the_stuck_rule(
    user: User, private_media: Path, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kombu.exceptions import OperationalError

    from emotions import tasks

    def broker_down(*args: object, **kwargs: object) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.process_reading, "apply_async", broker_down)
    settings.READING_RESEND_AFTER_SECONDS = 180
    settings.READING_STUCK_AFTER_SECONDS = 600
    reading = photo_reading(user)
    MoodReading.objects.filter(pk=reading.pk).update(
        status=Status.PROCESSING, attempts=1, updated_at=timezone.now() - timedelta(minutes=4)
    )

    assert readings_sweep_stuck() == 0

    reading.refresh_from_db()
    assert reading.status == Status.PENDING  # waiting for a worker; its frame is kept
    assert stored_files(private_media) == [reading.image.name]
    assert readings_sweep_stuck(now=timezone.now() + timedelta(minutes=11)) == 1
    reading.refresh_from_db()
    assert (reading.status, reading.error_message) == (Status.FAILED, services.STUCK)
    assert stored_files(private_media) == []


@pytest.mark.django_db
def test_a_reading_out_of_attempts_is_not_resent(user: User, settings) -> None:
    settings.READING_RESEND_AFTER_SECONDS = 180
    reading = photo_reading(user)
    MoodReading.objects.filter(pk=reading.pk).update(
        status=Status.PROCESSING,
        attempts=services.MAX_ATTEMPTS,
        updated_at=timezone.now() - timedelta(minutes=4),
    )

    readings_sweep_stuck()

    reading.refresh_from_db()
    assert (reading.status, reading.attempts) == (Status.PROCESSING, services.MAX_ATTEMPTS)
