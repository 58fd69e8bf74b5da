"""Recommendations API: list the lists made for a reading, and ask for a new one."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from core.serializers import ErrorOutput
from core.validation import IdField
from emotions.selectors import reading_get
from feedback.selectors import rating_stars_for_items, rating_stars_for_tracks
from library.models import Track
from recommendations.models import (
    EMOTION_CHOICES,
    Recommendation,
    RecommendationItem,
    Strategy,
)
from recommendations.selectors import recommendation_get, recommendation_list
from recommendations.services import MAX_ITEMS, recommendation_create

if TYPE_CHECKING:
    from accounts.http import AuthenticatedRequest


class RecommendedTrackOutput(serializers.Serializer):
    spotify_id = serializers.CharField()
    name = serializers.CharField()
    artist_names = serializers.CharField()
    album_name = serializers.CharField()
    image_url = serializers.CharField()
    uri = serializers.CharField()
    open_url = serializers.CharField(help_text="The track on open.spotify.com.")
    embed_url = serializers.SerializerMethodField(help_text="Spotify's embeddable player.")

    def get_embed_url(self, track: Track) -> str:
        return f"https://open.spotify.com/embed/track/{track.spotify_id}"


class RecommendationItemOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text="Rate it with POST /api/v1/ratings/ {item, stars}.")
    position = serializers.IntegerField()
    track = RecommendedTrackOutput()
    score = serializers.FloatField()
    reason = serializers.CharField()
    components = serializers.DictField(
        child=serializers.FloatField(),
        help_text="Score terms: mood_fit, affinity, mood_affinity, crowd, explore, recent.",
    )
    my_rating = serializers.SerializerMethodField(help_text="Your stars for it, if any.")

    song_rating = serializers.SerializerMethodField(
        help_text="Your latest stars for this song, from this list or an earlier one (what the "
        "page pre-fills); null when you never rated it."
    )

    def get_my_rating(self, item: RecommendationItem) -> int | None:
        return self.context.get("stars", {}).get(item.pk)

    def get_song_rating(self, item: RecommendationItem) -> int | None:
        return self.context.get("track_stars", {}).get(item.track_id)


class RecommendationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    page_url = serializers.SerializerMethodField()
    reading = serializers.IntegerField(source="reading_id", allow_null=True)
    emotion = serializers.ChoiceField(choices=EMOTION_CHOICES)
    strategy = serializers.ChoiceField(choices=Strategy.choices)
    cold_start = serializers.BooleanField(
        help_text="True when no song in the library had a known mood: the list explores."
    )
    seed = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    items = RecommendationItemOutput(many=True)

    def get_page_url(self, recommendation: Recommendation) -> str:
        path = reverse("recommendations:detail", args=[recommendation.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class RecommendationPageOutput(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = RecommendationOutput(many=True)


def _serialize(recommendations: list[Recommendation], request: AuthenticatedRequest) -> list[dict]:
    item_ids = [
        item.pk for recommendation in recommendations for item in recommendation.items.all()
    ]
    stars = rating_stars_for_items(user=request.user, item_ids=item_ids)
    track_ids = {
        item.track_id for recommendation in recommendations for item in recommendation.items.all()
    }
    track_stars = rating_stars_for_tracks(user=request.user, track_ids=track_ids)
    context = {"request": request, "stars": stars, "track_stars": track_stars}
    # many=True makes a ListSerializer, whose data is a list (the stub types a Serializer's).
    return cast(
        "list[dict]", RecommendationOutput(recommendations, many=True, context=context).data
    )


class RecommendationListCreateApi(APIView):
    """GET: your recommendations (for a reading), newest first. POST: a new recommendation."""

    class FilterInput(serializers.Serializer):
        reading = IdField(required=False)

    class CreateInput(serializers.Serializer):
        reading = IdField(required=False)
        emotion = serializers.ChoiceField(choices=EMOTION_CHOICES, required=False)
        strategy = serializers.ChoiceField(choices=Strategy.choices, required=False)
        n = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ITEMS, default=10)
        seed = serializers.IntegerField(required=False, min_value=0, max_value=2**62)

        def validate(self, attrs: dict) -> dict:
            if not attrs.get("reading") and not attrs.get("emotion"):
                raise serializers.ValidationError("Give a `reading` id or an `emotion`.")
            return attrs

    @extend_schema(
        operation_id="recommendations_list",
        summary="List your recommendations",
        parameters=[FilterInput],
        responses={200: RecommendationPageOutput},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        params = self.FilterInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        queryset = recommendation_list(
            user=request.user, reading_id=params.validated_data.get("reading")
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        # PAGE_SIZE is set, so the paginator always returns a page.
        return paginator.get_paginated_response(
            _serialize(cast("list[Recommendation]", page), request)
        )

    @extend_schema(
        operation_id="recommendations_create",
        summary="Recommend songs from your library for a reading or an emotion",
        description=(
            "Give a finished `reading` (its emotion, with your correction, is used) or an "
            "`emotion`. `strategy` is `match` or `lift` (default: your profile's). Songs come only "
            "from your own library; each has a reason and its score terms."
        ),
        request=CreateInput,
        responses={
            201: RecommendationOutput,
            400: OpenApiResponse(ErrorOutput, description="Nothing to recommend."),
            404: OpenApiResponse(ErrorOutput, description="No such reading."),
        },
        examples=[
            OpenApiExample("For a reading", value={"reading": 42}, request_only=True),
            OpenApiExample(
                "For an emotion", value={"emotion": "sad", "strategy": "lift"}, request_only=True
            ),
        ],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        serializer = self.CreateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        reading = None
        emotion = data.get("emotion")
        if data.get("reading"):
            reading = reading_get(user=request.user, reading_id=data["reading"])
            if reading is None:
                raise NotFound("No such reading.")
            if not reading.is_final or not reading.effective_emotion:
                raise ApplicationError(
                    "This reading has no emotion yet.",
                    extra={"reading": reading.pk, "status": reading.status},
                )
            emotion = emotion or reading.effective_emotion
        created = recommendation_create(
            user=request.user,
            emotion=emotion,
            strategy=data.get("strategy") or request.user.default_strategy,
            reading=reading,
            n=data["n"],
            seed=data.get("seed"),
        )
        # Just created for this user, so it is there.
        recommendation = cast(Recommendation, recommendation_get(user=request.user, pk=created.pk))
        return Response(_serialize([recommendation], request)[0], status=status.HTTP_201_CREATED)


# Library (Spotify sync) ------------------------------------------------------------------------
# Owned by the Spotify/library work: the user's synced library and its sync status. Tokens are
# never part of these responses.
