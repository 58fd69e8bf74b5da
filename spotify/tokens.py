"""A user's Spotify tokens: read, and refreshed before they expire (errors in `spotify.errors`).

Tokens live in social-auth's `UserSocialAuth.extra_data`; refreshing goes through social-auth (and
so through `SPOTIFY_ACCOUNTS_BASE_URL`). Nothing here logs a token.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, cast

from django.contrib.auth.models import AbstractBaseUser
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

    For associations made outside sign-in (the demo seed, tests, benchmarks). social-core finds
    an association by (provider, uid, id_key); a row without the backend's id_key and the uid as
    evidence in extra_data is treated as a legacy row and a later "Sign in with Spotify" as the
    same listener is refused (`identifier_migration_conflict`).
    """
    from spotify.backend import SpotifyOAuth2

    id_key = SpotifyOAuth2.ID_KEY
    social, _ = UserSocialAuth.objects.update_or_create(
        user=user,
        provider=PROVIDER,
        defaults={"uid": uid, "id_key": id_key, "extra_data": {**extra_data, id_key: uid}},
    )
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
