"""Readings API: create (photo or picked mood), list, get, correct and delete your own readings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from core.serializers import ErrorOutput
from emotions.models import EMOTION_CHOICES, MoodReading
from emotions.selectors import reading_get, reading_list
from emotions.services import (
    reading_correct,
    reading_create,
    reading_delete,
    reading_mood_source_set,
)
from emotions.throttles import UPLOADS_SCOPE, UPLOADS_THROTTLED_MESSAGE, upload_refund
from ml.labels import EMOTIONS

if TYPE_CHECKING:
    from accounts.http import AuthenticatedRequest


class FaceOutput(serializers.Serializer):
    box = serializers.ListField(
        child=serializers.IntegerField(), help_text="x, y, width, height in the stored frame"
    )
    emotion = serializers.ChoiceField(choices=EMOTION_CHOICES)
    confidence = serializers.FloatField()
    uncertain = serializers.BooleanField()
    probabilities = serializers.DictField(child=serializers.FloatField())


class GroupOutput(serializers.Serializer):
    emotion = serializers.ChoiceField(choices=EMOTION_CHOICES)
    confidence = serializers.FloatField()
    probabilities = serializers.DictField(
        child=serializers.FloatField(), help_text="All seven emotions, summing to 1."
    )
    face_count = serializers.IntegerField(min_value=2)


class ReadingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="This reading in the API.")
    page_url = serializers.SerializerMethodField(help_text="This reading's result page.")
    status = serializers.ChoiceField(choices=MoodReading.Status.choices)
    # A declared field, not Field.source: the stub cannot tell them apart.
    source = serializers.ChoiceField(choices=MoodReading.Source.choices)  # type: ignore[assignment]
    emotion = serializers.CharField(help_text="What the model saw (primary face); empty if none.")
    user_emotion = serializers.CharField(help_text="The user's own word (pick or correction).")
    effective_emotion = serializers.CharField(help_text="What recommendations use.")
    confidence = serializers.FloatField(allow_null=True)
    probabilities = serializers.SerializerMethodField()
    faces = FaceOutput(many=True, help_text="Every face found, largest (primary) first.")
    face_count = serializers.IntegerField()
    group = GroupOutput(
        allow_null=True,
        help_text="With two or more faces, the room's mood: every face's probabilities averaged, "
        "weighted by face size. Null otherwise.",
    )
    mood_source = serializers.ChoiceField(
        choices=MoodReading.MoodSource.choices,
        help_text="`group` when the songs are for the room's mood (then `user_emotion` holds it).",
    )
    uncertain = serializers.BooleanField()
    model_version = serializers.CharField()
    error_message = serializers.CharField()
    thumbnail_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_url(self, reading: MoodReading) -> str:
        return self._absolute(reverse("emotions_api:reading-detail", args=[reading.pk]))

    def get_page_url(self, reading: MoodReading) -> str:
        return self._absolute(reverse("emotions:reading", args=[reading.pk]))

    def get_probabilities(self, reading: MoodReading) -> dict[str, float]:
        """All seven emotions, in the model's class order; empty until the model has run."""
        stored = reading.probabilities or {}
        return {name: stored[name] for name in EMOTIONS if name in stored}

    def get_thumbnail_url(self, reading: MoodReading) -> str | None:
        if not reading.thumbnail:
            return None
        return self._absolute(reverse("emotions:thumbnail", args=[reading.pk]))


class ReadingPageOutput(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ReadingOutput(many=True)


def _output(reading: MoodReading, request: AuthenticatedRequest) -> dict:
    return ReadingOutput(reading, context={"request": request}).data


def _own_reading_or_404(request: AuthenticatedRequest, reading_id: int) -> MoodReading:
    reading = reading_get(user=request.user, reading_id=reading_id)
    if reading is None:
        raise NotFound("No such reading.")
    return reading


class ReadingListCreateApi(APIView):
    """GET: your readings, newest first (paginated). POST: a new reading."""

    throttle_scope = UPLOADS_SCOPE
    throttled_message = UPLOADS_THROTTLED_MESSAGE

    class PhotoInput(serializers.Serializer):
        image = serializers.FileField(
            required=False,
            allow_empty_file=True,
            help_text="JPEG, PNG, WebP, GIF, BMP or TIFF; up to 10 MB by default.",
        )
        # A declared field, not Field.source: the stub cannot tell them apart.
        source = serializers.ChoiceField(  # type: ignore[assignment]
            choices=[MoodReading.Source.UPLOAD, MoodReading.Source.WEBCAM],
            default=MoodReading.Source.UPLOAD,
        )

    class ManualInput(serializers.Serializer):
        emotion = serializers.ChoiceField(choices=EMOTION_CHOICES)

    def get_throttles(self) -> list[BaseThrottle]:
        """The `uploads` budget counts creations only; reading the list costs nothing from it."""
        throttles = super().get_throttles()
        if self.request.method == "POST":
            return throttles
        return [throttle for throttle in throttles if not isinstance(throttle, ScopedRateThrottle)]

    @extend_schema(
        operation_id="readings_list",
        summary="List your readings",
        responses={200: ReadingPageOutput},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(reading_list(user=request.user), request, view=self)
        data = ReadingOutput(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="readings_create",
        summary="Read a mood from a photo, or record one you pick",
        description=(
            "Send a photo as multipart field `image` (inference runs in the background: poll the "
            "returned `url` until `status` is `done`, `no_face` or `failed`), or JSON "
            '`{"emotion": "happy"}` for a mood you pick yourself (done at once). Rate-limited '
            "per user (scope `uploads`). Animated images use their first frame."
        ),
        request={"multipart/form-data": PhotoInput, "application/json": ManualInput},
        responses={
            202: ReadingOutput,
            400: OpenApiResponse(ErrorOutput, description="The photo or mood was not usable."),
            429: OpenApiResponse(
                ErrorOutput,
                description="Too many uploads: `message` says in words when to try again, "
                "`extra.retry_after_seconds` in seconds (rejected uploads are not counted).",
            ),
            503: OpenApiResponse(ErrorOutput, description="The analysis could not be started."),
        },
        examples=[OpenApiExample("A picked mood", value={"emotion": "happy"}, request_only=True)],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        try:
            reading = self._create(request)
        except (ApplicationError, APIException) as exc:
            if 400 <= exc.status_code < 500:
                upload_refund(request)  # a rejected upload does not use up the budget
            raise
        return Response(_output(reading, request), status=status.HTTP_202_ACCEPTED)

    def _create(self, request: AuthenticatedRequest) -> MoodReading:
        if "image" in request.data or "emotion" not in request.data:
            serializer: serializers.Serializer = self.PhotoInput(data=request.data)
            serializer.is_valid(raise_exception=True)
            reading = reading_create(
                user=request.user,
                image_file=serializer.validated_data.get("image"),
                source=serializer.validated_data["source"],
                emotion=request.data.get("emotion") or None,
            )
        else:
            serializer = self.ManualInput(data=request.data)
            serializer.is_valid(raise_exception=True)
            reading = reading_create(
                user=request.user,
                source=MoodReading.Source.MANUAL,
                emotion=serializer.validated_data["emotion"],
            )
        return reading


class ReadingDetailApi(APIView):
    """GET one of your readings, PATCH its correction, DELETE it (and its files)."""

    class CorrectionInput(serializers.Serializer):
        user_emotion = serializers.ChoiceField(
            choices=EMOTION_CHOICES,
            required=False,
            allow_blank=True,
            allow_null=True,
            help_text="Your own word for the emotion; empty or null clears a correction.",
        )
        mood_source = serializers.ChoiceField(
            choices=MoodReading.MoodSource.choices,
            required=False,
            help_text="`group`: songs for the room's mood (two or more faces); `face`: back to "
            "the largest face. Send this or `user_emotion`, not both.",
        )

        def validate(self, attrs: dict) -> dict:
            if ("user_emotion" in attrs) == ("mood_source" in attrs):
                raise serializers.ValidationError(
                    "Send either user_emotion (your own word) or mood_source (group or face)."
                )
            return attrs

    @extend_schema(operation_id="readings_retrieve", responses={200: ReadingOutput})
    def get(self, request: AuthenticatedRequest, reading_id: int) -> Response:
        return Response(_output(_own_reading_or_404(request, reading_id), request))

    @extend_schema(
        operation_id="readings_correct",
        summary="Correct the detected emotion, or choose the room's mood",
        request=CorrectionInput,
        responses={200: ReadingOutput, 400: ErrorOutput},
    )
    def patch(self, request: AuthenticatedRequest, reading_id: int) -> Response:
        reading = _own_reading_or_404(request, reading_id)
        serializer = self.CorrectionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "mood_source" in data:
            reading = reading_mood_source_set(reading=reading, mood_source=data["mood_source"])
        else:
            reading = reading_correct(reading=reading, emotion=data["user_emotion"])
        return Response(_output(reading, request))

    @extend_schema(operation_id="readings_destroy", responses={204: None})
    def delete(self, request: AuthenticatedRequest, reading_id: int) -> Response:
        reading_delete(reading=_own_reading_or_404(request, reading_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
