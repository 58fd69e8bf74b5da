"""Routes of the Spotify stand-in, mounted at /spotify-sandbox/ when SPOTIFY_SANDBOX_ENABLED.

Web API routes take an optional trailing slash, as Spotify does (spotipy asks for `me/`).
"""

from django.urls import path, re_path

from spotify_sandbox import accounts_views, api_views, pages_views

app_name = "spotify_sandbox"

ID = r"(?P<{}>[^/]+)"

urlpatterns = [
    path("", pages_views.index, name="index"),
    # Accounts service (accounts.spotify.com)
    path("authorize", accounts_views.authorize, name="authorize"),
    path("api/token", accounts_views.token, name="token"),
    # Web API (api.spotify.com/v1)
    re_path(r"^v1/me/?$", api_views.me, name="me"),
    re_path(r"^v1/me/tracks/?$", api_views.saved_tracks, name="saved-tracks"),
    re_path(r"^v1/me/top/(?P<kind>tracks|artists)/?$", api_views.top_items, name="top"),
    re_path(r"^v1/me/player/recently-played/?$", api_views.recently_played, name="recently-played"),
    re_path(r"^v1/me/playlists/?$", api_views.my_playlists, name="my-playlists"),
    re_path(r"^v1/me/library/?$", api_views.save_to_library, name="library"),
    re_path(rf"^v1/playlists/{ID.format('playlist_id')}/?$", api_views.playlist, name="playlist"),
    re_path(
        rf"^v1/playlists/{ID.format('playlist_id')}/items/?$",
        api_views.playlist_items,
        name="playlist-items",
    ),
    re_path(rf"^v1/tracks/{ID.format('track_id')}/?$", api_views.one_track, name="track"),
    re_path(rf"^v1/artists/{ID.format('artist_id')}/?$", api_views.one_artist, name="artist"),
    # Closed to Development Mode apps since 2024-2026: 403, like Spotify.
    re_path(
        r"^v1/(?P<removed>audio-features|audio-analysis|recommendations|browse)(/.*)?$",
        api_views.removed_endpoint,
    ),
    re_path(r"^v1/playlists/[^/]+/tracks/?$", api_views.removed_endpoint),
    re_path(r"^v1/users/[^/]+/playlists/?$", api_views.removed_endpoint),
    re_path(r"^v1/artists/[^/]+/(top-tracks|related-artists)/?$", api_views.removed_endpoint),
    re_path(r"^v1/(tracks|artists|albums)/?$", api_views.removed_endpoint),
    re_path(r"^v1/(?P<path>.*)$", api_views.not_found),
    # Stand-in only
    path("images/<str:kind>/<str:spotify_id>.svg", pages_views.cover, name="image"),
    path("_control/faults", pages_views.control_faults, name="control-faults"),
    path(
        "_control/users/<str:user_id>/expire-tokens",
        pages_views.control_expire_tokens,
        name="control-expire-tokens",
    ),
    path("_control/app", pages_views.control_app, name="control-app"),
    path(
        "_control/allow-list/<str:user_id>",
        pages_views.control_allow_list,
        name="control-allow-list",
    ),
    path("_control/users/<str:user_id>/rename", pages_views.control_rename, name="control-rename"),
]
