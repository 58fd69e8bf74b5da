"""Ratings API: rate a recommended song (POST) and change the stars (PATCH); and the mood after
a list ("How do you feel now?": POST to answer or change, GET to read)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core.serializers import ErrorOutput
from core.validation import IdField
from feedback.models import MoodAfter, Rating
from feedback.ports import rated_item
from feedback.selectors import answerable_recommendation, mood_after_get, rating_get
from feedback.services import mood_after_set, rating_update, rating_upsert
from feedback.valence import CHANGES, mood_change
from ml.labels import EMOTIONS

if TYPE_CHECKING:
    from accounts.http import AuthenticatedRequest


class RatingOutput(serializers.Serializer):
    """Your own rating; never anyone else's."""

    id = serializers.IntegerField()
    item = serializers.IntegerField(source="item_id", allow_null=True)
    track = serializers.CharField(source="track.spotify_id", help_text="Spotify track id.")
    emotion = serializers.CharField()
    strategy = serializers.CharField()
    stars = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class RatingCreateApi(APIView):
    """Rate a song of one of your recommendations; rating it again changes the stars."""

    class InputSerializer(serializers.Serializer):
        item = IdField(help_text="A recommendation item id.")
        stars = serializers.IntegerField(min_value=1, max_value=5)

    @extend_schema(
        operation_id="ratings_create",
        request=InputSerializer,
        responses={
            201: RatingOutput,
            200: OpenApiResponse(RatingOutput, description="Your earlier rating, updated."),
            400: ErrorOutput,
            404: ErrorOutput,
        },
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = rated_item(pk=serializer.validated_data["item"], user_id=request.user.pk)
        if item is None:
            raise NotFound("No such song in your recommendations.")
        existed = Rating.objects.filter(user=request.user, item_id=item.pk).exists()
        rating = rating_upsert(
            user=request.user, item=item, stars=serializer.validated_data["stars"]
        )
        return Response(
            RatingOutput(rating).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class RatingUpdateApi(APIView):
    """GET or PATCH one of your ratings."""

    class InputSerializer(serializers.Serializer):
        stars = serializers.IntegerField(min_value=1, max_value=5)

    def _own(self, request: AuthenticatedRequest, rating_id: int) -> Rating:
        rating = rating_get(user=request.user, pk=rating_id)
        if rating is None:
            raise NotFound("No such rating.")
        return rating

    @extend_schema(operation_id="ratings_retrieve", responses={200: RatingOutput})
    def get(self, request: AuthenticatedRequest, rating_id: int) -> Response:
        return Response(RatingOutput(self._own(request, rating_id)).data)

    @extend_schema(
        operation_id="ratings_update",
        request=InputSerializer,
        responses={200: RatingOutput, 400: ErrorOutput, 404: ErrorOutput},
    )
    def patch(self, request: AuthenticatedRequest, rating_id: int) -> Response:
        rating = self._own(request, rating_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rating = rating_update(rating=rating, stars=serializer.validated_data["stars"])
        return Response(RatingOutput(rating).data)


class MoodAfterOutput(serializers.Serializer):
    """How you felt after one of your lists, compared with the mood the list was made for."""

    recommendation = serializers.IntegerField(source="recommendation_id")
    emotion = serializers.ChoiceField(choices=EMOTIONS, help_text="How you felt after the list.")
    emotion_before = serializers.ChoiceField(
        choices=EMOTIONS, help_text="The mood the list was made for."
    )
    strategy = serializers.CharField()
    change = serializers.SerializerMethodField(
        help_text="better, same or worse: the valence of `emotion` against `emotion_before`."
    )
    # A field named like DRF's `Field.source` attribute: right at run time, the stub disagrees.
    source = serializers.ChoiceField(choices=MoodAfter.Source.choices)  # type: ignore[assignment]
    reading = serializers.IntegerField(source="reading_id", allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ChoiceField(choices=CHANGES))
    def get_change(self, answer: MoodAfter) -> str:
        return mood_change(answer.emotion_before, answer.emotion)


class MoodAfterCreateApi(APIView):
    """Say how you feel after one of your lists (within two hours of it); again to change it."""

    class InputSerializer(serializers.Serializer):
        recommendation = IdField(help_text="A recommendation (list) id.")
        emotion = serializers.ChoiceField(choices=EMOTIONS)

    @extend_schema(
        operation_id="mood_after_create",
        request=InputSerializer,
        responses={
            201: MoodAfterOutput,
            200: OpenApiResponse(MoodAfterOutput, description="Your earlier answer, changed."),
            400: ErrorOutput,
            404: ErrorOutput,
        },
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        recommendation = answerable_recommendation(
            user=request.user, pk=serializer.validated_data["recommendation"]
        )
        if recommendation is None:
            raise NotFound("No such list in your recommendations.")
        answer, created = mood_after_set(
            user=request.user,
            recommendation=recommendation,
            emotion=serializer.validated_data["emotion"],
        )
        return Response(
            MoodAfterOutput(answer).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class MoodAfterDetailApi(APIView):
    """Your answer to "How do you feel now?" for one of your lists."""

    @extend_schema(
        operation_id="mood_after_retrieve", responses={200: MoodAfterOutput, 404: ErrorOutput}
    )
    def get(self, request: AuthenticatedRequest, recommendation_id: int) -> Response:
        answer = mood_after_get(user=request.user, recommendation_id=recommendation_id)
        if answer is None:
            raise NotFound("No answer for that list.")
        return Response(MoodAfterOutput(answer).data)
