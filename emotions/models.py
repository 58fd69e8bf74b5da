"""Mood readings: one photo, webcam frame or manual pick, and what the model saw in it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from emotions.storage import private_storage
from ml.labels import EMOTIONS

EMOTION_CHOICES = [(name, name.capitalize()) for name in EMOTIONS]


def _frame_path(instance: MoodReading, filename: str) -> str:
    return f"frames/{instance.user_id}/{filename}"


def _thumb_path(instance: MoodReading, filename: str) -> str:
    return f"thumbs/{instance.user_id}/{filename}"


class MoodReading(models.Model):
    class Source(models.TextChoices):
        UPLOAD = "upload", "Upload"
        WEBCAM = "webcam", "Webcam"
        MANUAL = "manual", "Manual"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        PROCESSING = "processing", "Analysing"
        DONE = "done", "Done"
        NO_FACE = "no_face", "No face found"
        FAILED = "failed", "Failed"

    class MoodSource(models.TextChoices):
        FACE = "face", "The largest face"
        GROUP = "group", "The room"

    FINAL_STATUSES = (Status.DONE, Status.NO_FACE, Status.FAILED)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="readings"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    # What the model saw (primary = largest face).
    emotion = models.CharField(max_length=10, choices=EMOTION_CHOICES, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    probabilities = models.JSONField(default=dict, blank=True)
    faces = models.JSONField(default=list, blank=True)
    face_count = models.PositiveSmallIntegerField(default=0)
    uncertain = models.BooleanField(default=False)
    # With two or more faces, the room's mood (their probabilities averaged, weighted by face
    # size): {"emotion", "confidence", "probabilities", "face_count"}; null for one face or none.
    group = models.JSONField(null=True, blank=True)
    model_version = models.CharField(max_length=40, blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    # The user's own word: a manual pick or a correction of the detected emotion.
    user_emotion = models.CharField(max_length=10, choices=EMOTION_CHOICES, blank=True)
    # "group": the listener chose the room's mood for the songs (user_emotion holds it then).
    mood_source = models.CharField(
        max_length=5, choices=MoodSource.choices, default=MoodSource.FACE
    )
    # The full frame lives only until inference is done; the thumbnail is the face crop.
    image = models.FileField(storage=private_storage, upload_to=_frame_path, blank=True)
    thumbnail = models.FileField(storage=private_storage, upload_to=_thumb_path, blank=True)
    image_width = models.PositiveIntegerField(null=True, blank=True)
    image_height = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="reading_user_created"),
            models.Index(fields=["status", "updated_at"], name="reading_status_updated"),
        ]

    def __str__(self) -> str:
        return f"Reading {self.pk} ({self.get_status_display()})"

    @property
    def effective_emotion(self) -> str:
        """The emotion recommendations use: the user's correction wins over the model."""
        return self.user_emotion or self.emotion

    @property
    def group_emotion(self) -> str:
        """The room's mood when two or more faces were read; empty otherwise."""
        return str((self.group or {}).get("emotion", ""))

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATUSES
