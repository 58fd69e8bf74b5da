"""The application error type and the DRF handler rendering every API error as {message, extra}."""

from typing import Any, cast

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from core.throttling import DEFAULT_THROTTLED_MESSAGE, throttled_message


class ApplicationError(Exception):
    """A business-rule failure the client can act on; rendered as HTTP 400 by default."""

    status_code: int = status.HTTP_400_BAD_REQUEST

    def __init__(
        self, message: str, extra: dict[str, Any] | None = None, *, status_code: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        if status_code is not None:
            self.status_code = status_code


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render DRF, Django and application errors as {"message": ..., "extra": {...}}."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, ApplicationError):
        return Response({"message": exc.message, "extra": exc.extra}, status=exc.status_code)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.Throttled):
        # Not DRF's "Request was throttled. Expected available in 2795 seconds.": words, and the
        # view's own sentence when it has one (`throttled_message`, with `{wait}`).
        # An exception may carry its own sentence (`message_template`), e.g. failed API tokens.
        template: str = getattr(exc, "message_template", "") or getattr(
            context.get("view"), "throttled_message", DEFAULT_THROTTLED_MESSAGE
        )
        wait: int | None = getattr(exc, "wait", None)  # set by Throttled(); not in the stubs
        extra = {"retry_after_seconds": wait} if wait is not None else {}
        response.data = {"message": throttled_message(wait, template), "extra": extra}
        return response

    # DRF's handler answers only for an APIException (the conversions above included).
    detail = cast(exceptions.APIException, exc).detail
    if isinstance(detail, dict | list):
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        response.data = {"message": "Validation error.", "extra": {"fields": fields}}
    else:
        response.data = {"message": str(detail), "extra": {}}
    return response
