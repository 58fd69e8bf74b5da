"""Writes on mood readings: create, run the emotion model, correct, delete, sweep the stuck."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from functools import partial
from typing import Any, cast

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

from accounts.models import User
from core.exceptions import ApplicationError
from emotions.models import MoodReading
from emotions.validation import validate_image_upload
from ml.imageio import ImageDecodeError, decode_image
from ml.inference import ModelFileError, Recognition, get_recognizer
from ml.labels import EMOTIONS
from ml.preprocess import expand_box

logger = logging.getLogger(__name__)

Status = MoodReading.Status
# A reading whose task died this many times (worker killed, out of memory) is given up on.
MAX_ATTEMPTS = 3
THUMBNAIL_SIZE = 160
# Publishing from a web request: a couple of quick tries, then tell the user.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
BROKER_ERRORS = (BrokerOperationalError, OSError)

COULD_NOT_START = "We couldn't start the analysis. Please try again in a moment."
MODEL_UNAVAILABLE = (
    "The emotion model is unavailable right now, so we couldn't read this photo. "
    "Please try again later, or pick how you feel."
)
FRAME_MISSING = "The photo was no longer there to analyse. Please take or upload another."
NO_FACE = "We couldn't find a face in this photo."
TOO_MANY_ATTEMPTS = "The analysis kept failing on this photo. Please try another one."
TOOK_TOO_LONG = "The analysis took too long and was stopped. Please try again."
STUCK = "The analysis didn't finish in time. Please try again."
UNEXPECTED = "Something went wrong while reading this photo. Please try again."


def _storage() -> Storage:
    """The private storage the reading's file fields use."""
    return MoodReading._meta.get_field("image").storage


def _checked_emotion(emotion: str | None) -> str:
    if emotion not in EMOTIONS:
        raise ApplicationError(
            f"Pick one of: {', '.join(EMOTIONS)}.", extra={"field": "emotion", "code": "invalid"}
        )
    return emotion


@transaction.atomic
def _reading_discard(*, reading_id: int) -> None:
    """Remove a reading that never started, with its files (the enqueue failed)."""
    reading = MoodReading.objects.filter(pk=reading_id).first()
    if reading is None:
        return
    names = [name for name in (reading.image.name, reading.thumbnail.name) if name]
    reading.delete()
    transaction.on_commit(partial(_delete_files, names))


def _delete_files(names: list[str]) -> None:
    storage = _storage()
    for name in names:
        storage.delete(name)


def _enqueue_processing(*, reading_id: int) -> None:
    """Send the inference task; if the broker is down, undo the reading and say so (503)."""
    from emotions.tasks import INFERENCE_QUEUE, process_reading

    try:
        process_reading.apply_async(
            args=(reading_id,), queue=INFERENCE_QUEUE, retry_policy=PUBLISH_RETRY_POLICY
        )
    except BROKER_ERRORS as exc:
        logger.error("reading %s: could not enqueue inference (%s)", reading_id, type(exc).__name__)
        _reading_discard(reading_id=reading_id)
        raise ApplicationError(
            COULD_NOT_START, extra={"code": "broker_unavailable"}, status_code=503
        ) from exc


def reading_create(
    *,
    user: User,
    image_file: File | None = None,
    source: str,
    emotion: str | None = None,
) -> MoodReading:
    """A manual reading (done at once) or a photo reading (stored privately, inference queued).

    The photo is validated before anything is written. The task is sent when the transaction
    commits; if it cannot be sent, the reading and its file are removed and a 503
    ApplicationError is raised. Call it outside a request-wide transaction to get that error here.
    """
    if source == MoodReading.Source.MANUAL:
        if image_file is not None:
            raise ApplicationError("A mood you pick yourself has no photo.")
        return MoodReading.objects.create(
            user=user,
            source=source,
            status=Status.DONE,
            user_emotion=_checked_emotion(emotion),
            finished_at=timezone.now(),
        )
    if source not in (MoodReading.Source.UPLOAD, MoodReading.Source.WEBCAM):
        raise ApplicationError(f"Unknown source {source!r}.", extra={"field": "source"})
    if emotion:
        raise ApplicationError("Send either a photo or a mood, not both.")

    image = validate_image_upload(image_file)
    storage = _storage()
    name = storage.save(f"frames/{user.pk}/{uuid.uuid4().hex}.jpg", ContentFile(image.jpeg))
    try:
        with transaction.atomic():
            reading = MoodReading.objects.create(
                user=user,
                source=source,
                image=name,
                image_width=image.width,
                image_height=image.height,
            )
            transaction.on_commit(partial(_enqueue_processing, reading_id=reading.pk))
    except BaseException:
        # The row was rolled back or discarded: the file must not outlive it.
        storage.delete(name)
        raise
    # Tasks run inline in tests and the caller wants what is stored now.
    return MoodReading.objects.filter(pk=reading.pk).first() or reading


def _discard_frame(reading: MoodReading) -> None:
    """Delete the full frame from storage and forget its name (safe to repeat)."""
    name = reading.image.name
    if not name:
        return
    _storage().delete(name)
    MoodReading.objects.filter(pk=reading.pk, image=name).update(image="")
    reading.image = ""


def _start_processing(reading_id: int) -> MoodReading | None:
    """Claim the reading for this delivery; returns it final if there is nothing to do."""
    with transaction.atomic():
        reading = (
            MoodReading.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=reading_id)
            .first()
        )
        if reading is None or reading.is_final:
            pass
        elif reading.attempts >= MAX_ATTEMPTS:
            _set_final(reading, status=Status.FAILED, error_message=TOO_MANY_ATTEMPTS)
        else:
            reading.status = Status.PROCESSING
            reading.attempts += 1
            reading.started_at = timezone.now()
            reading.save(update_fields=["status", "attempts", "started_at", "updated_at"])
            return reading
    if reading is not None:
        _discard_frame(reading)
    return reading


def _set_final(
    reading: MoodReading, *, status: str, error_message: str = "", **fields: Any
) -> None:
    reading.status = status
    reading.error_message = error_message
    reading.finished_at = timezone.now()
    for field, value in fields.items():
        setattr(reading, field, value)
    reading.save()


def _finish(reading_id: int, *, thumbnail_name: str = "", **fields: Any) -> MoodReading | None:
    """Store the outcome unless another delivery finished first or the reading was deleted."""
    with transaction.atomic():
        reading = MoodReading.objects.select_for_update().filter(pk=reading_id).first()
        stored = reading is not None and not reading.is_final
        if stored:
            _set_final(cast(MoodReading, reading), thumbnail=thumbnail_name, **fields)
    if thumbnail_name and not stored:
        _delete_files([thumbnail_name])
    if reading is not None:
        _discard_frame(reading)
    return reading


def _face_records(recognition: Recognition) -> list[dict[str, Any]]:
    """Faces as stored: the model's view of each, and for the first the thumbnail's crop box."""
    records = [face.as_dict() for face in recognition.faces]
    if records:
        records[0]["crop"] = list(
            expand_box(recognition.faces[0].box, recognition.width, recognition.height)
        )
    return records


def _group_record(recognition: Recognition) -> dict[str, Any] | None:
    """The room's mood as stored (two or more faces; else None): the model's own summary, the
    faces' probabilities averaged, weighted by face size, in class order."""
    group = recognition.group
    if group is None:
        return None
    record = group.as_dict()
    record["probabilities"] = {name: record["probabilities"][name] for name in EMOTIONS}
    return record


def _save_thumbnail(reading: MoodReading, jpeg: bytes) -> str:
    name = f"thumbs/{reading.user_id}/{reading.pk}-{uuid.uuid4().hex[:8]}.jpg"
    return _storage().save(name, ContentFile(jpeg))


def reading_process(*, reading_id: int) -> MoodReading | None:
    """Run the emotion model on a reading's frame and store what it saw (idempotent).

    A final reading is left alone; one left in `processing` by a lost worker is run again. The
    full frame is deleted afterwards; the primary face's thumbnail is kept unless the user's
    setting says to keep nothing. Returns None when the reading no longer exists.
    """
    reading = _start_processing(reading_id)
    if reading is None or reading.is_final:
        return reading
    try:
        with reading.image.open("rb") as frame:
            data = frame.read()
    except (FileNotFoundError, ValueError):
        logger.warning("reading %s: frame %r is missing", reading.pk, reading.image.name)
        return _finish(reading.pk, status=Status.FAILED, error_message=FRAME_MISSING)

    recognizer = get_recognizer(settings.EMOTION_MODEL_PATH)
    try:
        rgb = decode_image(data, max_pixels=settings.READING_MAX_PIXELS)
        recognition = recognizer.recognize(rgb)
    except ModelFileError as exc:
        logger.error("reading %s: emotion model unavailable: %s", reading.pk, exc)
        return _finish(reading.pk, status=Status.FAILED, error_message=MODEL_UNAVAILABLE)
    except ImageDecodeError as exc:
        logger.warning("reading %s: frame unreadable: %s", reading.pk, exc)
        return _finish(reading.pk, status=Status.FAILED, error_message=UNEXPECTED)

    common: dict[str, Any] = {
        "faces": _face_records(recognition),
        "face_count": len(recognition.faces),
        "group": _group_record(recognition),
        "model_version": recognition.model_version,
        "image_width": recognition.width,
        "image_height": recognition.height,
    }
    primary = recognition.primary
    if primary is None:
        return _finish(reading.pk, status=Status.NO_FACE, error_message=NO_FACE, **common)

    thumbnail_name = ""
    if reading.user.image_retention != User.ImageRetention.NOTHING:
        thumbnail_name = _save_thumbnail(
            reading, recognizer.face_thumbnail(rgb, primary.box, size=THUMBNAIL_SIZE)
        )
    return _finish(
        reading.pk,
        thumbnail_name=thumbnail_name,
        status=Status.DONE,
        emotion=primary.emotion,
        confidence=round(primary.confidence, 4),
        probabilities={name: round(primary.probabilities[name], 4) for name in EMOTIONS},
        uncertain=primary.uncertain,
        **common,
    )


def emotion_model_status(*, load: bool = False) -> dict[str, Any]:
    """The configured model's health (version, error); with `load`, read and compile it now."""
    return get_recognizer(settings.EMOTION_MODEL_PATH).status(load=load)


def reading_fail(*, reading_id: int, message: str = UNEXPECTED) -> MoodReading | None:
    """Mark a reading that is not final yet as failed with `message`, and drop its frame."""
    return _finish(reading_id, status=Status.FAILED, error_message=message)


def reading_correct(*, reading: MoodReading, emotion: str | None) -> MoodReading:
    """Record the user's own word for the reading's emotion (None or "" clears it)."""
    user_emotion = _checked_emotion(emotion) if emotion else ""
    if reading.source == MoodReading.Source.MANUAL and not user_emotion:
        raise ApplicationError("A mood you picked yourself can be changed, not cleared.")
    reading.user_emotion = user_emotion
    reading.mood_source = MoodReading.MoodSource.FACE
    reading.save(update_fields=["user_emotion", "mood_source", "updated_at"])
    return reading


def reading_mood_source_set(*, reading: MoodReading, mood_source: str) -> MoodReading:
    """Songs for the room ("group": its mood becomes the reading's) or for the largest face.

    The room's mood is stored as the user's word, so everything that follows a reading's
    effective emotion (songs, history, the dashboard) follows the choice. "face" goes back to
    what the model read on the largest face.
    """
    if mood_source not in MoodReading.MoodSource.values:
        raise ApplicationError(
            "Choose songs for the room (group) or for the largest face (face).",
            extra={"field": "mood_source", "code": "invalid"},
        )
    if mood_source == MoodReading.MoodSource.GROUP:
        if reading.status != Status.DONE or not reading.group_emotion:
            raise ApplicationError(
                "This reading has no room mood: it needs a photo with two or more faces.",
                extra={"field": "mood_source", "code": "no_group"},
            )
        reading.user_emotion = reading.group_emotion
    elif reading.mood_source == MoodReading.MoodSource.GROUP:
        reading.user_emotion = ""
    reading.mood_source = mood_source
    reading.save(update_fields=["user_emotion", "mood_source", "updated_at"])
    return reading


@transaction.atomic
def reading_delete(*, reading: MoodReading) -> None:
    """Delete a reading and, once that is committed, its frame and thumbnail files."""
    names = [name for name in (reading.image.name, reading.thumbnail.name) if name]
    reading.delete()
    transaction.on_commit(partial(_delete_files, names))


def _orphan_frames(*, before: datetime) -> list[str]:
    """Frame files no reading points at, older than `before` (a web process died mid-upload)."""
    storage = _storage()
    try:
        user_folders, _ = storage.listdir("frames")
    except FileNotFoundError:
        return []
    names = [
        f"frames/{folder}/{file}"
        for folder in user_folders
        for file in storage.listdir(f"frames/{folder}")[1]
    ]
    referenced = set(MoodReading.objects.filter(image__in=names).values_list("image", flat=True))
    return [
        name
        for name in names
        if name not in referenced and storage.get_modified_time(name) < before
    ]


def _resend_orphaned(*, before: datetime, not_before: datetime) -> int:
    """Send again the readings a dead worker left in `processing` (see the sweeper)."""
    from emotions.tasks import INFERENCE_QUEUE, process_reading

    orphaned = MoodReading.objects.filter(
        status=Status.PROCESSING,
        updated_at__lt=before,
        updated_at__gte=not_before,
        attempts__lt=MAX_ATTEMPTS,
    ).exclude(image="")
    resent = 0
    for reading_id in orphaned.values_list("pk", flat=True):
        with transaction.atomic():
            claimed = MoodReading.objects.filter(
                pk=reading_id, status=Status.PROCESSING, updated_at__lt=before
            ).update(status=Status.PENDING, updated_at=timezone.now())
        if not claimed:
            continue  # a delivery picked it up meanwhile
        try:
            process_reading.apply_async(
                args=(reading_id,), queue=INFERENCE_QUEUE, retry_policy=PUBLISH_RETRY_POLICY
            )
        except BROKER_ERRORS as exc:
            # Left pending: the next sweep fails it with a message if nothing runs it by then.
            logger.error("reading %s: could not re-send (%s)", reading_id, type(exc).__name__)
            continue
        resent += 1
    if resent:
        logger.warning("re-sent %d reading(s) whose worker was lost mid-task", resent)
    return resent


def readings_sweep_stuck(*, now: datetime | None = None) -> int:
    """Re-send readings a lost worker left behind; fail the truly stuck; tidy files.

    A reading `processing` for READING_RESEND_AFTER_SECONDS (longer than the task may run) lost
    its worker, e.g. a whole worker container killed: it goes back to `pending` and is sent
    again (the task is idempotent, so the broker's own late redelivery changes nothing). Readings
    pending/processing past READING_STUCK_AFTER_SECONDS are failed with a message. Also deletes
    frames left behind by a worker that died after saving a result, and frame files no reading
    points at. Returns how many readings were failed.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.READING_STUCK_AFTER_SECONDS)
    _resend_orphaned(
        before=now - timedelta(seconds=settings.READING_RESEND_AFTER_SECONDS), not_before=cutoff
    )
    stuck_ids = list(
        MoodReading.objects.filter(
            status__in=(Status.PENDING, Status.PROCESSING), updated_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    failed = 0
    for reading_id in stuck_ids:
        with transaction.atomic():
            reading = MoodReading.objects.select_for_update().filter(pk=reading_id).first()
            if reading is None or reading.is_final or reading.updated_at >= cutoff:
                continue
            _set_final(reading, status=Status.FAILED, error_message=STUCK)
            failed += 1
        _discard_frame(reading)
    leftovers = MoodReading.objects.filter(
        status__in=MoodReading.FINAL_STATUSES, updated_at__lt=cutoff
    ).exclude(image="")
    for reading in leftovers:
        _discard_frame(reading)
    _delete_files(_orphan_frames(before=cutoff))
    if failed:
        logger.warning("marked %d stuck reading(s) as failed", failed)
    return failed


def recognizer_warm_up() -> None:
    """Load the emotion model and its face detector now (a new worker child, before any task)."""
    recognizer = get_recognizer(settings.EMOTION_MODEL_PATH)
    recognizer.load()
    recognizer.detector  # noqa: B018 - builds the face detector now
