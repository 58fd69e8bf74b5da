"""Tests for ApplicationError and the {message, extra} API exception handler."""

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core.exceptions import ApplicationError, api_exception_handler


class _RaisingApi(APIView):
    permission_classes = (AllowAny,)
    error: Exception = RuntimeError("set by as_view")

    def get(self, request: Request) -> Response:
        raise self.error


def _call(error: Exception) -> Response:
    view = _RaisingApi.as_view(error=error)
    return view(APIRequestFactory().get("/boom/"))


def test_application_error_renders_message_and_extra() -> None:
    response = _call(ApplicationError("Image has no face.", {"faces": 0}))

    assert response.status_code == 400
    assert response.data == {"message": "Image has no face.", "extra": {"faces": 0}}


def test_application_error_can_carry_its_own_status() -> None:
    response = _call(ApplicationError("Spotify sync is paused.", status_code=409))

    assert response.status_code == 409
    assert response.data == {"message": "Spotify sync is paused.", "extra": {}}


def test_serializer_validation_errors_are_listed_under_fields() -> None:
    class Input(serializers.Serializer):
        strategy = serializers.ChoiceField(choices=["match", "lift"])

    serializer = Input(data={"strategy": "shout"})
    try:
        serializer.is_valid(raise_exception=True)
    except serializers.ValidationError as error:
        response = _call(error)

    assert response.status_code == 400
    assert response.data["message"] == "Validation error."
    assert list(response.data["extra"]["fields"]) == ["strategy"]


def test_django_errors_are_translated() -> None:
    validation = _call(DjangoValidationError({"image": ["Too large."]}))
    assert validation.status_code == 400
    assert validation.data["extra"]["fields"] == {"image": ["Too large."]}

    assert _call(Http404()).status_code == 404
    assert _call(Http404()).data == {"message": "Not found.", "extra": {}}
    assert _call(DjangoPermissionDenied()).status_code == 403


def test_unexpected_errors_are_left_to_django() -> None:
    assert api_exception_handler(RuntimeError("bug"), {}) is None


class _PrivateApi(APIView):
    def get(self, request: Request) -> Response:
        return Response({"secret": 42})


@pytest.mark.django_db
def test_the_default_permission_rejects_anonymous_callers_in_the_same_shape() -> None:
    response = _PrivateApi.as_view()(APIRequestFactory().get("/private/"))

    # 401 with a challenge: API tokens (accounts.authentication) come first in the settings.
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Token realm="api"'
    assert response.data == {
        "message": "Authentication credentials were not provided.",
        "extra": {},
    }
