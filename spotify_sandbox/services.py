"""The stand-in's state changes: codes and tokens, playlists, saved tracks, fault rules."""

from __future__ import annotations

import base64
import datetime as dt
import fnmatch
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from spotify_sandbox import catalogue
from spotify_sandbox.models import (
    AllowListEntry,
    AppState,
    AuthorizationCode,
    FaultRule,
    Playlist,
    PlaylistItem,
    RenamedListener,
    SavedTrack,
    Token,
)

CODE_LIFETIME = dt.timedelta(minutes=10)
ACCESS_TOKEN_LIFETIME = dt.timedelta(hours=1)
REFRESH_TOKEN_LIFETIME = dt.timedelta(days=183)  # Spotify: six months from authorisation
KNOWN_SCOPES = frozenset(
    {
        "app-remote-control",
        "playlist-read-private",
        "playlist-read-collaborative",
        "playlist-modify-public",
        "playlist-modify-private",
        "user-library-read",
        "user-library-modify",
        "user-read-private",
        "user-read-email",
        "user-follow-read",
        "user-follow-modify",
        "user-top-read",
        "user-read-playback-position",
        "user-read-playback-state",
        "user-read-recently-played",
        "user-read-currently-playing",
        "user-modify-playback-state",
        "ugc-image-upload",
        "streaming",
    }
)


class OAuthError(Exception):
    """An accounts-service error, rendered as {"error": code, "error_description": description}."""

    def __init__(self, code: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.status = status


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    expires_in: int
    scope: str
    refresh_token: str | None = None

    def as_response(self) -> dict[str, object]:
        body: dict[str, object] = {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "scope": self.scope,
            "expires_in": self.expires_in,
        }
        if self.refresh_token:
            body["refresh_token"] = self.refresh_token
        return body


def _new_access_token(
    *, spotify_user: str, client_id: str, scope: str, authorized_at: dt.datetime, code=None
) -> tuple[str, int]:
    raw = "BQ" + secrets.token_urlsafe(48)
    Token.objects.create(
        kind=Token.Kind.ACCESS,
        token_hash=_hash(raw),
        client_id=client_id,
        spotify_user=spotify_user,
        scope=scope,
        expires_at=timezone.now() + ACCESS_TOKEN_LIFETIME,
        authorized_at=authorized_at,
        code=code,
    )
    return raw, int(ACCESS_TOKEN_LIFETIME.total_seconds())


@transaction.atomic
def token_issue(
    *,
    spotify_user: str,
    client_id: str,
    scope: str,
    authorized_at: dt.datetime | None = None,
    code: AuthorizationCode | None = None,
) -> IssuedTokens:
    """A fresh access + refresh token pair, as after the user agreed at `authorized_at`."""
    if catalogue.user(spotify_user) is None:
        raise ValueError(f"the stand-in has no user {spotify_user!r}")
    authorized_at = authorized_at or timezone.now()
    access, expires_in = _new_access_token(
        spotify_user=spotify_user,
        client_id=client_id,
        scope=scope,
        authorized_at=authorized_at,
        code=code,
    )
    refresh = _new_refresh_token(
        spotify_user=spotify_user,
        client_id=client_id,
        scope=scope,
        authorized_at=authorized_at,
        code=code,
    )
    allow_list_admit(client_id=client_id, spotify_user=spotify_user)
    return IssuedTokens(access, expires_in, scope, refresh)


def _new_refresh_token(
    *, spotify_user: str, client_id: str, scope: str, authorized_at: dt.datetime, code=None
) -> str:
    raw = "AQ" + secrets.token_urlsafe(96)
    Token.objects.create(
        kind=Token.Kind.REFRESH,
        token_hash=_hash(raw),
        client_id=client_id,
        spotify_user=spotify_user,
        scope=scope,
        # Six months from the consent, however often it is refreshed or rotated.
        expires_at=authorized_at + REFRESH_TOKEN_LIFETIME,
        authorized_at=authorized_at,
        code=code,
    )
    return raw


def code_issue(*, client_id: str, redirect_uri: str, spotify_user: str, scope: str) -> str:
    raw = secrets.token_urlsafe(96)
    AuthorizationCode.objects.create(
        code_hash=_hash(raw),
        client_id=client_id,
        redirect_uri=redirect_uri,
        spotify_user=spotify_user,
        scope=scope,
        expires_at=timezone.now() + CODE_LIFETIME,
    )
    return raw


def code_exchange(*, code: str, redirect_uri: str, client_id: str) -> IssuedTokens:
    """Trade a code for tokens once; a replayed code also revokes what it was traded for."""
    problem = None
    with transaction.atomic():
        grant = AuthorizationCode.objects.select_for_update().filter(code_hash=_hash(code)).first()
        if grant is None or grant.client_id != client_id:
            problem = "Invalid authorization code"
        elif grant.used_at is not None:
            grant.tokens.update(revoked=True)
            problem = "Invalid authorization code"
        elif grant.expires_at <= timezone.now():
            problem = "Authorization code expired"
        elif grant.redirect_uri != redirect_uri:
            problem = "Invalid redirect URI"
        else:
            grant.used_at = timezone.now()
            grant.save(update_fields=["used_at"])
            issued = token_issue(
                spotify_user=grant.spotify_user, client_id=client_id, scope=grant.scope, code=grant
            )
    if problem:
        raise OAuthError("invalid_grant", problem)
    return issued


@transaction.atomic
def refresh_exchange(*, refresh_token: str, client_id: str) -> IssuedTokens:
    """A new access token for a live refresh token (never extended past six months after
    consent). With the app's `rotate_refresh_tokens` the answer carries a new refresh token and
    the one just used stops working, as Spotify may do."""
    token = (
        Token.objects.select_for_update()
        .filter(kind=Token.Kind.REFRESH, token_hash=_hash(refresh_token), client_id=client_id)
        .first()
    )
    if token is None or token.revoked:
        raise OAuthError("invalid_grant", "Invalid refresh token")
    if token.expires_at <= timezone.now():
        raise OAuthError("invalid_grant", "Refresh token revoked")
    access, expires_in = _new_access_token(
        spotify_user=token.spotify_user,
        client_id=client_id,
        scope=token.scope,
        authorized_at=token.authorized_at,
    )
    rotated = None
    if app_state(client_id).rotate_refresh_tokens:
        token.revoked = True
        token.save(update_fields=["revoked"])
        rotated = _new_refresh_token(
            spotify_user=token.spotify_user,
            client_id=client_id,
            scope=token.scope,
            authorized_at=token.authorized_at,
        )
    return IssuedTokens(access, expires_in, token.scope, rotated)


def access_token_lookup(raw: str) -> Token | None:
    return Token.objects.filter(kind=Token.Kind.ACCESS, token_hash=_hash(raw)).first()


def tokens_expire(*, spotify_user: str, refresh: bool = False) -> int:
    """Expire a user's access tokens (and refresh tokens too, when asked); returns how many."""
    kinds = [Token.Kind.ACCESS, Token.Kind.REFRESH] if refresh else [Token.Kind.ACCESS]
    past = timezone.now() - dt.timedelta(seconds=1)
    return Token.objects.filter(spotify_user=spotify_user, kind__in=kinds).update(expires_at=past)


# Development Mode: the app's switches, its allow-list, listeners' ids -------------------------

# Spotify's own words (its 403 bodies), kept exactly: clients match on them.
NOT_REGISTERED = "User not registered in the Developer Dashboard"
OWNER_LAPSED = "Active premium subscription required for the owner of the app."
# Demo visitors (visitor-<token>, one per "Try the demo") stand for no real person: never counted.
ALLOW_LIST_EXEMPT_PREFIXES = (catalogue.VISITOR_PREFIX,)


def app_state(client_id: str) -> AppState:
    """The client's switches; made from the SPOTIFY_SANDBOX_* settings on first use."""
    state = AppState.objects.filter(client_id=client_id).first()
    if state is not None:
        return state
    try:
        with transaction.atomic():
            return AppState.objects.create(
                client_id=client_id,
                user_limit=settings.SPOTIFY_SANDBOX_USER_LIMIT,
                rotate_refresh_tokens=settings.SPOTIFY_SANDBOX_ROTATE_REFRESH_TOKENS,
                forbidden_as_text=settings.SPOTIFY_SANDBOX_FORBIDDEN_AS_TEXT,
            )
    except IntegrityError:  # made by a concurrent request
        return AppState.objects.get(client_id=client_id)


APP_SWITCHES = ("user_limit", "rotate_refresh_tokens", "forbidden_as_text", "owner_lapsed")


def app_state_update(*, client_id: str, **changes: object) -> AppState:
    """Change a client's switches (`APP_SWITCHES`); ValueError for anything else."""
    state = app_state(client_id)
    for name, value in changes.items():
        if name not in APP_SWITCHES:
            raise ValueError(f"unknown switch {name!r}; known: {', '.join(APP_SWITCHES)}")
        if name == "user_limit":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1000:
                raise ValueError("user_limit must be a whole number from 0 to 1000")
        elif not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
        setattr(state, name, value)
    state.save()
    return state


def allow_list_exempt(spotify_user: str) -> bool:
    return spotify_user.startswith(ALLOW_LIST_EXEMPT_PREFIXES)


def allow_list(client_id: str) -> list[str]:
    return list(
        AllowListEntry.objects.filter(client_id=client_id).values_list("spotify_user", flat=True)
    )


def allow_list_admit(*, client_id: str, spotify_user: str) -> bool:
    """Put a listener who just agreed on the allow-list while it has room (the operator adds the
    first ones in User Management); the rest get tokens, then 403 from the Web API, as on Spotify.
    Returns whether the listener is on the list."""
    if allow_list_exempt(spotify_user):
        return True
    if AllowListEntry.objects.filter(client_id=client_id, spotify_user=spotify_user).exists():
        return True
    limit = app_state(client_id).user_limit
    if AllowListEntry.objects.filter(client_id=client_id).count() >= limit:
        return False
    return allow_list_add(client_id=client_id, spotify_user=spotify_user)


def allow_list_add(*, client_id: str, spotify_user: str) -> bool:
    """Add a listener by hand (staff, tests); False when the list is full."""
    if catalogue.user(spotify_user) is None:
        raise ValueError(f"the stand-in has no user {spotify_user!r}")
    with transaction.atomic():
        state = AppState.objects.select_for_update().get(pk=app_state(client_id).pk)
        entries = AllowListEntry.objects.filter(client_id=client_id)
        if entries.filter(spotify_user=spotify_user).exists():
            return True
        if entries.count() >= state.user_limit:
            return False
        AllowListEntry.objects.create(client_id=client_id, spotify_user=spotify_user)
    return True


def allow_list_remove(*, client_id: str, spotify_user: str) -> int:
    deleted, _ = AllowListEntry.objects.filter(
        client_id=client_id, spotify_user=spotify_user
    ).delete()
    return deleted


def web_api_refusal(*, client_id: str, spotify_user: str) -> str | None:
    """Spotify's 403 message when this app may not answer this listener at all, else None."""
    state = app_state(client_id)
    if state.owner_lapsed:
        return OWNER_LAPSED
    if allow_list_exempt(spotify_user):
        return None
    if not AllowListEntry.objects.filter(client_id=client_id, spotify_user=spotify_user).exists():
        return NOT_REGISTERED
    return None


def public_ids() -> dict[str, str]:
    """Listener key → its current `id`, for the listeners whose id changed."""
    return dict(RenamedListener.objects.values_list("spotify_user", "public_id"))


def listener_rename(*, spotify_user: str, public_id: str) -> RenamedListener:
    """Give a listener a new `id` (its `account_id`, tokens and library stay)."""
    if catalogue.user(spotify_user) is None:
        raise ValueError(f"the stand-in has no user {spotify_user!r}")
    if not public_id or len(public_id) > 100 or not public_id.isascii() or " " in public_id:
        raise ValueError("the new id must be 1 to 100 ASCII characters without spaces")
    clash = catalogue.user(public_id) is not None and public_id != spotify_user
    if (
        clash
        or RenamedListener.objects.filter(public_id=public_id)
        .exclude(spotify_user=spotify_user)
        .exists()
    ):
        raise ValueError(f"the id {public_id!r} is taken")
    renamed, _ = RenamedListener.objects.update_or_create(
        spotify_user=spotify_user, defaults={"public_id": public_id}
    )
    return renamed


# Listener codes -------------------------------------------------------------------------------


def listener_code(spotify_user: str) -> str:
    """The code the consent page asks for before it signs anyone in as `spotify_user`.

    Derived from SECRET_KEY and the listener's id (nothing stored): only this server can make it,
    and Moodtrack shows it on its own sign-in page for the shared listeners (demo, real). Picking a
    listener on the consent page is never enough to become the account linked to it.
    """
    digest = salted_hmac("spotify_sandbox.listener_code", spotify_user, algorithm="sha256")
    raw = base64.b32encode(digest.digest()).decode().lower()[:8]
    return f"{raw[:4]}-{raw[4:]}"


def listener_code_matches(spotify_user: str, given: str) -> bool:
    """Whether `given` is the listener's code (case, spaces and dashes do not matter)."""
    cleaned = "".join(given.split()).replace("-", "").lower()
    return constant_time_compare(cleaned, listener_code(spotify_user).replace("-", ""))


# Faults ---------------------------------------------------------------------------------------

MAX_PATH_GLOB = 200


def fault_target(path: str, query: str = "") -> str:
    """What a rule's glob is matched against: the path below /spotify-sandbox/ without a trailing
    slash (the stand-in answers `v1/me` and `v1/me/` alike), then `?` and the query string."""
    target = path.rstrip("/")
    return f"{target}?{query}" if query else target


def fault_matches(path_glob: str, target: str) -> bool:
    """fnmatch-style glob (`*`, `?`, `[…]`), matched against the whole target, case-sensitive.

    Never a regular expression: `(a+)+$` is a literal path. fnmatch compiles globs to patterns
    without nested quantifiers, so matching is linear in the path's length.
    """
    return fnmatch.fnmatchcase(target, path_glob)


def fault_create(
    *,
    path_glob: str,
    status: int,
    method: str = "",
    retry_after: int | None = None,
    body_reason: str = "",
    remaining: int | None = None,
) -> FaultRule:
    if not path_glob or len(path_glob) > MAX_PATH_GLOB:
        raise ValueError(f"path_glob must be 1 to {MAX_PATH_GLOB} characters")
    if not 100 <= status <= 599:
        raise ValueError("status must be an HTTP status (100-599)")
    return FaultRule.objects.create(
        path_glob=path_glob,
        status=status,
        method=method.upper(),
        retry_after=retry_after,
        body_reason=body_reason,
        remaining=remaining,
    )


def fault_take(*, path: str, method: str) -> FaultRule | None:
    """The first live rule matching this request, spending one of its `remaining` answers.

    `path` is `fault_target(...)`: the path below the stand-in, `?` and the query string."""
    for rule in FaultRule.objects.exclude(remaining=0):
        if rule.method and rule.method != method.upper():
            continue
        if not fault_matches(rule.path_glob, path):
            continue
        if rule.remaining is not None:
            spent = FaultRule.objects.filter(pk=rule.pk, remaining__gt=0).update(
                remaining=F("remaining") - 1, hits=F("hits") + 1
            )
            if not spent:
                continue
        else:
            FaultRule.objects.filter(pk=rule.pk).update(hits=F("hits") + 1)
        return rule
    return None


def faults_clear() -> int:
    deleted, _ = FaultRule.objects.all().delete()
    return deleted


# Library and playlists ------------------------------------------------------------------------


def liked_indices(spotify_user: str) -> list[tuple[int, dt.datetime]]:
    """The user's liked songs, newest first: saves made through the API, then procedural ones."""
    person = catalogue.user(spotify_user)
    saved = list(
        SavedTrack.objects.filter(spotify_user=spotify_user).values_list("track_index", "added_at")
    )
    seen = {index for index, _ in saved}
    procedural = [
        (index, person.liked_at(position))
        for position, index in enumerate(person.liked if person else ())
        if index not in seen
    ]
    return saved + procedural


def library_save(*, spotify_user: str, track_indices: list[int]) -> None:
    now = timezone.now()
    for index in track_indices:
        SavedTrack.objects.get_or_create(
            spotify_user=spotify_user, track_index=index, defaults={"added_at": now}
        )


def playlist_create(
    *, owner: str, name: str, description: str, public: bool, collaborative: bool
) -> Playlist:
    while True:
        candidate = catalogue.make_id("playlist", secrets.randbelow(catalogue.MAX_INDEX))
        if not Playlist.objects.filter(spotify_id=candidate).exists():
            break
    return Playlist.objects.create(
        spotify_id=candidate,
        owner=owner,
        name=name,
        description=description,
        public=public,
        collaborative=collaborative,
    )


@transaction.atomic
def playlist_add_items(
    *, playlist: Playlist, track_indices: list[int], position: int | None, added_by: str
) -> str:
    """Insert tracks at `position` (append when None); returns the new snapshot id."""
    playlist = Playlist.objects.select_for_update().get(pk=playlist.pk)
    size = playlist.entries.aggregate(size=Max("position"))["size"]
    size = 0 if size is None else size + 1
    at = size if position is None else min(position, size)
    playlist.entries.filter(position__gte=at).update(position=F("position") + len(track_indices))
    now = timezone.now()
    PlaylistItem.objects.bulk_create(
        PlaylistItem(
            playlist=playlist,
            position=at + offset,
            track_index=index,
            added_at=now,
            added_by=added_by,
        )
        for offset, index in enumerate(track_indices)
    )
    playlist.version = F("version") + 1
    playlist.save(update_fields=["version"])
    playlist.refresh_from_db(fields=["version"])
    return snapshot_id(playlist)


@transaction.atomic
def listener_forget(*, spotify_user: str) -> None:
    """Delete everything stored for a stand-in account (a demo visitor's, when it is removed)."""
    Token.objects.filter(spotify_user=spotify_user).delete()
    AuthorizationCode.objects.filter(spotify_user=spotify_user).delete()
    SavedTrack.objects.filter(spotify_user=spotify_user).delete()
    Playlist.objects.filter(owner=spotify_user).delete()


def snapshot_id(playlist: Playlist) -> str:
    return hashlib.sha256(f"{playlist.spotify_id}:{playlist.version}".encode()).hexdigest()[:32]
