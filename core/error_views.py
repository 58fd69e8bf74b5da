"""Django's error handlers (config/urls.py): `{message, extra}` JSON under /api/, pages elsewhere.

DRF renders the errors it knows (core.exceptions.api_exception_handler); these cover what reaches
Django instead: an unexpected exception in an API view (500), a path no API route matches (404),
and a SuspiciousOperation or PermissionDenied raised outside DRF (400, 403). With DEBUG on,
Django shows its technical pages before these are asked.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

API_PREFIX = "/api/"

SERVER_ERROR_MESSAGE = (
    "Something went wrong on our side. The error has been logged; please try again in a moment."
)
NOT_FOUND_MESSAGE = "Not found."
PERMISSION_DENIED_MESSAGE = "You do not have permission to perform this action."
BAD_REQUEST_MESSAGE = "The request could not be understood."


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _json(message: str, status: int) -> JsonResponse:
    return JsonResponse({"message": message, "extra": {}}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return _json(BAD_REQUEST_MESSAGE, 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return _json(PERMISSION_DENIED_MESSAGE, 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return _json(NOT_FOUND_MESSAGE, 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Touches neither the database nor templates for API callers: anything may be down."""
    if is_api_request(request):
        return _json(SERVER_ERROR_MESSAGE, 500)
    return defaults.server_error(request)
