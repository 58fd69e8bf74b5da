"""API about the signed-in user: who am I (`GET /api/v1/me/`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

if TYPE_CHECKING:
    from accounts.http import AuthenticatedRequest
    from accounts.models import User


def display_name(user: User) -> str:
    """The name shown for a user: their full name, else their username."""
    return user.get_full_name().strip() or user.username


class MeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField(help_text="Full name, else the username.")


class MeApi(APIView):
    """The signed-in user."""

    @extend_schema(
        operation_id="me_retrieve",
        summary="Who is signed in",
        responses={200: MeOutput},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        user = request.user
        data = {"id": user.pk, "username": user.username, "display_name": display_name(user)}
        return Response(MeOutput(data).data)
