"""Plumbing shared by the stand-in's views: the enabled check, faults, bearer tokens, paging."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from spotify_sandbox import catalogue, payloads, services
from spotify_sandbox.models import FaultRule, Token

View = Callable[..., HttpResponse]


class ApiError(Exception):
    """A Web API error: rendered as {"error": {"status", "message"}} with this status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def api_json(body: object, status: int = 200, headers: dict[str, str] | None = None):
    response = JsonResponse(
        body, status=status, safe=False, json_dumps_params={"separators": (",", ":")}
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def api_error(status: int, message: str, *, reason: str = "", headers=None) -> HttpResponse:
    return api_json(payloads.error(status, message, reason), status, headers)


def oauth_error(code: str, description: str, status: int = 400, headers=None) -> HttpResponse:
    response = api_json({"error": code, "error_description": description}, status, headers)
    response["Cache-Control"] = "no-store"
    return response


def sandbox_path(request: HttpRequest) -> str:
    """The request path below the stand-in's mount point, e.g. `v1/me/tracks` or `api/token`."""
    root = reverse("spotify_sandbox:index")
    return request.path[len(root) :] if request.path.startswith(root) else request.path


def _fault_headers(rule: FaultRule) -> dict[str, str]:
    headers = {}
    if rule.retry_after is not None:
        headers["Retry-After"] = str(rule.retry_after)
    if rule.status == 401:
        headers["WWW-Authenticate"] = (
            'Bearer realm="spotify", error="invalid_token", '
            'error_description="The access token expired"'
        )
    return headers


def web_api_fault(rule: FaultRule) -> HttpResponse:
    messages = {
        400: "Bad request",
        401: "The access token expired",
        403: "Forbidden",
        404: "Service not found",
        429: "API rate limit exceeded",
        500: "Server error",
        502: "Bad gateway",
        503: "Service unavailable",
    }
    message = messages.get(rule.status, "Injected failure")
    return api_error(rule.status, message, reason=rule.body_reason, headers=_fault_headers(rule))


def accounts_fault(rule: FaultRule) -> HttpResponse:
    if rule.body_reason and rule.body_reason != "QUOTA_EXCEEDED":
        code = rule.body_reason
    elif rule.status == 429:
        code = "too_many_requests"
    elif rule.status >= 500:
        code = "server_error"
    else:
        code = "invalid_request"
    descriptions = {
        "invalid_grant": "Refresh token revoked",
        "invalid_client": "Invalid client",
        "too_many_requests": "Too many requests",
        "server_error": "Server error",
    }
    return oauth_error(
        code, descriptions.get(code, "Injected failure"), rule.status, _fault_headers(rule)
    )


def sandbox_view(*, accounts: bool = False) -> Callable[[View], View]:
    """404 unless the stand-in is enabled; answers with a matching FaultRule when there is one."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not settings.SPOTIFY_SANDBOX_ENABLED:
                raise Http404("The Spotify stand-in is disabled.")
            target = services.fault_target(
                sandbox_path(request), request.META.get("QUERY_STRING", "")
            )
            rule = services.fault_take(path=target, method=request.method)
            if rule is not None:
                return accounts_fault(rule) if accounts else web_api_fault(rule)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _bearer(request: HttpRequest) -> Token:
    header = request.headers.get("Authorization", "")
    if not header:
        raise ApiError(401, "No token provided")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise ApiError(400, "Only valid bearer authentication supported")
    token = services.access_token_lookup(raw.strip())
    challenge = 'Bearer realm="spotify", error="invalid_token", error_description="{}"'
    if token is None or token.revoked:
        raise ApiError(401, "Invalid access token", {"WWW-Authenticate": challenge.format("")})
    if token.expires_at <= timezone.now():
        message = "The access token expired"
        raise ApiError(401, message, {"WWW-Authenticate": challenge.format(message)})
    return token


def web_api(methods: Iterable[str] = ("GET",)) -> Callable[[View], View]:
    """A Web API endpoint: bearer token required; sets request.sandbox_user and .sandbox_token."""
    allowed = {method.upper() for method in methods}

    def decorator(view: View) -> View:
        @csrf_exempt
        @sandbox_view()
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                if request.method not in allowed:
                    raise ApiError(405, "Method not allowed")
                token = _bearer(request)
                person = catalogue.user(token.spotify_user)
                if person is None:
                    raise ApiError(401, "Invalid access token")
                refusal = services.web_api_refusal(
                    client_id=token.client_id, spotify_user=person.id
                )
                if refusal is not None:
                    return _refused(token.client_id, refusal)
                request.sandbox_token = token
                request.sandbox_user = person
                return view(request, *args, **kwargs)
            except ApiError as error:
                return api_error(error.status, error.message, headers=error.headers)

        return wrapper

    return decorator


def _refused(client_id: str, message: str) -> HttpResponse:
    """Spotify's 403 for a listener not on the allow-list (or an app whose owner lapsed): JSON
    like every Web API error, or the bare sentence as text/plain, as Spotify sometimes sends."""
    if message == services.NOT_REGISTERED and services.app_state(client_id).forbidden_as_text:
        return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
    return api_error(403, message)


def require_scope(request: HttpRequest, *any_of: str) -> None:
    """403 unless the token carries at least one of `any_of` (Spotify's scope check)."""
    if not set(any_of) & request.sandbox_token.scopes:
        raise ApiError(403, "Insufficient client scope")


def _int_param(request: HttpRequest, name: str, default: int | None) -> int | None:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, f"Invalid {name}") from None


def limit_offset(
    request: HttpRequest, *, default_limit: int = 20, max_limit: int = 50, max_offset=None
) -> tuple[int, int]:
    limit = _int_param(request, "limit", default_limit)
    offset = _int_param(request, "offset", 0)
    if limit is None or not 1 <= limit <= max_limit:
        raise ApiError(400, "Invalid limit")
    if offset is None or offset < 0 or (max_offset is not None and offset > max_offset):
        raise ApiError(400, "Invalid offset")
    return limit, offset


def int_param(request: HttpRequest, name: str) -> int | None:
    value = _int_param(request, name, None)
    if value is not None and value < 0:
        raise ApiError(400, f"Invalid {name}")
    return value
