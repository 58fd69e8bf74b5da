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
# The client's address behind a trusted proxy
# ------------------------------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    """The address of the client, as the trusted proxies in front of us saw it.

    `TRUSTED_PROXY_COUNT` (env `DJANGO_TRUSTED_PROXY_COUNT`) is how many proxies we run in front of
    the app, each appending the address it saw to X-Forwarded-For. 0 (default): REMOTE_ADDR, the
    header is ignored (anyone can send one). N: the Nth entry from the right, the one our
    outermost proxy wrote; entries further left were sent by the client and are not trusted.
    With fewer entries than N the request did not come through all our proxies: REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]


# ------------------------------------------------------------------------------
# Sign-in attempt limiter
# ------------------------------------------------------------------------------
#
# Three counters of failed sign-ins within the window, in the cache (Redis in production):
# - per address: an address that sprays usernames is refused (429) past `per_address`;
# - per (address, username): one address guessing one account's password is refused past
#   `per_address_username`, even with the right password, from that address only;
# - per username, from every address: never refuses. Past `delay_after` failures each sign-in
#   attempt for that username waits before its password is checked, doubling from
#   `delay_base_seconds` up to `delay_max_seconds`. The owner, from their own address, still
#   signs in with the right password (a little slower) while others fail on their account.
# Trade-off (docs/RELIABILITY.md): a distributed guesser gets `per_address_username` guesses per
# address per window at up to `delay_max_seconds` each, instead of the whole account locking;
# each waiting attempt holds a worker thread for at most `delay_max_seconds`.


@dataclass(frozen=True)
class LoginLimits:
    per_address_username: int
    per_address: int
    window_seconds: int
    delay_after: int
    delay_base_seconds: float
    delay_max_seconds: float


def login_limits() -> LoginLimits:
    return LoginLimits(
        per_address_username=int(getattr(settings, "LOGIN_FAILURES_PER_USERNAME", 5)),
        per_address=int(getattr(settings, "LOGIN_FAILURES_PER_ADDRESS", 20)),
        window_seconds=int(getattr(settings, "LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)),
        delay_after=int(getattr(settings, "LOGIN_DELAY_AFTER_FAILURES", 5)),
        delay_base_seconds=float(getattr(settings, "LOGIN_DELAY_BASE_SECONDS", 0.25)),
        delay_max_seconds=float(getattr(settings, "LOGIN_DELAY_MAX_SECONDS", 2.0)),
    )


def _key(kind: str, *values: str) -> str:
    # Hashed so usernames and addresses are not readable from the cache.
    joined = "\x00".join(value.strip().lower() for value in values)
    digest = hashlib.sha256(joined.encode()).hexdigest()[:32]
    return f"login-failures:{kind}:{digest}"


def _bump(key: str, window: int) -> None:
    if not cache.add(key, 1, timeout=window):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window)


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def login_attempt_refusal(request: HttpRequest, username: str | None) -> str | None:
    """Why this sign-in attempt is refused ("address" or "account"), or None to let it through."""
    limits = login_limits()
    address = client_address(request)
    if _count(_key("address", address)) >= limits.per_address:
        return "address"
    if username and _count(_key("pair", address, username)) >= limits.per_address_username:
        return "account"
    return None


def login_attempt_blocked(request: HttpRequest, username: str | None) -> bool:
    """True when this address, or this address for this username, has too many failures."""
    return login_attempt_refusal(request, username) is not None


def login_attempt_delay(username: str | None) -> float:
    """Seconds a sign-in attempt for `username` waits first (failures from every address)."""
    if not username:
        return 0.0
    limits = login_limits()
    over = _count(_key("username", username)) - limits.delay_after
    if over < 0:
        return 0.0
    return min(limits.delay_max_seconds, limits.delay_base_seconds * 2 ** min(over, 16))


@receiver(user_login_failed, dispatch_uid="core.security.count_login_failure")
def count_login_failure(
    sender: object, credentials: dict[str, object], request: HttpRequest | None = None, **_: object
) -> None:
    limits = login_limits()
    username = str(credentials.get("username") or "")
    if username:
        _bump(_key("username", username), limits.window_seconds)
    if request is not None:
        address = client_address(request)
        _bump(_key("address", address), limits.window_seconds)
        if username:
            _bump(_key("pair", address, username), limits.window_seconds)


@receiver(user_logged_in, dispatch_uid="core.security.forget_login_failures")
def forget_login_failures(
    sender: object, request: HttpRequest | None, user: object, **_: object
) -> None:
    """The owner's own address starts afresh; the per-username delay stays until its window ends
    (it was earned by failures from elsewhere, and it never refuses)."""
    username = getattr(user, "get_username", lambda: "")()
    if username and request is not None:
        cache.delete(_key("pair", client_address(request), username))


# ------------------------------------------------------------------------------
# Failed API token authentication, per address
# ------------------------------------------------------------------------------


def token_failure_window() -> int:
    return int(getattr(settings, "API_TOKEN_FAILURE_WINDOW_SECONDS", 15 * 60))


def token_failures_blocked(request: HttpRequest) -> bool:
    """True when this address sent too many wrong or revoked API tokens within the window."""
    limit = int(getattr(settings, "API_TOKEN_FAILURES_PER_ADDRESS", 20))
    return _count(_key("token-address", client_address(request))) >= limit


def token_failure_count(request: HttpRequest) -> None:
    _bump(_key("token-address", client_address(request)), token_failure_window())
