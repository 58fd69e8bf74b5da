"""API for the dashboard's aggregates and the personal data export."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from core.validation import BoundedDateField
from insights.dashboard import dashboard_summary, period_for_dates
from insights.history import export_filename, user_data_export

if TYPE_CHECKING:
    from accounts.http import AuthenticatedRequest


class HistorySummaryApi(APIView):
    """The dashboard's aggregates for the signed-in user, over an optional date range."""

    class InputSerializer(serializers.Serializer):
        # `from` is a Python keyword: the field is declared below under its query-string name.
        to = BoundedDateField(required=False, help_text="Last day included (YYYY-MM-DD).")

        def get_fields(self) -> dict[str, serializers.Field]:
            fields = super().get_fields()
            fields["from"] = BoundedDateField(
                required=False, help_text="First day included (YYYY-MM-DD)."
            )
            return fields

    class OutputSerializer(serializers.Serializer):
        # Documentation of the response; the data itself comes from DashboardSummary.as_dict().
        to = serializers.DateTimeField(allow_null=True, help_text="End of the range (exclusive).")
        total = serializers.IntegerField()
        distribution = serializers.ListField(child=serializers.DictField())
        timeline = serializers.ListField(child=serializers.DictField())
        timeline_truncated = serializers.BooleanField()
        heatmap = serializers.DictField()
        daily = serializers.ListField(child=serializers.DictField())
        streaks = serializers.DictField()
        songs_that_helped = serializers.ListField(child=serializers.DictField())
        mood_after = serializers.ListField(
            child=serializers.DictField(),
            help_text=(
                'Per strategy ("match", "lift"): how often the mood after a list ("How do you '
                'feel now?") was better, the same or worse than the mood it was for, by valence '
                "(happy 1, surprise 0.5, neutral 0, the others -1); total and enough."
            ),
        )
        mood_after_min_answers = serializers.IntegerField(
            help_text="Answers a strategy needs before `enough` is true."
        )

        def get_fields(self) -> dict[str, serializers.Field]:
            fields = super().get_fields()
            fields["from"] = serializers.DateTimeField(
                allow_null=True, help_text="Start of the range."
            )
            return fields

    @extend_schema(
        parameters=[InputSerializer],
        responses={200: OutputSerializer},
        operation_id="history_summary",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        start, end = params.validated_data.get("from"), params.validated_data.get("to")
        if start and end and start > end:
            raise ApplicationError(
                "`from` must not be after `to`.", extra={"from": str(start), "to": str(end)}
            )
        summary = dashboard_summary(
            user=request.user, period=period_for_dates(start=start, end=end)
        )
        return Response(summary.as_dict())


class MeExportApi(APIView):
    """Download everything the signed-in user has given us as one JSON document."""

    @extend_schema(
        responses={200: OpenApiResponse(description="The export document.")},
        operation_id="me_export",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        response = Response(user_data_export(user=request.user))
        response["Content-Disposition"] = (
            f'attachment; filename="{export_filename(user=request.user)}"'
        )
        return response
