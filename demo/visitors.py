"""Demo visitors: every "Try the demo" gets a listener of its own, deleted after a day.

A visitor is a local user `demo-<token>` (`is_demo`, no usable password) with the demo month of
readings and, when the Spotify stand-in is on, a stand-in account `visitor-<token>` of its own
(social-auth allows one local user per Spotify id) holding the demo listener's songs and copies
of its playlists; the library sync is queued as after a real sign-in. Nothing is shared with the
`demo` user of `seed_demo` or with another visitor, so deleting, exporting or uploading touches
only the visitor's own data and counts against their own upload budget.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from demo.library import DEMO_SPOTIFY_USER, stand_in_enabled, stand_in_link
from demo.readings import readings_seed
from insights.history import history_delete_all

logger = logging.getLogger(__name__)

USERNAME_PREFIX = "demo-"
STAND_IN_PREFIX = "visitor-"
TOKEN_BYTES = 6  # 12 hex characters


def visitor_queryset() -> QuerySet[User]:
    """Every demo visitor (never the shared `demo` user of seed_demo)."""
    return User.objects.filter(is_demo=True, username__startswith=USERNAME_PREFIX)


def _copy_demo_playlists(spotify_user: str) -> int:
    """The demo listener's own stand-in playlists, owned by the visitor's stand-in account."""
    from spotify_sandbox import catalogue, services

    copied = 0
    for spec in catalogue.PLAYLISTS.values():
        if spec.owner != DEMO_SPOTIFY_USER:
            continue
        playlist = services.playlist_create(
            owner=spotify_user,
            name=spec.name,
            description=spec.description,
            public=False,
            collaborative=False,
        )
        services.playlist_add_items(
            playlist=playlist,
            track_indices=list(spec.track_indices),
            position=None,
            added_by=spotify_user,
        )
        copied += 1
    return copied


@transaction.atomic
def visitor_create() -> User:
    """A fresh demo listener with seeded history and (with the stand-in) a library being synced."""
    from library.sync import library_sync_request

    while True:
        token = secrets.token_hex(TOKEN_BYTES)
        if not User.objects.filter(username=USERNAME_PREFIX + token).exists():
            break
    user = User(
        username=USERNAME_PREFIX + token,
        is_demo=True,
        first_name="Demo visitor",
        last_name=token[:4].upper(),
    )
    user.set_unusable_password()
    user.save()
    readings_seed(user=user)
    if stand_in_enabled():
        spotify_user = STAND_IN_PREFIX + token
        _copy_demo_playlists(spotify_user)
        stand_in_link(user=user, spotify_user=spotify_user)
        library_sync_request(user=user, reason="demo visitor")
    logger.info("demo visitor %s created", user.username)
    return user


@transaction.atomic
def visitor_delete(*, user: User) -> None:
    """Delete a visitor with their history (files included) and their stand-in account."""
    if not (user.is_demo and user.username.startswith(USERNAME_PREFIX)):
        raise ValueError(f"{user.username!r} is not a demo visitor")
    from social_django.models import UserSocialAuth

    uids = list(UserSocialAuth.objects.filter(user=user).values_list("uid", flat=True))
    history_delete_all(user=user)
    user.delete()
    if settings.SPOTIFY_SANDBOX_ENABLED:
        from spotify_sandbox import services

        for uid in uids:
            if uid.startswith(STAND_IN_PREFIX):
                services.listener_forget(spotify_user=uid)


def visitors_delete_expired(*, now: dt.datetime | None = None) -> int:
    """Delete visitors who arrived over DEMO_VISITOR_MAX_AGE_HOURS ago; returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.DEMO_VISITOR_MAX_AGE_HOURS)
    deleted = 0
    for user in list(visitor_queryset().filter(date_joined__lt=cutoff)):
        visitor_delete(user=user)
        deleted += 1
    if deleted:
        logger.info("demo visitors: %s deleted (older than %s)", deleted, cutoff.isoformat())
    return deleted
