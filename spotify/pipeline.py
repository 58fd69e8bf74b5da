"""Sign-in pipeline steps of the Spotify connection (named in `SOCIAL_AUTH_PIPELINE`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from social_core.exceptions import AuthPolicyError
from social_core.pipeline.user import user_details

from accounts.curators import CURATORS_GROUP


class StandInAccountRefused(AuthPolicyError):
    """A staff or curator account met the Spotify stand-in: never linked, never signed in."""


def signs_in_with_stand_in() -> bool:
    """Spotify sign-in goes to the stand-in (its client, or its URLs), not to Spotify."""
    if not settings.SPOTIFY_SANDBOX_ENABLED:
        return False
    return not settings.SOCIAL_AUTH_SPOTIFY_KEY or (
        "/spotify-sandbox" in settings.SPOTIFY_ACCOUNTS_BASE_URL
    )


def has_staff_powers(user: Any) -> bool:
    """Staff, superuser or curator: an account whose session can change the site."""
    if user.is_staff or user.is_superuser:
        return True
    return bool(user.pk) and user.groups.filter(name=CURATORS_GROUP).exists()


def refuse_staff_on_the_stand_in(
    strategy: Any, backend: Any, user: Any = None, *args: Any, **kwargs: Any
) -> None:
    """After `social_user`: no staff or curator account is signed in or linked through the stand-in.

    `user` is whoever is signed in (connecting Spotify from the profile) or the account already
    linked to the listener (signing in with it). The stand-in's listeners are shared personas, so
    a privileged account behind one would be anyone's for the asking (security finding 1).
    """
    if user is None or not signs_in_with_stand_in():
        return
    if has_staff_powers(user):
        raise StandInAccountRefused(backend, "staff or curator account on the Spotify stand-in")


def user_details_of_new_accounts(
    strategy: Any,
    details: dict[str, Any],
    backend: Any,
    user: Any = None,
    *args: Any,
    **kwargs: Any,
) -> None:
    """social-core's `user_details`, for an account this sign-in just created only.

    An existing account keeps its names and email: a staff member who connects Spotify is not
    renamed after the Spotify profile (the admin greeted "Sam" after connecting as sam).
    """
    if not kwargs.get("is_new"):
        return
    user_details(strategy, details, backend, user, *args, **kwargs)
