"""Demo data for the stand-in: link the local `demo` user to the stand-in's demo Spotify account.

The tokens come from the stand-in's own token store, so the real refresh path works against the
running server; the library sync is queued (the worker runs it once `make run` is up, retrying
politely while the dev server starts).
"""

from __future__ import annotations

from io import TextIOBase
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

if TYPE_CHECKING:
    from accounts.models import User
    from spotify_sandbox.catalogue import SandboxUser

DEMO_SPOTIFY_USER = "demo"


def stand_in_enabled() -> bool:
    """The stand-in is on and the Spotify settings point at it (not at real Spotify)."""
    return settings.SPOTIFY_SANDBOX_ENABLED and "/spotify-sandbox" in settings.SPOTIFY_API_BASE_URL


def stand_in_link(*, user: User, spotify_user: str) -> SandboxUser:
    """Link `user` to the stand-in account `spotify_user` with the stand-in's own tokens, stored
    the way sign-in stores them (so refreshing works against the running stand-in). Never a staff
    or curator account (ValueError)."""
    from spotify.pipeline import has_staff_powers
    from spotify.tokens import spotify_association_store
    from spotify_sandbox import catalogue, services

    person = catalogue.user(spotify_user)
    if person is None:
        raise ValueError(f"the stand-in has no listener {spotify_user!r}")
    if has_staff_powers(user):
        # Anyone may pick a shared listener: a staff account behind one would be anyone's.
        raise ValueError(f"{user.username} is staff or a curator: never linked to the stand-in")
    issued = services.token_issue(
        spotify_user=person.id,
        client_id=settings.SPOTIFY_SANDBOX_CLIENT_ID,
        scope=" ".join(settings.SOCIAL_AUTH_SPOTIFY_SCOPE),
    )
    extra = {
        **issued.as_response(),
        "display_name": person.display_name,
        "auth_time": int(timezone.now().timestamp()),
    }
    spotify_association_store(user=user, uid=person.id, extra_data=extra)
    return person


def seed(*, stdout: TextIOBase) -> None:
    if not settings.SPOTIFY_SANDBOX_ENABLED:
        stdout.write("spotify stand-in: disabled, demo user not linked")
        return
    if not stand_in_enabled():
        stdout.write("spotify stand-in: real Spotify configured, demo user not linked")
        return
    from social_django.models import UserSocialAuth

    from accounts.services import user_ensure_demo
    from library.models import LibrarySync
    from library.sync import library_sync_request
    from spotify.backend import SpotifyOAuth2
    from spotify.tokens import spotify_association_store

    demo, _ = user_ensure_demo()
    social = UserSocialAuth.objects.filter(user=demo, provider="spotify").first()
    if social is not None and social.extra_data.get("refresh_token"):
        # Linked by an older seed without social-auth's id_key: store it as sign-in does.
        if social.id_key != SpotifyOAuth2.ID_KEY:
            spotify_association_store(user=demo, uid=social.uid, extra_data=social.extra_data)
        stdout.write(f"spotify stand-in: demo already linked to {social.uid}")
    else:
        person = stand_in_link(user=demo, spotify_user=DEMO_SPOTIFY_USER)
        stdout.write(f"spotify stand-in: demo linked to stand-in listener {person.id}")

    sync = LibrarySync.objects.filter(user=demo).first()
    if sync is None or sync.status != LibrarySync.Status.DONE:
        library_sync_request(user=demo, reason="seed_demo")
        stdout.write("spotify stand-in: demo library sync queued")
    else:
        stdout.write(f"spotify stand-in: demo library already synced ({sync.track_count} tracks)")
