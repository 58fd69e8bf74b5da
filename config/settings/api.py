"""API settings (Django REST framework, drf-spectacular), built by base.py from its one Env."""

from typing import Any

import environ


def api_settings(
    *, env: environ.Env, trusted_proxies: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """REST_FRAMEWORK and SPECTACULAR_SETTINGS."""
    rest_framework = {
        "DEFAULT_AUTHENTICATION_CLASSES": (
            # Personal API tokens (hashed; profile page). First, so an API caller without
            # credentials gets 401 with `WWW-Authenticate: Token`; browser sessions still work.
            "accounts.authentication.ApiTokenAuthentication",
            "rest_framework.authentication.SessionAuthentication",
        ),
        "DEFAULT_PERMISSION_CLASSES": ("rest_framework.permissions.IsAuthenticated",),
        "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
        "PAGE_SIZE": 20,
        # The client address for throttles: the same trusted-proxy rule as core.security.
        "NUM_PROXIES": trusted_proxies,
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        "EXCEPTION_HANDLER": "core.exceptions.api_exception_handler",
        "DEFAULT_THROTTLE_CLASSES": (
            "rest_framework.throttling.AnonRateThrottle",
            "rest_framework.throttling.UserRateThrottle",
            "rest_framework.throttling.ScopedRateThrottle",
        ),
        "DEFAULT_THROTTLE_RATES": {
            "anon": env("DRF_THROTTLE_RATE_ANON", default="60/minute"),
            "user": env("DRF_THROTTLE_RATE_USER", default="600/minute"),
            "uploads": env("DRF_THROTTLE_RATE_UPLOADS", default="30/hour"),
        },
    }
    spectacular = {
        "TITLE": "Moodtrack API",
        "DESCRIPTION": "Read a mood from a photo and get songs from your own Spotify library.",
        "VERSION": "1.0.0",
        "SERVE_INCLUDE_SCHEMA": False,
        "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        # Without deep links each operation's expand button holds no link of its own (axe's
        # nested-interactive; a link inside a button is unreachable or ambiguous by keyboard).
        "SWAGGER_UI_SETTINGS": {"deepLinking": False},
        "REDOC_DIST": "SIDECAR",
        # The seven emotions appear in several fields (emotion, user_emotion, ...): one enum.
        "ENUM_NAME_OVERRIDES": {"EmotionEnum": "emotions.models.EMOTION_CHOICES"},
    }
    return rest_framework, spectacular
