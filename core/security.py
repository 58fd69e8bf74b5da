"""Security policy: Content-Security-Policy, Permissions-Policy and the sign-in attempt limiter."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest

# Spotify's embedded player (iframes on the recommendation panel) and its album art.
SPOTIFY_EMBED_ORIGIN = "https://open.spotify.com"
SPOTIFY_IMAGE_ORIGIN = "https://i.scdn.co"

# Features the pages use: the camera on the capture page, nothing else that is sensitive.
PERMISSIONS_POLICY = ", ".join(
    [
        "camera=(self)",
        "microphone=()",
        "geolocation=()",
        "payment=()",
        "usb=()",
        "serial=()",
        "bluetooth=()",
        "browsing-topics=()",
    ]
)


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def csp_directives(*, nonce: str | None = None) -> dict[str, list[str]]:
    """The policy as directive -> sources; `nonce` allows inline scripts that carry it."""
    script_src = ["'self'"]
    if nonce:
        script_src.append(f"'nonce-{nonce}'")
    # The Spotify sign-in form posts to /login/spotify/, which redirects to the accounts host:
    # form-action is enforced on that redirect, so the accounts origin must be listed.
    form_action = ["'self'"]
    accounts_origin = _origin(getattr(settings, "SPOTIFY_ACCOUNTS_BASE_URL", ""))
    if accounts_origin:
        form_action.append(accounts_origin)
    return {
        "default-src": ["'self'"],
        "script-src": script_src,
        # Inline style *attributes* carry CSS variables (dashboard swatches) and HTMX inserts
        # its indicator style; no script can run from a style, so this is a narrow allowance.
        "style-src": ["'self'", "'unsafe-inline'"],
        # data:/blob: for the webcam snapshot preview (canvas -> blob URL) and Swagger's icons.
        "img-src": ["'self'", "data:", "blob:", SPOTIFY_IMAGE_ORIGIN],
        "media-src": ["'self'", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": [SPOTIFY_EMBED_ORIGIN],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": form_action,
        "frame-ancestors": ["'none'"],
    }


def csp_header_value(*, nonce: str | None = None) -> str:
    """The Content-Security-Policy header value."""
    return "; ".join(
        f"{name} {' '.join(sources)}" for name, sources in csp_directives(nonce=nonce).items()
    )


class LazyNonce:
    """A per-request nonce made only when a template asks for it (`{{ request.csp_nonce }}`)."""

    def __init__(self) -> None:
        self._value: str | None = None

    @property
    def used(self) -> bool:
        return self._value is not None

    def __str__(self) -> str:
        if self._value is None:
            self._value = secrets.token_urlsafe(18)
        return self._value

    def __html__(self) -> str:
        return str(self)


# ------------------------------------------------------------------------------
# Sign-in attempt limiter
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginLimits:
    per_username: int
    per_address: int
    window_seconds: int


def login_limits() -> LoginLimits:
    return LoginLimits(
        per_username=int(getattr(settings, "LOGIN_FAILURES_PER_USERNAME", 5)),
        per_address=int(getattr(settings, "LOGIN_FAILURES_PER_ADDRESS", 20)),
        window_seconds=int(getattr(settings, "LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)),
    )


def client_address(request: HttpRequest) -> str:
    """The peer address (REMOTE_ADDR; the proxy in front must set it, e.g. gunicorn's)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(kind: str, value: str) -> str:
    # Hashed so usernames and addresses are not readable from the cache.
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-failures:{kind}:{digest}"


def _bump(key: str, window: int) -> None:
    if not cache.add(key, 1, timeout=window):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window)


def login_attempt_blocked(request: HttpRequest, username: str | None) -> bool:
    """True when this address or this username has too many recent failed sign-ins."""
    limits = login_limits()
    if (cache.get(_key("address", client_address(request))) or 0) >= limits.per_address:
        return True
    return bool(username and (cache.get(_key("username", username)) or 0) >= limits.per_username)


@receiver(user_login_failed, dispatch_uid="core.security.count_login_failure")
def count_login_failure(
    sender: object, credentials: dict[str, object], request: HttpRequest | None = None, **_: object
) -> None:
    limits = login_limits()
    username = str(credentials.get("username") or "")
    if username:
        _bump(_key("username", username), limits.window_seconds)
    if request is not None:
        _bump(_key("address", client_address(request)), limits.window_seconds)


@receiver(user_logged_in, dispatch_uid="core.security.forget_login_failures")
def forget_login_failures(
    sender: object, request: HttpRequest | None, user: object, **_: object
) -> None:
    username = getattr(user, "get_username", lambda: "")()
    if username:
        cache.delete(_key("username", username))
