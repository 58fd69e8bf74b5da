"""Signing in with Spotify over real HTTP against the stand-in: the happy path and every failure."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from social_django.models import UserSocialAuth

from accounts.models import User
from accounts.tests.factories import UserFactory
from library.models import LibrarySync
from spotify_sandbox.testing import DEFAULT_SCOPES, Sandbox

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_creates_the_user_stores_tokens_and_syncs_the_library(sandbox: Sandbox) -> None:
    browser = requests.Session()

    done = sandbox.sign_in(browser, user="sam")

    assert done.status_code == 302
    assert done.headers["Location"] == "/library/"  # a new user goes to their library
    social = UserSocialAuth.objects.get(provider="spotify")
    # Linked by Spotify's immutable account_id; the id ("sam") is kept as display data.
    assert social.uid == sandbox.account_id("sam")
    assert social.id_key == "account_id"
    assert social.extra_data["id"] == "sam"
    assert social.user.username == "sam"
    extra = social.extra_data
    assert extra["access_token"]
    assert extra["refresh_token"]
    assert extra["expires_in"] == 3600
    assert extra["scope"] == DEFAULT_SCOPES
    assert extra["display_name"] == "Sam Okafor"
    # The first sign-in queued the library sync (run eagerly in tests).
    sync = LibrarySync.objects.get(user=social.user)
    assert sync.status == LibrarySync.Status.DONE
    assert sync.track_count >= 80
    library = browser.get(sandbox.base + "/library/", timeout=10)
    assert f"{sync.track_count} tracks in your library" in library.text


def test_signing_in_again_finds_the_same_account(sandbox: Sandbox) -> None:
    alex = sandbox.account_id("alex")
    sandbox.sign_in(requests.Session(), user="alex")
    first = User.objects.get(social_auth__uid=alex)

    again = sandbox.sign_in(requests.Session(), user="alex")

    assert again.status_code == 302
    assert again.headers["Location"] == "/"
    assert User.objects.filter(social_auth__uid=alex).get() == first
    assert UserSocialAuth.objects.filter(uid=alex).count() == 1


def test_a_listener_linked_outside_sign_in_can_sign_in_with_spotify(sandbox: Sandbox) -> None:
    """The demo seed links the demo user to a stand-in listener without a sign-in; signing in
    as that listener later must find the demo user (social-core refuses rows it cannot verify:
    `identifier_migration_conflict`, a 409, before associations were stored with their id_key)."""
    import io

    from demo import library as demo_seed

    demo_seed.seed(stdout=io.StringIO())
    demo = User.objects.get(username="demo")
    social = UserSocialAuth.objects.get(user=demo)

    assert (social.uid, social.id_key) == ("demo", "id")  # seeded without an account_id

    done = sandbox.sign_in(requests.Session(), user=social.uid)

    assert done.status_code == 302, done.text[:300]
    # Signing in re-keyed the seeded row by account_id: the same user, no second association.
    relinked = UserSocialAuth.objects.get(user=demo)
    assert (relinked.pk, relinked.uid, relinked.id_key) == (
        social.pk,
        sandbox.account_id("demo"),
        "account_id",
    )
    assert UserSocialAuth.objects.count() == 1


def test_the_sign_in_button_is_a_post_form_with_csrf(sandbox: Sandbox) -> None:
    browser = requests.Session()
    landing = browser.get(sandbox.base + "/", timeout=10)

    assert 'action="/login/spotify/"' in landing.text
    assert "Sign in with Spotify" in landing.text
    assert browser.get(sandbox.base + "/login/spotify/", timeout=10).status_code == 405
    no_csrf = requests.post(sandbox.base + "/login/spotify/", timeout=10)
    assert no_csrf.status_code == 403


def test_cancelling_consent_lands_on_a_friendly_page(sandbox: Sandbox) -> None:
    page = sandbox.sign_in(requests.Session(), action="cancel")

    assert page.status_code == 403
    assert "Spotify sign-in cancelled" in page.text
    assert "nothing changed" in page.text
    assert "Traceback" not in page.text
    assert not User.objects.exists()


def test_a_tampered_state_lands_on_a_friendly_page(sandbox: Sandbox) -> None:
    browser = requests.Session()
    token = sandbox.csrf_token(browser)
    begin = browser.post(
        f"{sandbox.base}/login/spotify/",
        data={"csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=10,
    )
    params = dict(parse_qsl(urlsplit(begin.headers["Location"]).query))
    params["state"] = "forged-state"
    back = sandbox.consent(params, session=browser)

    page = browser.get(back.headers["Location"], allow_redirects=False, timeout=10)

    assert page.status_code == 403
    assert "This sign-in attempt expired" in page.text
    assert not UserSocialAuth.objects.exists()


def test_a_provider_error_lands_on_a_friendly_page(sandbox: Sandbox) -> None:
    sandbox.fault("api/token", 503)

    page = sandbox.sign_in(requests.Session())

    assert page.status_code in (502, 503)
    assert "Spotify is not answering" in page.text
    assert "Try again with Spotify" in page.text


def test_a_refused_code_lands_on_a_friendly_page(sandbox: Sandbox) -> None:
    sandbox.fault("api/token", 400, body_reason="invalid_grant")

    page = sandbox.sign_in(requests.Session())

    assert page.status_code == 403
    assert "Spotify did not accept this sign-in" in page.text


def _local_sign_in(sandbox: Sandbox, user: User) -> requests.Session:
    browser = requests.Session()
    token = sandbox.csrf_token(browser)
    response = browser.post(
        sandbox.base + "/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": user.username,
              "password": "correct-horse-battery"},
        allow_redirects=False,
        timeout=10,
    )  # fmt: skip
    assert response.status_code == 302
    return browser


def test_a_local_user_connects_spotify_from_the_profile(sandbox: Sandbox) -> None:
    local = UserFactory(username="staffer")
    browser = _local_sign_in(sandbox, local)

    done = sandbox.sign_in(
        browser, user="alex", next_url="/accounts/profile/", from_path="/accounts/profile/"
    )

    assert done.headers["Location"] == "/accounts/profile/"
    assert UserSocialAuth.objects.get(uid=sandbox.account_id("alex")).user == local
    assert User.objects.count() == 1
    profile = browser.get(sandbox.base + "/accounts/profile/", timeout=10)
    assert "Connected as" in profile.text
    assert "Alex Rivera" in profile.text
    assert "Disconnect Spotify" in profile.text


def test_a_spotify_account_of_someone_else_cannot_be_connected(sandbox: Sandbox) -> None:
    sandbox.sign_in(requests.Session(), user="alex")
    local = UserFactory(username="other")
    browser = _local_sign_in(sandbox, local)

    page = sandbox.sign_in(browser, user="alex", from_path="/accounts/profile/")

    assert page.status_code == 409
    assert "already connected to another Moodtrack account" in page.text
    assert not UserSocialAuth.objects.filter(user=local).exists()


def test_a_local_user_can_disconnect_spotify_and_keeps_the_library(sandbox: Sandbox) -> None:
    local = UserFactory(username="staffer")
    browser = _local_sign_in(sandbox, local)
    sandbox.sign_in(browser, user="sam", from_path="/accounts/profile/")
    size = LibrarySync.objects.get(user=local).track_count
    token = sandbox.csrf_token(browser, "/accounts/profile/")

    gone = browser.post(
        sandbox.base + "/disconnect/spotify/",
        data={"csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=10,
    )

    assert gone.status_code == 302
    assert gone.headers["Location"].endswith("/accounts/profile/")
    assert not UserSocialAuth.objects.filter(user=local).exists()
    assert local.library.count() >= size
    assert "Connect Spotify" in browser.get(sandbox.base + "/accounts/profile/", timeout=10).text
