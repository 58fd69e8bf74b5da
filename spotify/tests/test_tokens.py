"""Spotify tokens over real HTTP: refreshed before expiry, invalid_grant sends the user back to sign
in with a message and no data lost, and no token ever reaches a log or an API response."""

from __future__ import annotations

import logging
import time

import pytest
import requests
from django.test import Client

from accounts.tests.factories import UserFactory
from library.models import LibraryEntry, LibrarySync
from library.sync import library_sync_run
from recommendations.models import Recommendation, RecommendationItem
from spotify.errors import SpotifyNotConnected, SpotifyReauthRequired
from spotify.tokens import spotify_access_token
from spotify_sandbox.testing import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)


def _expire_locally(user) -> None:
    """Make our stored access token look expired (as an hour after sign-in)."""
    social = user.social_auth.get()
    social.extra_data["auth_time"] = int(time.time()) - 7200
    social.save()


def test_an_expired_access_token_is_refreshed_through_the_token_endpoint(sandbox) -> None:
    user = UserFactory()
    social = sandbox.link(user, "alex", access_expired=True)
    old_access, refresh = social.access_token, social.extra_data["refresh_token"]

    token = spotify_access_token(user)

    social.refresh_from_db()
    assert token == social.access_token != old_access
    assert social.extra_data["refresh_token"] == refresh  # Spotify did not rotate it: kept
    assert social.extra_data["expires_in"] == 3600
    me = sandbox.session_for(token).get(sandbox.api + "me", timeout=10)
    assert me.json()["id"] == "alex"


def test_a_fresh_token_is_used_without_asking_again(sandbox) -> None:
    user = UserFactory()
    social = sandbox.link(user, "alex")
    sandbox.fault("api/token", 500)  # any refresh attempt would fail

    assert spotify_access_token(user) == social.access_token


def test_a_token_about_to_expire_is_refreshed_first(sandbox) -> None:
    user = UserFactory()
    social = sandbox.link(user, "alex")
    social.extra_data["auth_time"] = int(time.time()) - 3600 + 30  # 30 s left
    social.save()

    assert spotify_access_token(user) != social.access_token


def test_invalid_grant_requires_signing_in_again_and_keeps_everything(sandbox) -> None:
    user = UserFactory()
    sandbox.link(user, "synthetic-25")
    library_sync_run(user_id=user.pk)
    _expire_locally(user)
    sandbox.fault("api/token", 400, body_reason="invalid_grant")

    with pytest.raises(SpotifyReauthRequired, match="six months"):
        spotify_access_token(user)

    assert user.social_auth.exists()
    assert LibraryEntry.objects.filter(user=user).count() == 25


def test_not_connected() -> None:
    with pytest.raises(SpotifyNotConnected):
        spotify_access_token(UserFactory())


def test_the_reauth_path_end_to_end(sandbox: Sandbox) -> None:
    """A sync finds the sign-in expired; the user is sent to sign in again, and comes back to the
    same account with its library and lists intact and a fresh sync."""
    browser = requests.Session()
    sandbox.sign_in(browser, user="sam")
    user = LibrarySync.objects.get().user
    size = LibraryEntry.objects.filter(user=user).count()
    track = LibraryEntry.objects.filter(user=user).first().track
    recommendation = Recommendation.objects.create(user=user, emotion="sad", strategy="lift")
    RecommendationItem.objects.create(
        recommendation=recommendation, track=track, position=1, score=1.0, reason="test"
    )
    _expire_locally(user)
    sandbox.fault("api/token", 400, body_reason="invalid_grant", remaining=2)

    # 1. The background sync records that Spotify wants a new sign-in.
    assert library_sync_run(user_id=user.pk).status == LibrarySync.Status.REAUTH
    library = browser.get(sandbox.base + "/library/", timeout=10)
    assert "Spotify sign-in needed" in library.text
    assert "Sign in with Spotify again" in library.text

    # 2. An action that needs Spotify sends the user to sign in again, with a message.
    token = sandbox.csrf_token(browser, "/library/")
    saved = browser.post(
        f"{sandbox.base}/songs/{recommendation.pk}/save/",
        data={"csrfmiddlewaretoken": token},
        timeout=30,
    )
    assert saved.url.startswith(sandbox.base + "/accounts/spotify/reconnect/")
    assert "Your Spotify sign-in has expired" in saved.text
    assert "your history, ratings and library are kept" in saved.text

    # 3. Signing in again finds the same account, keeps its data and syncs again.
    back = sandbox.sign_in(browser, user="sam", from_path="/accounts/spotify/reconnect/")
    assert back.status_code == 302
    user.refresh_from_db()
    assert user.social_auth.count() == 1
    assert LibraryEntry.objects.filter(user=user).count() == size
    assert Recommendation.objects.filter(user=user).count() == 1
    assert LibrarySync.objects.get(user=user).status == LibrarySync.Status.DONE


def test_tokens_never_appear_in_logs_or_api_responses(sandbox: Sandbox, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    browser = requests.Session()
    sandbox.sign_in(browser, user="alex")
    user = LibrarySync.objects.get().user
    first = dict(user.social_auth.get().extra_data)
    _expire_locally(user)
    spotify_access_token(user)  # a refresh
    library_sync_run(user_id=user.pk)
    second = dict(user.social_auth.get().extra_data)
    secrets = {first["access_token"], first["refresh_token"], second["access_token"]}
    client = Client()
    client.force_login(user)
    answers = [
        client.get("/api/v1/library/sync/").content,
        client.get("/api/v1/library/").content,
        client.get("/accounts/profile/").content,
        client.get("/library/").content,
        browser.get(sandbox.base + "/api/v1/library/sync/", timeout=10).content,
    ]

    assert "spotify" in caplog.text.lower()  # the flow did log
    for secret in secrets:
        assert secret not in caplog.text
        for answer in answers:
            assert secret.encode() not in answer
