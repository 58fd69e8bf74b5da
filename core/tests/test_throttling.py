"""Throttled requests say in words when to try again (API and pages)."""

import pytest
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core.throttling import throttled_message, wait_in_words


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (None, "a few seconds"),
        (3, "a few seconds"),
        (30, "less than a minute"),
        (60, "about a minute"),
        (61, "about 2 minutes"),
        (2795, "about 47 minutes"),
        (3599.5, "about an hour"),
        (5000, "about 84 minutes"),
        (3 * 3600 - 10, "about 3 hours"),
    ],
)
def test_a_wait_in_words(seconds: float | None, words: str) -> None:
    assert wait_in_words(seconds) == words


def test_a_message_fills_in_the_wait() -> None:
    assert throttled_message(2795, "You can upload again in {wait}.") == (
        "You can upload again in about 47 minutes."
    )


class _Throttled(APIView):
    permission_classes = (AllowAny,)

    def get(self, request: Request) -> Response:
        raise exceptions.Throttled(wait=2795)


class _ThrottledUploads(_Throttled):
    throttled_message = "You can upload again in {wait}."


def test_a_throttled_api_call_says_in_words_when_to_try_again() -> None:
    response = _Throttled.as_view()(APIRequestFactory().get("/x/"))

    assert response.status_code == 429
    assert response.data == {
        "message": "Too many requests. You can try again in about 47 minutes.",
        "extra": {"retry_after_seconds": 2795},
    }
    assert response.headers["Retry-After"] == "2795"


def test_a_view_words_its_own_throttled_message() -> None:
    response = _ThrottledUploads.as_view()(APIRequestFactory().get("/x/"))

    assert response.data["message"] == "You can upload again in about 47 minutes."
