"""A request-body cap that refuses before reading (security finding 6, docs/RELIABILITY.md).

Django has no overall body limit for file uploads: a 300 MB POST was written to /tmp before CSRF
or the view said no. This middleware runs before anything that reads the body (sessions, CSRF,
the views) and answers 413 with a sentence (JSON `{message, extra}` under /api/):

* from `Content-Length`, before a byte of the body is read: over the route's limit is refused;
* for a chunked body (no `Content-Length`), while streaming: when the server de-chunks
  (`wsgi.input_terminated`, as gunicorn does) at most limit + 1 bytes are read, and a body over
  the limit is refused there; when it cannot (runserver), the request gets 411, since Django
  would otherwise silently see an empty body.

The limits: REQUEST_MAX_UPLOAD_BODY_BYTES on the paths in REQUEST_UPLOAD_PATHS (the photo
upload routes), REQUEST_MAX_BODY_BYTES everywhere else. The proxy in front should refuse
earlier still (`client_max_body_size`, README's deploy section).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import BinaryIO, cast

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

_READ_CHUNK = 64 * 1024


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def body_limit(path: str) -> int:
    """The most bytes a request body to `path` may have."""
    if path in settings.REQUEST_UPLOAD_PATHS:
        return int(settings.REQUEST_MAX_UPLOAD_BODY_BYTES)
    return int(settings.REQUEST_MAX_BODY_BYTES)


def _content_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def _is_chunked(request: HttpRequest) -> bool:
    return "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()


def _refusal(
    request: HttpRequest, *, status: int, message: str, code: str, limit: int
) -> HttpResponse:
    extra = {"code": code, "limit_bytes": limit}
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"message": message, "extra": extra}, status=status)
    else:
        context = {"status": status, "message": message}
        response = render(request, "413.html", context, status=status)
    # Sized, so a client can read the answer while its body is still unsent.
    response["Content-Length"] = str(len(response.content))
    return response


def _too_large(request: HttpRequest, limit: int, size: int | None = None) -> HttpResponse:
    said = f" ({_megabytes(size)})" if size is not None and size >= 1024 * 1024 else ""
    what = "photo upload" if limit > int(settings.REQUEST_MAX_BODY_BYTES) else "request"
    message = f"That {what} is too big{said}: the limit is {_megabytes(limit)}. " + (
        "Choose a smaller photo or take a webcam snapshot."
        if what == "photo upload"
        else "Send less data at once."
    )
    return _refusal(request, status=413, message=message, code="body_too_large", limit=limit)


def _read_capped(stream: io.RawIOBase | io.BufferedIOBase, limit: int) -> bytes | None:
    """Up to `limit` bytes of a de-chunked stream; None as soon as it has more (reading stops)."""
    parts: list[bytes] = []
    received = 0
    while True:
        chunk = stream.read(min(_READ_CHUNK, limit + 1 - received))
        if not chunk:
            return b"".join(parts)
        received += len(chunk)
        if received > limit:
            return None
        parts.append(chunk)


class RequestBodyLimitMiddleware:
    """Refuse request bodies over the route's limit before anything reads them (413)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit(request.path_info)
        length = _content_length(request)
        if length is not None and length > limit:
            return _too_large(request, limit, length)
        if length is None and _is_chunked(request):
            refusal = self._take_chunked_body(request, limit)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _take_chunked_body(self, request: HttpRequest, limit: int) -> HttpResponse | None:
        """Read a chunked body up to the limit and hand it on with its length, or refuse it."""
        environ = getattr(request, "environ", {})
        if not environ.get("wsgi.input_terminated"):
            message = (
                "This server needs to know the size of a request before it is sent: "
                "send it with a Content-Length header (most clients do this by themselves)."
            )
            return _refusal(
                request, status=411, message=message, code="length_required", limit=limit
            )
        try:
            body = _read_capped(environ["wsgi.input"], limit)
        # The server's own errors for a broken chunked stream or a client that went away
        # (gunicorn's NoMoreData, InvalidChunkSize, OSError): nothing to serve.
        except Exception:  # noqa: BLE001
            message = "The request body was cut short or malformed. Please try again."
            return _refusal(request, status=400, message=message, code="bad_body", limit=limit)
        if body is None:
            return _too_large(request, limit)
        # Django reads a body only up to CONTENT_LENGTH: give it the de-chunked body and its size.
        request.META["CONTENT_LENGTH"] = str(len(body))
        request._stream = cast(BinaryIO, LimitedStream(io.BytesIO(body), len(body)))
        return None
