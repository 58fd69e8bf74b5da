"""The stand-in's web service (/lastfm-sandbox/2.0/): track.getTopTags and artist.getTopTags.

As Last.fm: GET or POST, parameters in the query string or the form body, method names in any case,
`format=json` for JSON (error bodies with HTTP 200, as Last.fm documents) and XML otherwise (error
bodies with an HTTP error status, as Last.fm sends them).
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote_plus

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from lastfm_sandbox import data, services

MESSAGES = {
    2: "Invalid service - This service does not exist",
    3: "Invalid Method - No method with that name in this package",
    6: "Invalid parameters - Your request is missing a required parameter",
    8: "Operation failed - Most likely the backend service failed. Please try again.",
    10: "Invalid API key - You must be granted a valid key by last.fm",
    11: "Service Offline - This service is temporarily offline. Try again later.",
    16: "There was a temporary error processing your request. Please try again",
    26: "Suspended API key - Access for your account has been suspended, please contact Last.fm",
    29: "Rate Limit Exceeded - Your IP has made too many requests in a short period",
}
XML_STATUS = {10: 403, 26: 403, 29: 429, 8: 500, 11: 503, 16: 503}  # others: 400
TAG_URL = "https://www.last.fm/tag/"


class LastfmError(Exception):
    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(message or MESSAGES[code])
        self.code = code
        self.message = message or MESSAGES[code]


def _error(code: int, message: str, fmt: str) -> HttpResponse:
    if fmt == "json":
        return JsonResponse({"error": code, "message": message, "links": []})
    body = f'<lfm status="failed">\n<error code="{code}">{escape(message)}</error>\n</lfm>\n'
    return _xml(body, status=XML_STATUS.get(code, 400))


def _xml(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + body,
        status=status,
        content_type="text/xml; charset=utf-8",
    )


def _toptags(tags: tuple[data.Tag, ...], attr: dict[str, str], fmt: str) -> HttpResponse:
    if fmt == "json":
        items = [
            {"count": count, "name": name, "url": TAG_URL + quote_plus(name)}
            for name, count in tags
        ]
        return JsonResponse({"toptags": {"tag": items, "@attr": attr}})
    attributes = "".join(f' {key}="{escape(value)}"' for key, value in attr.items())
    items_xml = "".join(
        f"<tag><count>{count}</count><name>{escape(name)}</name>"
        f"<url>{escape(TAG_URL + quote_plus(name))}</url></tag>\n"
        for name, count in tags
    )
    return _xml(f'<lfm status="ok">\n<toptags{attributes}>\n{items_xml}</toptags>\n</lfm>\n')


def _track_top_tags(params: dict[str, str], fmt: str) -> HttpResponse:
    artist, track, mbid = params.get("artist", ""), params.get("track", ""), params.get("mbid", "")
    if not mbid and not (artist.strip() and track.strip()):
        raise LastfmError(6)
    found = data.track_top_tags(artist=artist, track=track, mbid=mbid)
    if found is None:
        raise LastfmError(6, "Track not found")
    return _toptags(found.tags, {"artist": found.artist, "track": found.track}, fmt)


def _artist_top_tags(params: dict[str, str], fmt: str) -> HttpResponse:
    artist = params.get("artist", "")
    if not artist.strip() and not params.get("mbid"):
        raise LastfmError(6)
    found = data.artist_top_tags(artist=artist)
    if found is None:
        raise LastfmError(6, "The artist you supplied could not be found")
    return _toptags(found.tags, {"artist": found.artist}, fmt)


METHODS = {"track.gettoptags": _track_top_tags, "artist.gettoptags": _artist_top_tags}


@csrf_exempt
def api(request: HttpRequest) -> HttpResponse:
    if not settings.LASTFM_SANDBOX_ENABLED:
        raise Http404("The Last.fm stand-in is disabled.")
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    params = {**request.GET.dict(), **request.POST.dict()}
    fmt = "json" if params.get("format", "").lower() == "json" else "xml"
    forced = services.forced_take()
    if forced is not None:
        if forced.http_status is not None:
            return HttpResponse(
                "Service temporarily unavailable",
                status=forced.http_status,
                content_type="text/plain",
            )
        return _error(forced.code, MESSAGES.get(forced.code, "Injected failure"), fmt)
    try:
        api_key = params.get("api_key", "")
        if not services.key_valid(api_key=api_key):
            raise LastfmError(10)
        if not services.rate_take(api_key=api_key):
            raise LastfmError(29)
        handler = METHODS.get(params.get("method", "").lower())
        if handler is None:
            raise LastfmError(3)
        return handler(params, fmt)
    except LastfmError as error:
        return _error(error.code, error.message, fmt)
