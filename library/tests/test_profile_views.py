"""The profile page (preferences, Spotify link, sync status), re-sign-in page, demo banner."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects
from social_django.models import UserSocialAuth

from accounts.models import User
from accounts.services import user_ensure_demo
from library.models import LibrarySync


def _connect(user: User) -> UserSocialAuth:
    return UserSocialAuth.objects.create(
        user=user,
        provider="spotify",
        uid="sam",
        extra_data={
            "access_token": "BQ-secret-access",
            "refresh_token": "AQ-secret-refresh",
            "expires_in": 3600,
            "auth_time": int(timezone.now().timestamp()),
            "scope": "user-library-read user-top-read",
            "display_name": "Sam Okafor",
        },
    )


def test_the_profile_needs_a_signed_in_user(client: Client, db) -> None:
    assertRedirects(client.get("/accounts/profile/"), "/accounts/login/?next=/accounts/profile/")


def test_preferences_are_saved(client_logged_in: Client, user: User) -> None:
    page = client_logged_in.get("/accounts/profile/")
    assertContains(page, "<legend>When I show a mood, by default</legend>", html=True)
    assertContains(page, 'value="lift"')

    saved = client_logged_in.post(
        "/accounts/profile/",
        {"default_strategy": "lift", "image_retention": "nothing"},
        follow=True,
    )

    assertContains(saved, "Your settings are saved.")
    user.refresh_from_db()
    assert (user.default_strategy, user.image_retention) == ("lift", "nothing")


def test_invalid_preferences_are_refused_accessibly(client_logged_in: Client, user: User) -> None:
    page = client_logged_in.post(
        "/accounts/profile/", {"default_strategy": "shout", "image_retention": "nothing"}
    )

    assert page.status_code == 400
    assertContains(page, 'role="alert"', status_code=400)
    user.refresh_from_db()
    assert user.default_strategy == "match"


def test_the_spotify_link_is_shown_without_tokens(client_logged_in: Client, user: User) -> None:
    _connect(user)
    LibrarySync.objects.create(user=user, status=LibrarySync.Status.DONE, track_count=80)

    page = client_logged_in.get("/accounts/profile/")

    assertContains(page, "Connected as <strong>Sam Okafor</strong>")
    assertContains(page, "user-library-read")
    assertContains(page, "80 tracks")
    assertContains(page, "Disconnect Spotify")  # a local user with a password may disconnect
    assertNotContains(page, "secret")


def test_a_user_without_spotify_is_offered_to_connect(client_logged_in: Client) -> None:
    page = client_logged_in.get("/accounts/profile/")

    assertContains(page, "Connect Spotify")
    assertContains(page, '<input type="hidden" name="next" value="/accounts/profile/">', html=True)


@pytest.mark.django_db
def test_the_demo_user_cannot_disconnect_its_only_sign_in(client: Client) -> None:
    demo, _ = user_ensure_demo()
    _connect(demo)
    client.force_login(demo)

    page = client.get("/accounts/profile/")

    assertNotContains(page, "Disconnect Spotify")
    assertContains(page, "it stays connected")


@pytest.mark.django_db
def test_the_reconnect_page_explains_and_offers_the_button(client: Client) -> None:
    page = client.get("/accounts/spotify/reconnect/?next=/library/")

    assertContains(page, "six months")
    assertContains(page, "Sign in with Spotify again")
    assertContains(page, '<input type="hidden" name="next" value="/library/">', html=True)
    unsafe = client.get("/accounts/spotify/reconnect/?next=https://evil.example/")
    assertNotContains(unsafe, "evil.example")


@pytest.mark.django_db
def test_demo_mode_is_labelled_on_every_page(client: Client, settings) -> None:
    settings.SPOTIFY_API_BASE_URL = "http://127.0.0.1:8000/spotify-sandbox/v1/"
    assertContains(client.get("/"), 'aria-label="Demo mode"')
    assertContains(client.get("/accounts/login/"), "opens Moodtrack's local Spotify stand-in")

    settings.SPOTIFY_API_BASE_URL = "https://api.spotify.com/v1/"
    assertNotContains(client.get("/"), 'aria-label="Demo mode"')


@pytest.mark.django_db
@override_settings(SOCIAL_AUTH_SPOTIFY_KEY="", SPOTIFY_SANDBOX_ENABLED=False)
def test_no_spotify_button_when_spotify_cannot_be_used(client: Client) -> None:
    assertNotContains(client.get("/accounts/login/"), "Sign in with Spotify")
