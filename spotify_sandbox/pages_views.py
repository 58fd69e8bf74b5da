"""The stand-in's own pages: an index, generated cover art, and the fault-injection control API.

The control API changes how the stand-in answers everyone (faults) and ends listeners' sign-ins
(expire-tokens): staff only, and CSRF-protected like every other form of the site (a JSON POST
sends the `csrftoken` cookie's value as `X-CSRFToken`). Tests set faults through `Sandbox.fault`.
"""

from __future__ import annotations

import hashlib
import json
from html import escape

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from spotify_sandbox import catalogue, services
from spotify_sandbox.http import api_json, sandbox_view
from spotify_sandbox.models import FaultRule

MOOD_COLOURS = {
    "happy": ("#ffb347", "#ff5e7e"),
    "energetic": ("#ff3d3d", "#5b3cc4"),
    "sad": ("#3a4a7a", "#7a8fb8"),
    "calm": ("#4fb3a9", "#a8e0c8"),
}


@sandbox_view()
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """What the stand-in is, its listeners and its endpoints."""
    return render(
        request,
        "spotify_sandbox/index.html",
        {"users": catalogue.listeners(), "faults": FaultRule.objects.all()},
    )


@sandbox_view()
@require_GET
@cache_control(max_age=86400, public=True)
def cover(request: HttpRequest, kind: str, spotify_id: str) -> HttpResponse:
    """An SVG cover for an album: the stand-in serves its own images, nothing external."""
    album = catalogue.album_by_id(spotify_id) if kind == "album" else None
    if album is None:
        raise Http404("No such image.")
    start, end = MOOD_COLOURS[album.mood]
    angle = int(hashlib.sha256(album.id.encode()).hexdigest()[:2], 16)
    svg = f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 640" role="img"
aria-label="{escape(album.name)} cover"><defs><linearGradient id="g"
gradientTransform="rotate({angle})"><stop offset="0" stop-color="{start}"/>
<stop offset="1" stop-color="{end}"/></linearGradient></defs>
<rect width="640" height="640" fill="url(#g)"/>
<text x="40" y="560" font-family="sans-serif" font-size="44" fill="#fff">{escape(album.name)}</text>
<text x="40" y="610" font-family="sans-serif" font-size="28" fill="#fff"
opacity="0.8">{escape(album.artist.name)}</text></svg>"""
    return HttpResponse(svg, content_type="image/svg+xml")


def _rule_json(rule: FaultRule) -> dict[str, object]:
    return {
        "id": rule.pk,
        "path_glob": rule.path_glob,
        "match": "glob",
        "method": rule.method,
        "status": rule.status,
        "retry_after": rule.retry_after,
        "body_reason": rule.body_reason,
        "remaining": rule.remaining,
        "hits": rule.hits,
    }


def _staff_only(request: HttpRequest) -> HttpResponse | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return api_json({"error": "sign in as staff to use the control API"}, status=403)
    if not user.is_staff:
        return api_json({"error": "the control API is for staff"}, status=403)
    return None


@sandbox_view()
def control_faults(request: HttpRequest) -> HttpResponse:
    """GET lists fault rules, POST (JSON) adds one, DELETE removes them all. Staff only."""
    refused = _staff_only(request)
    if refused is not None:
        return refused
    if request.method == "GET":
        return api_json({"faults": [_rule_json(rule) for rule in FaultRule.objects.all()]})
    if request.method == "DELETE":
        return api_json({"deleted": services.faults_clear()})
    if request.method != "POST":
        return api_json({"error": "method not allowed"}, status=405)
    if request.content_type != "application/json":
        return api_json({"error": "send the rule as application/json"}, status=415)
    try:
        body = json.loads(request.body or b"{}")
        if "path_regex" in body:
            raise ValueError("regular expressions are not accepted; send path_glob (fnmatch)")
        if "path_glob" not in body:
            raise KeyError("path_glob (a glob such as v1/me/tracks*; regular expressions are gone)")
        rule = services.fault_create(
            path_glob=str(body["path_glob"]),
            status=int(body["status"]),
            method=str(body.get("method") or ""),
            retry_after=None if body.get("retry_after") is None else int(body["retry_after"]),
            body_reason=str(body.get("body_reason") or ""),
            remaining=None if body.get("remaining") is None else int(body["remaining"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        return api_json({"error": f"invalid fault rule: {error}"}, status=400)
    return api_json(_rule_json(rule), status=201)


@sandbox_view()
def control_expire_tokens(request: HttpRequest, user_id: str) -> HttpResponse:
    """POST: expire a listener's access tokens (`?refresh=1`: their refresh tokens too). Staff."""
    refused = _staff_only(request)
    if refused is not None:
        return refused
    if request.method != "POST":
        return api_json({"error": "method not allowed"}, status=405)
    expired = services.tokens_expire(spotify_user=user_id, refresh=bool(request.GET.get("refresh")))
    return api_json({"expired": expired})


def _json_object(request: HttpRequest) -> dict:
    if request.content_type != "application/json":
        raise TypeError("send application/json")
    body = json.loads(request.body or b"{}")
    if not isinstance(body, dict):
        raise TypeError("send a JSON object")
    return body


def _app_json(client_id: str) -> dict[str, object]:
    state = services.app_state(client_id)
    return {
        "client_id": client_id,
        **{name: getattr(state, name) for name in services.APP_SWITCHES},
        "allow_list": services.allow_list(client_id),
    }


@sandbox_view()
def control_app(request: HttpRequest) -> HttpResponse:
    """GET the app's switches and allow-list; POST (JSON) changes switches: `owner_lapsed`
    (every Web API call answers 403), `rotate_refresh_tokens`, `forbidden_as_text`,
    `user_limit`. Staff only."""
    refused = _staff_only(request)
    if refused is not None:
        return refused
    client_id = settings.SPOTIFY_SANDBOX_CLIENT_ID
    if request.method == "POST":
        try:
            services.app_state_update(client_id=client_id, **_json_object(request))
        except TypeError as error:
            return api_json({"error": str(error)}, status=415)
        except ValueError as error:
            return api_json({"error": f"invalid switch: {error}"}, status=400)
    elif request.method != "GET":
        return api_json({"error": "method not allowed"}, status=405)
    return api_json(_app_json(client_id))


@sandbox_view()
def control_allow_list(request: HttpRequest, user_id: str) -> HttpResponse:
    """PUT adds a listener to the app's allow-list (409 when full), DELETE removes one. Staff."""
    refused = _staff_only(request)
    if refused is not None:
        return refused
    client_id = settings.SPOTIFY_SANDBOX_CLIENT_ID
    if request.method == "DELETE":
        services.allow_list_remove(client_id=client_id, spotify_user=user_id)
    elif request.method == "PUT":
        try:
            added = services.allow_list_add(client_id=client_id, spotify_user=user_id)
        except ValueError as error:
            return api_json({"error": str(error)}, status=404)
        if not added:
            limit = services.app_state(client_id).user_limit
            return api_json(
                {"error": f"the allow-list is full ({limit} users); remove someone first"},
                status=409,
            )
    else:
        return api_json({"error": "method not allowed"}, status=405)
    return api_json(_app_json(client_id))


@sandbox_view()
def control_rename(request: HttpRequest, user_id: str) -> HttpResponse:
    """POST {"id": "new-id"}: the listener's Spotify `id` changes, its `account_id` stays. Staff."""
    refused = _staff_only(request)
    if refused is not None:
        return refused
    if request.method != "POST":
        return api_json({"error": "method not allowed"}, status=405)
    try:
        renamed = services.listener_rename(
            spotify_user=user_id, public_id=str(_json_object(request).get("id") or "")
        )
    except TypeError as error:
        return api_json({"error": str(error)}, status=415)
    except ValueError as error:
        return api_json({"error": str(error)}, status=400)
    person = catalogue.user(user_id)
    return api_json(
        {
            "user": user_id,
            "id": renamed.public_id,
            "account_id": person.account_id if person else "",
        }
    )
