"""`manage.py check --deploy`: warnings for settings that must not reach a public deployment.

Production settings already refuse demo mode without an explicit DEMO_MODE=true; these warnings
keep the explicit cases visible on every deploy check (docs/RELIABILITY.md, security finding 4).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def _loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOOPBACK_HOSTS


@register(Tags.security, deploy=True)
def check_demo_and_stand_ins(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Demo mode, the Spotify and Last.fm stand-ins, or Spotify URLs on this machine."""
    messages: list[CheckMessage] = []
    if getattr(settings, "DEMO_MODE", False):
        messages.append(
            Warning(
                'Demo mode is on: anyone can sign in with "Try the demo".',
                hint="Set SOCIAL_AUTH_SPOTIFY_KEY and SOCIAL_AUTH_SPOTIFY_SECRET to your Spotify "
                "app's and unset DEMO_MODE, unless this is a public demo on purpose.",
                id="moodtrack.W001",
            )
        )
    if getattr(settings, "SPOTIFY_SANDBOX_ENABLED", False):
        messages.append(
            Warning(
                "The Spotify stand-in is mounted at /spotify-sandbox/ (SPOTIFY_SANDBOX_ENABLED).",
                hint="Set SPOTIFY_SANDBOX_ENABLED=false in production.",
                id="moodtrack.W002",
            )
        )
    if getattr(settings, "LASTFM_SANDBOX_ENABLED", False):
        messages.append(
            Warning(
                "The Last.fm stand-in is mounted at /lastfm-sandbox/ (LASTFM_SANDBOX_ENABLED).",
                hint="Set LASTFM_SANDBOX_ENABLED=false and LASTFM_API_KEY to your Last.fm key "
                "(or leave it empty: no Last.fm tags).",
                id="moodtrack.W003",
            )
        )
    spotify_urls = [
        getattr(settings, "SPOTIFY_ACCOUNTS_BASE_URL", ""),
        getattr(settings, "SPOTIFY_API_BASE_URL", ""),
    ]
    if any(_loopback(url) for url in spotify_urls):
        messages.append(
            Warning(
                "Spotify sign-in or the Web API points at this machine "
                "(SPOTIFY_ACCOUNTS_BASE_URL / SPOTIFY_API_BASE_URL): the local stand-in.",
                hint="Leave both unset with a Spotify key: https://accounts.spotify.com and "
                "https://api.spotify.com/v1/.",
                id="moodtrack.W004",
            )
        )
    return messages


@register(Tags.security, deploy=True)
def check_trusted_proxy(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Behind a TLS proxy with DJANGO_TRUSTED_PROXY_COUNT=0, every client shares one address."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not getattr(
        settings, "TRUSTED_PROXY_COUNT", 0
    ):
        return [
            Warning(
                "DJANGO_TRUSTED_PROXY_COUNT is 0 behind a proxy (SECURE_PROXY_SSL_HEADER is "
                "set): the sign-in limiter and the throttles see the proxy's address for every "
                "client, so one client's failures count against all.",
                hint="Set DJANGO_TRUSTED_PROXY_COUNT to the number of proxies in front of the app "
                "(usually 1), each appending the client's address to X-Forwarded-For.",
                id="moodtrack.W005",
            )
        ]
    return []
