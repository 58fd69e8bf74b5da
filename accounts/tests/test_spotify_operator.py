"""Signing in with Spotify as an operator meets it in 2026 (issue 18), over real HTTP against the
stand-in: the allow-list page (403, not 502), re-consent for `playlist-read-collaborative`, and
accounts linked by `account_id` (old `id`-keyed associations re-keyed without losing anyone)."""

from __future__ import annotations

import pytest
import requests
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from social_django.models import UserSocialAuth

from accounts.models import User
from accounts.tests.factories import UserFactory
from library.models import LibraryEntry, LibrarySync
from library.sync import library_sync_run
from spotify_sandbox.services import NOT_REGISTERED
from spotify_sandbox.testing import DEFAULT_SCOPES, SCOPES_BEFORE_COLLABORATIVE, Sandbox

pytestmark = pytest.mark.django_db(transaction=True)

FIVE = [f"synthetic-{n}" for n in range(1, 6)]
ALLOW_LIST_TITLE = "This Spotify account isn&#x27;t on this app&#x27;s allow-list"


# The allow-list ---------------------------------------------------------------------------------


@pytest.mark.parametrize("as_text", [False, True], ids=["json-403", "plain-text-403"])
def test_the_sixth_listener_gets_the_allow_list_page_not_a_502(
    sandbox: Sandbox, as_text: bool
) -> None:
    sandbox.app(forbidden_as_text=as_text)
    sandbox.fill_allow_list(*FIVE)

    page = sandbox.sign_in(requests.Session(), user="sam")

    assert page.status_code == 403
    assert ALLOW_LIST_TITLE in page.text
    assert "User Management" in page.text
    assert "5 users at most" in page.text
    assert NOT_REGISTERED in page.text  # Spotify's own words, JSON or plain text
    assert "Spotify is not answering" not in page.text
    assert "For operators" not in page.text  # the docs links are for staff
    assert "Traceback" not in page.text
    # Nothing half-written: no user, no association, no sync.
    assert not User.objects.exists()
    assert not UserSocialAuth.objects.exists()
    assert not LibrarySync.objects.exists()


def _local_sign_in(sandbox: Sandbox, user: User) -> requests.Session:
    browser = requests.Session()
    response = browser.post(
        f"{sandbox.base}/accounts/login/",
        data={
            "csrfmiddlewaretoken": sandbox.csrf_token(browser),
            "username": user.username,
            "password": "correct-horse-battery",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302
    return browser


def test_staff_who_hit_the_allow_list_get_the_operator_links(sandbox: Sandbox, settings) -> None:
    sandbox.fill_allow_list(*FIVE)
    staff = UserFactory(username="operator", is_staff=True)
    browser = _local_sign_in(sandbox, staff)

    page = sandbox.sign_in(
        browser, user="sam", next_url="/accounts/profile/", from_path="/accounts/profile/"
    )

    assert page.status_code == 403
    assert ALLOW_LIST_TITLE in page.text
    assert "For operators" in page.text
    assert f'href="{settings.SPOTIFY_OPERATOR_DOCS_URL}"' in page.text
    assert "docs/SPOTIFY.md" in page.text
    assert not UserSocialAuth.objects.exists()


def test_a_lapsed_app_owner_is_named_at_sign_in(sandbox: Sandbox) -> None:
    sandbox.app(owner_lapsed=True)

    page = sandbox.sign_in(requests.Session(), user="alex")

    assert page.status_code == 403
    assert "Spotify app is switched off" in page.text
    assert "Premium" in page.text
    assert not User.objects.exists()


def test_a_listener_added_afterwards_signs_in(sandbox: Sandbox) -> None:
    sandbox.fill_allow_list(*FIVE)
    assert sandbox.sign_in(requests.Session(), user="sam").status_code == 403

    sandbox.disallow("synthetic-5")  # the operator makes room and adds Sam
    sandbox.fill_allow_list("sam")
    page = sandbox.sign_in(requests.Session(), user="sam")

    assert page.status_code == 302
    assert page.headers["Location"] == "/library/"
    assert User.objects.get().username == "sam"


# playlist-read-collaborative ----------------------------------------------------------------------


def test_listeners_without_the_collaborative_scope_are_asked_once(sandbox: Sandbox) -> None:
    user = UserFactory()
    sandbox.link(user, "demo", scope=SCOPES_BEFORE_COLLABORATIVE)
    library_sync_run(user_id=user.pk)
    assert LibraryEntry.objects.filter(user=user, playlist=True).exists()
    before = set(LibraryEntry.objects.filter(user=user).values_list("track_id", flat=True))
    browser = _local_sign_in(sandbox, user)

    first = browser.get(sandbox.base + "/library/", allow_redirects=False, timeout=10)
    assert first.status_code == 302
    assert first.headers["Location"] == "/accounts/spotify/permissions/?next=%2Flibrary%2F"
    page = browser.get(sandbox.base + first.headers["Location"], timeout=10)
    assert page.status_code == 200
    assert "see your collaborative playlists" in page.text
    assert "Spotify no longer shows an app the collaborative playlists" in page.text
    assert 'action="/login/spotify/"' in page.text
    assert 'href="/library/"' in page.text  # "Not now"

    # Asked once: not again in this session, nor in the next one.
    assert browser.get(sandbox.base + "/library/", timeout=10).status_code == 200
    again = _local_sign_in(sandbox, user)
    assert again.get(sandbox.base + "/", allow_redirects=False, timeout=10).status_code == 200

    # Agreeing again grants it; the collaborative playlist's songs arrive with the next sync.
    sandbox.sign_in(browser, user="demo", next_url="/library/", from_path="/accounts/profile/")
    social = UserSocialAuth.objects.get(user=user)
    assert social.extra_data["scope"] == DEFAULT_SCOPES
    library_sync_run(user_id=user.pk)
    after = set(LibraryEntry.objects.filter(user=user).values_list("track_id", flat=True))
    assert after > before  # Road Trip (Alex's, Demo collaborates) was invisible before


def test_listeners_with_every_scope_are_never_asked(sandbox: Sandbox) -> None:
    user = UserFactory()
    sandbox.link(user, "demo")
    browser = _local_sign_in(sandbox, user)

    assert (
        browser.get(sandbox.base + "/library/", allow_redirects=False, timeout=10).status_code
        == 200
    )
    page = browser.get(sandbox.base + "/accounts/spotify/permissions/", timeout=10)
    assert "already includes every permission" in page.text


def test_the_permissions_page_never_sends_anyone_elsewhere(sandbox: Sandbox) -> None:
    user = UserFactory()
    sandbox.link(user, "demo", scope=SCOPES_BEFORE_COLLABORATIVE)
    browser = _local_sign_in(sandbox, user)

    page = browser.get(
        sandbox.base + "/accounts/spotify/permissions/?next=https://evil.example/", timeout=10
    )

    assert "evil.example" not in page.text
    assert requests.get(sandbox.base + "/accounts/spotify/permissions/", timeout=10).url.endswith(
        "/accounts/login/?next=/accounts/spotify/permissions/"
    )


# Linked by account_id -----------------------------------------------------------------------------


def test_an_id_keyed_listener_signs_in_and_stays_the_same_user_with_the_same_library(
    sandbox: Sandbox,
) -> None:
    user = UserFactory(username="alex-before")
    old = sandbox.link(user, "alex", legacy=True)
    assert (old.uid, old.id_key) == ("alex", "id")
    library_sync_run(user_id=user.pk)
    library = set(LibraryEntry.objects.filter(user=user).values_list("track_id", flat=True))
    assert library

    done = sandbox.sign_in(requests.Session(), user="alex")

    assert done.status_code == 302, done.text[:300]
    social = UserSocialAuth.objects.get()
    assert social.pk == old.pk
    assert social.user == user
    assert (social.uid, social.id_key) == (sandbox.account_id("alex"), "account_id")
    assert social.extra_data["id"] == "alex"  # kept as display data
    assert User.objects.count() == 1
    kept = set(LibraryEntry.objects.filter(user=user).values_list("track_id", flat=True))
    assert kept == library


def test_a_changed_spotify_id_finds_the_same_user(sandbox: Sandbox) -> None:
    sandbox.sign_in(requests.Session(), user="alex")
    user = User.objects.get()

    sandbox.rename("alex", "alex-renamed")
    library_sync_run(user_id=user.pk)
    browser = requests.Session()
    again = sandbox.sign_in(browser, user="alex")

    assert again.status_code == 302
    assert User.objects.get() == user
    profile = browser.get(sandbox.base + "/accounts/profile/", timeout=10).text
    assert "(Spotify user alex-renamed)" in profile  # the id is what people see
    assert sandbox.account_id("alex") not in profile
    social = UserSocialAuth.objects.get()
    assert social.uid == sandbox.account_id("alex")
    assert social.extra_data["id"] == "alex-renamed"
    # Alex's own playlists are still recognised as Alex's (their owner id changed too).
    sync = LibrarySync.objects.get(user=user)
    assert sync.status == LibrarySync.Status.DONE
    assert LibraryEntry.objects.filter(user=user, playlist=True).exists()


def _migrate(target: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor


def test_the_migration_makes_old_rows_recognisable_and_loses_nobody(sandbox: Sandbox) -> None:
    before = [("accounts", "0004_hash_authtoken_keys")]
    executor = _migrate(before)
    old = executor.loader.project_state(before).apps
    OldUser = old.get_model("accounts", "User")
    OldSocial = old.get_model("social_django", "UserSocialAuth")
    alex = OldUser.objects.create(username="alex-2024")
    sam = OldUser.objects.create(username="sam-2024")
    # As social-core stored them before: keyed by Spotify's id (one without an id_key at all).
    OldSocial.objects.create(user=alex, provider="spotify", uid="alex", id_key="", extra_data={})
    OldSocial.objects.create(
        user=sam,
        provider="spotify",
        uid="sam",
        id_key="id",
        extra_data={"id": "sam", "account_id": sandbox.account_id("sam")},
    )

    _migrate([("accounts", "0005_spotify_associations_keyed_by_account_id")])

    rows = {row.user.username: row for row in UserSocialAuth.objects.select_related("user")}
    assert (rows["alex-2024"].uid, rows["alex-2024"].id_key) == ("alex", "id")
    assert rows["alex-2024"].extra_data["id"] == "alex"
    # The row that already knew its account_id is re-keyed now.
    assert (rows["sam-2024"].uid, rows["sam-2024"].id_key) == (
        sandbox.account_id("sam"),
        "account_id",
    )
    # Alex's next sign-in re-keys Alex's row: the same user, not a new one.
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    sandbox.sign_in(requests.Session(), user="alex")
    sandbox.sign_in(requests.Session(), user="sam")
    assert User.objects.count() == 2
    assert UserSocialAuth.objects.get(user__username="alex-2024").uid == sandbox.account_id("alex")
    assert UserSocialAuth.objects.get(user__username="sam-2024").uid == sandbox.account_id("sam")

    # Reversible: back to the ids.
    _migrate(before)
    assert set(OldSocial.objects.values_list("uid", flat=True)) == {"alex", "sam"}
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
