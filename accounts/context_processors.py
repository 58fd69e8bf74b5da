"""Template context about Spotify: whether sign-in is offered and whether it is the stand-in."""

from django.conf import settings
from django.http import HttpRequest


def spotify(request: HttpRequest) -> dict[str, object]:
    """SPOTIFY_SIGN_IN: Spotify sign-in is offered; SPOTIFY_DEMO: it goes to the local stand-in."""
    demo = settings.SPOTIFY_SANDBOX_ENABLED and "/spotify-sandbox" in settings.SPOTIFY_API_BASE_URL
    return {
        "SPOTIFY_SIGN_IN": bool(settings.SOCIAL_AUTH_SPOTIFY_KEY)
        or settings.SPOTIFY_SANDBOX_ENABLED,
        "SPOTIFY_DEMO": demo,
    }
