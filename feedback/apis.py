"""Ratings API: rate a recommended song (POST) and change the stars (PATCH)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core.serializers import ErrorOutput
from core.validation import IdField
from feedback.models import Rating
from feedback.ports import rated_item
from feedback.selectors import rating_get
from feedback.services import rating_update, rating_upsert

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
