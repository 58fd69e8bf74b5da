"""A user's Spotify tokens: read, and refreshed before they expire (errors in `spotify.errors`).

Tokens live in social-auth's `UserSocialAuth.extra_data`; refreshing goes through social-auth (and
so through `SPOTIFY_ACCOUNTS_BASE_URL`). Nothing here logs a token.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, cast

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from social_core.exceptions import AuthCredentialError, AuthProviderError, SocialAuthBaseException
from social_django.models import UserSocialAuth
from social_django.utils import load_strategy

from spotify.errors import SpotifyNotConnected, SpotifyReauthRequired, SpotifyTokenEndpointError

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

PROVIDER = "spotify"
# Refresh a little before the expiry so a token never dies in the middle of a sync.
REFRESH_MARGIN = dt.timedelta(seconds=60)


def spotify_association_store(
    *, user: AbstractBaseUser, uid: str, extra_data: dict
) -> UserSocialAuth:
    """Create or update `user`'s Spotify association the way social-auth's pipeline stores one.

    For associations made outside sign-in (the demo seed, tests, benchmarks). `uid` is Spotify's
    user `id`. With `account_id` in `extra_data` the row is keyed by it, as a sign-in keys it;
    without, it is an `id`-keyed row (id_key "id", the id as evidence in extra_data), which the
    listener's next sign-in re-keys by `account_id` (the library sync records the account_id
    first: `spotify_association_refresh`). A row
    keyed one way with evidence of the other would be refused by social-core at sign-in
    (`identifier_migration_conflict`).
    """
    from spotify.backend import LEGACY_ID_KEY, SpotifyOAuth2

    account_id = str(extra_data.get(SpotifyOAuth2.ID_KEY) or "")
    if account_id:
        key, value = SpotifyOAuth2.ID_KEY, account_id
    else:
        key, value = LEGACY_ID_KEY, uid
    social, _ = UserSocialAuth.objects.update_or_create(
        user=user,
        provider=PROVIDER,
        defaults={
            "uid": value,
            "id_key": key,
            "extra_data": {**extra_data, LEGACY_ID_KEY: uid, key: value},
        },
    )
    return social


def spotify_display_id(social: UserSocialAuth) -> str:
    """The listener's Spotify `id` as last seen (owner of their playlists); it can change."""
    return str(social.extra_data.get("id") or social.uid)


def spotify_association_refresh(social: UserSocialAuth, profile: dict) -> UserSocialAuth:
    """Bring an association's display data up to date with a fresh `GET /me` of its own token.

    Keeps the current `id` (which can change; the listener's own playlists are told apart by it)
    and records `account_id`. On a row still keyed by the old `id` that account_id is the evidence
    social-core checks when the listener next signs in and the row is re-keyed by it (the uid
    itself changes only at sign-in: demo visitors' stand-in accounts are named by their uid).
    """
    from spotify.backend import LEGACY_ID_KEY, SpotifyOAuth2

    changed: dict[str, str] = {}
    for key in (LEGACY_ID_KEY, SpotifyOAuth2.ID_KEY):
        value = str(profile.get(key) or "")
        if value and social.extra_data.get(key) != value:
            changed[key] = value
    if social.id_key == SpotifyOAuth2.ID_KEY and changed.get(SpotifyOAuth2.ID_KEY, social.uid) != (
        social.uid
    ):
        # A token answering for another account than the row's key: keep the row as it is.
        logger.warning("spotify profile of user %s does not match its account_id", social.user_id)
        return social
    if not changed:
        return social
    with transaction.atomic():
        locked = UserSocialAuth.objects.select_for_update().get(pk=social.pk)
        locked.extra_data = {**locked.extra_data, **changed}
        locked.save(update_fields=["extra_data", "modified"])
    social.refresh_from_db()
    return social


def spotify_association(user: AbstractBaseUser) -> UserSocialAuth | None:
    if not user.is_authenticated:
        return None
    # Signed in, so an AUTH_USER_MODEL instance.
    owner = cast("User", user)
    return UserSocialAuth.objects.filter(user=owner, provider=PROVIDER).order_by("-pk").first()


def token_expires_in(social: UserSocialAuth) -> dt.timedelta | None:
    try:
        return social.expiration_timedelta()
    except SocialAuthBaseException:
        return None


def _retry_after(error: AuthProviderError) -> int | None:
    try:
        return int(error.retry_after) if error.retry_after is not None else None
    except (TypeError, ValueError):
        return None


def refresh_access_token(social: UserSocialAuth) -> None:
    """Ask the accounts service for a new access token and store it (social-auth keeps the rest)."""
    try:
        social.refresh_token(load_strategy())
    except AuthCredentialError as error:
        logger.warning(
            "spotify refresh refused for user %s (%s): re-authentication needed",
            social.user_id,
            error.code,
        )
        raise SpotifyReauthRequired(SpotifyReauthRequired.user_message) from None
    except AuthProviderError as error:
        logger.warning(
            "spotify token endpoint failed for user %s: %s (status %s)",
            social.user_id,
            error.code,
            error.status_code,
        )
        raise SpotifyTokenEndpointError(
            f"Spotify's accounts service failed ({error.code}).",
            status=error.status_code,
            retry_after=_retry_after(error),
        ) from None
    except SocialAuthBaseException as error:
        logger.warning("spotify refresh failed for user %s: %s", social.user_id, error.code)
        raise SpotifyTokenEndpointError(
            f"Spotify's accounts service failed ({error.code}).", status=None, retry_after=None
        ) from None
    logger.info("spotify access token refreshed for user %s", social.user_id)


def spotify_access_token(user: AbstractBaseUser, *, force_refresh: bool = False) -> str:
    """A usable access token for `user`, refreshed first when it expires within a minute."""
    social = spotify_association(user)
    if social is None or not social.access_token:
        raise SpotifyNotConnected(SpotifyNotConnected.user_message)
    remaining = token_expires_in(social)
    if force_refresh or remaining is None or remaining <= REFRESH_MARGIN:
        refresh_access_token(social)
    if not social.access_token:
        raise SpotifyReauthRequired(SpotifyReauthRequired.user_message)
    return social.access_token
