"""The stand-in's Web API (/spotify-sandbox/v1/...): the endpoints Moodtrack uses, as of 2026."""

from __future__ import annotations

import datetime as dt
import json
import re

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from spotify_sandbox import catalogue, payloads, services
from spotify_sandbox.http import (
    ApiError,
    api_error,
    api_json,
    int_param,
    limit_offset,
    require_scope,
    sandbox_view,
    web_api,
)
from spotify_sandbox.models import Playlist
from spotify_sandbox.payloads import Links, PlaylistView

URI_PATTERN = re.compile(
    r"^spotify:(track|album|episode|show|audiobook|user|playlist):([0-9A-Za-z]+)$"
)


@web_api()
def me(request: HttpRequest) -> HttpResponse:
    return api_json(payloads.user_object(request.sandbox_user, Links.for_request(request)))


@web_api()
def saved_tracks(request: HttpRequest) -> HttpResponse:
    require_scope(request, "user-library-read")
    limit, offset = limit_offset(request)
    liked = services.liked_indices(request.sandbox_user.id)
    links = Links.for_request(request)
    items = [
        {"added_at": payloads.timestamp(added_at), "track": payloads.track_object(track, links)}
        for track, added_at in (
            (catalogue.track(index), added_at) for index, added_at in liked[offset : offset + limit]
        )
    ]
    market = {"market": request.GET["market"]} if request.GET.get("market") else None
    return api_json(
        payloads.paging(
            links, "me/tracks", items=items, offset=offset, limit=limit, total=len(liked),
            params=market,
        )
    )  # fmt: skip


@web_api()
def top_items(request: HttpRequest, kind: str) -> HttpResponse:
    require_scope(request, "user-top-read")
    time_range = request.GET.get("time_range") or "medium_term"
    if time_range not in catalogue.TIME_RANGES:
        raise ApiError(400, "Invalid time range")
    limit, offset = limit_offset(request)
    links = Links.for_request(request)
    indices = request.sandbox_user.top.get(time_range, ())
    if kind == "tracks":
        everything = [payloads.track_object(catalogue.track(i), links) for i in indices]
    else:
        artists = dict.fromkeys(a for i in indices for a in catalogue.track(i).artists)
        everything = [payloads.artist_object(artist, links) for artist in artists]
    return api_json(
        payloads.paging(
            links, f"me/top/{kind}", items=everything[offset : offset + limit], offset=offset,
            limit=limit, total=len(everything), params={"time_range": time_range},
        )
    )  # fmt: skip


def _ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


@web_api()
def recently_played(request: HttpRequest) -> HttpResponse:
    require_scope(request, "user-read-recently-played")
    limit, _ = limit_offset(request)
    after, before = int_param(request, "after"), int_param(request, "before")
    if after is not None and before is not None:
        raise ApiError(400, "Only one of 'before' or 'after' can be specified")
    person = request.sandbox_user
    plays = [(index, person.played_at(position)) for position, index in enumerate(person.recent)]
    if after is not None:
        plays = [play for play in plays if _ms(play[1]) > after]
    if before is not None:
        plays = [play for play in plays if _ms(play[1]) < before]
    page, rest = plays[:limit], plays[limit:]
    links = Links.for_request(request)
    cursor = {"after": after} if after is not None else {"before": before} if before else {}
    body = {
        "href": links.api("me/player/recently-played", {"limit": limit, **cursor}),
        "items": [
            {
                "track": payloads.track_object(catalogue.track(index), links),
                "played_at": payloads.timestamp(played_at),
            }
            for index, played_at in page
        ],
        "limit": limit,
        "cursors": {},
    }
    # The description types cursor-paged `next` as a string: without a next page it is left out.
    if page:
        body["cursors"] = {"after": str(_ms(page[0][1])), "before": str(_ms(page[-1][1]))}
        if rest:
            body["next"] = links.api(
                "me/player/recently-played", {"before": _ms(page[-1][1]), "limit": limit}
            )
    return api_json(body)


def _playlists_of(user_id: str) -> list[PlaylistView]:
    created = [
        PlaylistView.from_model(playlist, services.snapshot_id(playlist))
        for playlist in Playlist.objects.filter(owner=user_id).prefetch_related("entries")
    ]
    person = catalogue.user(user_id)
    specs = [PlaylistView.from_spec(spec) for spec in (person.playlists if person else [])]
    return created + specs


def _find_playlist(playlist_id: str) -> PlaylistView | None:
    spec = catalogue.playlist_spec(playlist_id)
    if spec is not None:
        return PlaylistView.from_spec(spec)
    playlist = Playlist.objects.filter(spotify_id=playlist_id).first()
    return (
        None
        if playlist is None
        else PlaylistView.from_model(playlist, services.snapshot_id(playlist))
    )


def _json_body(request: HttpRequest) -> object:
    if not request.body:
        return {}
    try:
        return json.loads(request.body)
    except ValueError:
        raise ApiError(400, "Error parsing json") from None


@web_api(methods=("GET", "POST"))
def my_playlists(request: HttpRequest) -> HttpResponse:
    links = Links.for_request(request)
    person = request.sandbox_user
    if request.method == "POST":
        body = _json_body(request)
        if not isinstance(body, dict) or not str(body.get("name") or "").strip():
            raise ApiError(400, "Missing required field: name")
        public = body.get("public", True) is not False
        collaborative = body.get("collaborative") is True
        require_scope(request, "playlist-modify-public" if public else "playlist-modify-private")
        if collaborative and public:
            raise ApiError(400, "Collaborative playlists cannot be public")
        playlist = services.playlist_create(
            owner=person.id,
            name=str(body["name"])[:200],
            description=str(body.get("description") or "")[:300],
            public=public,
            collaborative=collaborative,
        )
        view = PlaylistView.from_model(playlist, services.snapshot_id(playlist))
        return api_json(_full_playlist(view, links, person.id), status=201)
    require_scope(request, "playlist-read-private")
    limit, offset = limit_offset(request, max_offset=100_000)
    everything = _playlists_of(person.id)
    if "playlist-read-collaborative" not in request.sandbox_token.scopes:
        # Spotify lists collaborative playlists someone else owns only with this scope.
        everything = [
            view for view in everything if view.owner == person.id or not view.collaborative
        ]
    items = [view.simplified(links) for view in everything[offset : offset + limit]]
    return api_json(
        payloads.paging(
            links, "me/playlists", items=items, offset=offset, limit=limit, total=len(everything)
        )
    )


def _full_playlist(view: PlaylistView, links: Links, user_id: str) -> dict:
    body = {**view.base(links), "followers": {"href": None, "total": 0}}
    if view.can_read_items(user_id):
        body["items"] = payloads.paging(
            links, f"playlists/{view.id}/items", items=view.item_objects(links, 0, 50), offset=0,
            limit=50, total=len(view.entries),
        )  # fmt: skip
    return body


@web_api()
def playlist(request: HttpRequest, playlist_id: str) -> HttpResponse:
    view = _find_playlist(playlist_id)
    user_id = request.sandbox_user.id
    if view is None or not (view.public or view.can_read_items(user_id)):
        raise ApiError(404, "Resource not found")
    return api_json(_full_playlist(view, Links.for_request(request), user_id))


def _uris_from(request: HttpRequest) -> tuple[list[str], int | None]:
    position = int_param(request, "position")
    if request.GET.get("uris"):
        return [uri.strip() for uri in request.GET["uris"].split(",") if uri.strip()], position
    body = _json_body(request)
    if isinstance(body, list):  # the legacy form some clients still send
        return [str(uri) for uri in body], position
    if isinstance(body, dict) and isinstance(body.get("uris"), list):
        if body.get("position") is not None:
            try:
                position = int(body["position"])
            except (TypeError, ValueError):
                raise ApiError(400, "Invalid position") from None
        return [str(uri) for uri in body["uris"]], position
    raise ApiError(400, "No uris provided")


def _track_index(uri: str) -> int:
    match = URI_PATTERN.match(uri)
    index = catalogue.parse_id("track", match.group(2)) if match and match[1] == "track" else None
    if index is None:
        raise ApiError(400, f"Invalid track uri: {uri}")
    return index


@web_api(methods=("GET", "POST"))
def playlist_items(request: HttpRequest, playlist_id: str) -> HttpResponse:
    view = _find_playlist(playlist_id)
    person = request.sandbox_user
    links = Links.for_request(request)
    if request.method == "POST":
        if view is None:
            raise ApiError(404, "Resource not found")
        require_scope(
            request, "playlist-modify-public" if view.public else "playlist-modify-private"
        )
        if not view.can_read_items(person.id):
            raise ApiError(403, "Forbidden")
        uris, position = _uris_from(request)
        if not uris:
            raise ApiError(400, "No uris provided")
        if len(uris) > 100:
            raise ApiError(400, "You can add a maximum of 100 tracks per request.")
        indices = [_track_index(uri) for uri in uris]
        stored = Playlist.objects.filter(spotify_id=playlist_id).first()
        if stored is None:
            raise ApiError(403, "This demo playlist is read-only in the stand-in")
        snapshot = services.playlist_add_items(
            playlist=stored, track_indices=indices, position=position, added_by=person.id
        )
        return api_json({"snapshot_id": snapshot}, status=201)
    require_scope(request, "playlist-read-private")
    limit, offset = limit_offset(request)
    if view is None:
        raise ApiError(404, "Resource not found")
    if not view.can_read_items(person.id):
        raise ApiError(403, "Forbidden")
    return api_json(
        payloads.paging(
            links, f"playlists/{view.id}/items", items=view.item_objects(links, offset, limit),
            offset=offset, limit=limit, total=len(view.entries),
        )
    )  # fmt: skip


@web_api(methods=("PUT",))
def save_to_library(request: HttpRequest) -> HttpResponse:
    require_scope(request, "user-library-modify")
    raw = request.GET.get("uris", "")
    uris = [uri.strip() for uri in raw.split(",") if uri.strip()]
    if not uris:
        raise ApiError(400, "Missing uris parameter")
    if len(uris) > 40:
        raise ApiError(400, "Too many uris: the maximum is 40")
    indices = []
    for uri in uris:
        match = URI_PATTERN.match(uri)
        if not match:
            raise ApiError(400, f"Invalid uri: {uri}")
        if match[1] == "track":  # other kinds are accepted; the stand-in only keeps tracks
            indices.append(_track_index(uri))
    services.library_save(spotify_user=request.sandbox_user.id, track_indices=indices)
    return HttpResponse(status=200)


@web_api()
def one_track(request: HttpRequest, track_id: str) -> HttpResponse:
    found = catalogue.track_by_id(track_id)
    if found is None:
        raise ApiError(404 if re.fullmatch(r"[0-9A-Za-z]{22}", track_id) else 400, "Invalid id")
    return api_json(payloads.track_object(found, Links.for_request(request)))


@web_api()
def one_artist(request: HttpRequest, artist_id: str) -> HttpResponse:
    found = catalogue.artist_by_id(artist_id)
    if found is None:
        raise ApiError(404 if re.fullmatch(r"[0-9A-Za-z]{22}", artist_id) else 400, "Invalid id")
    return api_json(payloads.artist_object(found, Links.for_request(request)))


@web_api(methods=("GET", "POST", "PUT", "DELETE"))
def removed_endpoint(request: HttpRequest, *args: str, **kwargs: str) -> HttpResponse:
    """Endpoints Spotify closed to Development Mode apps in 2024-2026 answer 403."""
    raise ApiError(403, "This endpoint is not available to your app")


@csrf_exempt
@sandbox_view()
def not_found(request: HttpRequest, path: str) -> HttpResponse:
    return api_error(404, "Service not found")
