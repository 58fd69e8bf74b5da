"""Personal API tokens: stored hashed, accepted as `Token`/`Bearer`, refused once revoked or wrong,
made and revoked on the profile page by their owner only, and never written to a log or a later
page."""

from __future__ import annotations

import hashlib
import importlib
import logging
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains
from rest_framework.test import APIClient

from accounts.api_tokens import key_prefix
from accounts.models import ApiToken, User
from accounts.selectors import api_token_find
from accounts.services import API_TOKENS_PER_USER, api_token_create, api_token_revoke
from accounts.tests.factories import UserFactory
from core.exceptions import ApplicationError

pytestmark = pytest.mark.django_db

API = "/api/v1/readings/"
KEY_FORMAT = re.compile(r"^mt_[0-9a-f]{10}_[A-Za-z0-9_-]{43}$")


def _api(key: str, keyword: str = "Token") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return client


def _key_on_page(content: bytes) -> str:
    match = re.search(rb'<code id="new-token-key"[^>]*>(mt_[^<]+)</code>', content)
    assert match, "the new key is not on the page"
    return match.group(1).decode()


# Storage ---------------------------------------------------------------------------------------


def test_only_the_hash_of_the_key_is_stored(user: User) -> None:
    new = api_token_create(user=user, name="  laptop script  ")

    assert KEY_FORMAT.match(new.key)
    row = ApiToken.objects.values().get(pk=new.token.pk)
    assert row["name"] == "laptop script"
    assert row["key_hash"] == hashlib.sha256(new.key.encode()).hexdigest()
    assert new.key.startswith(row["prefix"] + "_")
    secret = new.key.removeprefix(row["prefix"] + "_")
    for value in row.values():
        assert secret not in str(value)
    # Nowhere in the database either (SQLite: the whole file's tables, as text).
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names from Django
            for record in cursor.fetchall():
                assert not any(secret in str(value) for value in record), table


def test_keys_are_unique_and_a_name_is_needed(user: User) -> None:
    keys = {api_token_create(user=user, name=f"t{n}").key for n in range(5)}
    assert len(keys) == 5
    with pytest.raises(ApplicationError):
        api_token_create(user=user, name="   ")


def test_a_listener_has_at_most_so_many_active_tokens(user: User) -> None:
    for n in range(API_TOKENS_PER_USER):
        api_token_create(user=user, name=f"t{n}")
    with pytest.raises(ApplicationError, match="revoke one"):
        api_token_create(user=user, name="one too many")
    api_token_revoke(user=user, token_id=ApiToken.objects.filter(user=user).first().pk)
    api_token_create(user=user, name="now there is room")


def test_the_prefix_is_found_only_for_keys_of_our_shapes() -> None:
    assert key_prefix("mt_0123456789_" + "a" * 43) == "mt_0123456789"
    assert key_prefix("0123456789abcdef0123456789abcdef01234567") == "0123456789"
    for junk in ("", "mt_", "mt_0123456789_short", "Token", "x" * 40, "mt_XYZ_" + "a" * 43):
        assert key_prefix(junk) is None


# Authentication --------------------------------------------------------------------------------


@pytest.mark.parametrize("keyword", ["Token", "Bearer", "token"])
def test_a_token_signs_its_owner_in_to_the_api(user: User, keyword: str) -> None:
    new = api_token_create(user=user, name="script")
    mine = api_token_create(user=user, name="other")  # another token finds nothing of this one's

    response = _api(new.key, keyword).post(API, {"emotion": "happy"}, format="json")

    assert response.status_code == 202
    assert response.json()["user_emotion"] == "happy"
    assert user.readings.count() == 1
    new.token.refresh_from_db()
    mine.token.refresh_from_db()
    assert new.token.last_used_at is not None
    assert mine.token.last_used_at is None


def test_last_used_is_written_at_most_once_a_minute(user: User) -> None:
    new = api_token_create(user=user, name="script")
    client = _api(new.key)
    client.get(API)
    new.token.refresh_from_db()
    first = new.token.last_used_at

    client.get(API)
    new.token.refresh_from_db()
    assert new.token.last_used_at == first

    ApiToken.objects.filter(pk=new.token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get(API)
    new.token.refresh_from_db()
    assert new.token.last_used_at > first - timedelta(seconds=1)


def test_a_token_request_needs_no_csrf_token(user: User) -> None:
    new = api_token_create(user=user, name="script")
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        API,
        {"emotion": "sad"},
        content_type="application/json",
        headers={"Authorization": f"Token {new.key}"},
    )

    assert response.status_code == 202


def test_wrong_revoked_and_malformed_keys_are_refused_with_401(user: User) -> None:
    new = api_token_create(user=user, name="script")
    prefix, secret = new.key[:13], new.key[14:]  # mt_<10 hex>_<secret>; the secret may hold "_"
    wrong_secret = f"{prefix}_{'A' * len(secret)}"
    unknown_prefix = f"mt_{'0' * 10}_{secret}"

    for key in (wrong_secret, unknown_prefix, "not-a-key", new.key.upper(), new.key[:-1]):
        response = _api(key).get(API)
        assert response.status_code == 401, key
        assert response.headers["WWW-Authenticate"] == 'Token realm="api"'
        assert response.json()["message"] == "Invalid or revoked token."
    two_words = APIClient()
    two_words.credentials(HTTP_AUTHORIZATION=f"Token {new.key} extra")
    assert two_words.get(API).status_code == 401

    assert _api(new.key).get(API).status_code == 200
    api_token_revoke(user=user, token_id=new.token.pk)
    assert _api(new.key).get(API).status_code == 401
    assert api_token_find(key=new.key) is None


def test_an_inactive_users_token_is_refused(user: User) -> None:
    new = api_token_create(user=user, name="script")
    User.objects.filter(pk=user.pk).update(is_active=False)

    assert _api(new.key).get(API).status_code == 401


def test_without_credentials_the_api_answers_401_and_the_session_still_works(
    client_logged_in: Client,
) -> None:
    anonymous = APIClient().get(API)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"] == 'Token realm="api"'
    assert client_logged_in.get(API).status_code == 200


def test_the_schema_describes_the_token_scheme(client: Client) -> None:
    schema = client.get("/api/schema/", headers={"Accept": "application/json"})

    assert schema.status_code == 200
    assert "apiToken" in schema.content.decode()


# The profile page ------------------------------------------------------------------------------


def test_a_listener_makes_a_token_on_the_profile_page_and_sees_it_once(
    client_logged_in: Client, user: User
) -> None:
    page = client_logged_in.get("/accounts/profile/")
    assertContains(page, '<h2 id="api-tokens-title">API tokens</h2>', html=True)
    assertContains(page, "You have no API tokens.")

    made = client_logged_in.post("/accounts/profile/tokens/", {"name": "laptop script"})

    assert made.status_code == 200
    key = _key_on_page(made.content)
    assert "no-store" in made.headers["Cache-Control"]
    assertContains(made, "it will not be shown again")
    token = ApiToken.objects.get(user=user)
    assert (token.name, key.startswith(token.prefix)) == ("laptop script", True)
    assert _api(key).get(API).status_code == 200

    later = client_logged_in.get("/accounts/profile/")
    assertNotContains(later, key)
    assertNotContains(later, key[14:])
    assertContains(later, "laptop script")
    assertContains(later, f"<code>{token.prefix}…</code>", html=True)
    assertContains(later, "ago")  # last used just now


def test_a_token_needs_a_name(client_logged_in: Client) -> None:
    page = client_logged_in.post("/accounts/profile/tokens/", {"name": "  "})

    assert page.status_code == 400
    assertContains(page, 'role="alert"', status_code=400)
    assertContains(page, 'aria-invalid="true"', status_code=400)
    assert not ApiToken.objects.exists()


def test_making_a_token_needs_a_post(client_logged_in: Client) -> None:
    assert client_logged_in.get("/accounts/profile/tokens/").status_code == 405


def test_a_listener_confirms_and_revokes_their_token(client_logged_in: Client, user: User) -> None:
    new = api_token_create(user=user, name="old script")
    url = f"/accounts/profile/tokens/{new.token.pk}/revoke/"

    confirm = client_logged_in.get(url)
    assertContains(confirm, "Revoke the token “old script”?")
    assertContains(confirm, 'name="csrfmiddlewaretoken"')
    new.token.refresh_from_db()
    assert new.token.revoked_at is None  # asking changes nothing

    done = client_logged_in.post(url, follow=True)

    assertContains(done, "The token “old script” is revoked")
    assertContains(done, "You have no API tokens.")
    new.token.refresh_from_db()
    assert new.token.revoked_at is not None
    assert _api(new.key).get(API).status_code == 401
    assert client_logged_in.post(url).status_code == 404  # once only


def test_one_listener_cannot_see_or_revoke_anothers_token(client: Client, user: User) -> None:
    owner = UserFactory()
    new = api_token_create(user=owner, name="owner's script")
    client.force_login(user)
    url = f"/accounts/profile/tokens/{new.token.pk}/revoke/"

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assertNotContains(client.get("/accounts/profile/"), "owner&#x27;s script")
    new.token.refresh_from_db()
    assert new.token.revoked_at is None
    assert _api(new.key).get(API).status_code == 200


def test_keys_never_reach_a_log_or_a_later_page(
    client_logged_in: Client, user: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    made = client_logged_in.post("/accounts/profile/tokens/", {"name": "script"})
    key = _key_on_page(made.content)
    token = ApiToken.objects.get(user=user)
    url = f"/accounts/profile/tokens/{token.pk}/revoke/"

    pages = [
        _api(key).get(API),
        _api(key).post(API, {"emotion": "calm"}, format="json"),
        _api(key[:-2] + "xx").get(API),  # refused: logged as a 401 warning
        client_logged_in.get("/accounts/profile/"),
        client_logged_in.get(url),
        client_logged_in.get("/api/v1/me/export/"),
    ]
    pages.append(client_logged_in.post(url, follow=True))
    pages.append(_api(key).get(API))  # revoked
    admin = Client()
    admin.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    pages.append(admin.get("/admin/accounts/apitoken/"))
    pages.append(admin.get(f"/admin/accounts/apitoken/{token.pk}/change/"))

    # The secret may itself contain "_": cut the known prefix off instead of splitting.
    secret = key.removeprefix(f"{token.prefix}_")
    assert len(secret) >= 40
    assert "Unauthorized" in caplog.text  # the refusals were logged, without the key
    assert secret not in caplog.text
    assert token.key_hash not in caplog.text
    for page in pages:
        assert secret.encode() not in page.content
        assert token.key_hash.encode() not in page.content


# Admin -----------------------------------------------------------------------------------------


def test_superusers_list_and_revoke_tokens_but_never_make_one(client: Client, user: User) -> None:
    new = api_token_create(user=user, name="script")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    listing = client.get("/admin/accounts/apitoken/")
    assertContains(listing, new.token.prefix)
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [new.token.pk]},
    )

    new.token.refresh_from_db()
    assert new.token.revoked_at is not None


# The old plaintext tokens ----------------------------------------------------------------------


def test_the_migration_hashes_old_authtoken_keys_and_deletes_them(user: User) -> None:
    migration = importlib.import_module("accounts.migrations.0004_hash_authtoken_keys")
    legacy = "0123456789abcdef0123456789abcdef01234567"
    made = timezone.now() - timedelta(days=30)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token "
            '("key" varchar(40) PRIMARY KEY, created timestamp NOT NULL, user_id bigint NOT NULL)'
        )
        cursor.execute(
            'INSERT INTO authtoken_token ("key", created, user_id) VALUES (%s, %s, %s)',
            [legacy, made, user.pk],
        )
    try:
        migration.hash_legacy_keys(django_apps, SimpleNamespace(connection=connection))
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM authtoken_token")
            assert cursor.fetchone()[0] == 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE authtoken_token")

    token = ApiToken.objects.get(user=user)
    assert (token.name, token.prefix) == ("Made in the admin", legacy[:10])
    assert abs(token.created_at - made) < timedelta(seconds=1)
    assert legacy not in str(ApiToken.objects.values().get())
    assert _api(legacy).get(API).status_code == 200
    api_token_revoke(user=user, token_id=token.pk)
    assert _api(legacy).get(API).status_code == 401


def test_the_migration_does_nothing_without_the_old_table(user: User) -> None:
    migration = importlib.import_module("accounts.migrations.0004_hash_authtoken_keys")
    migration.hash_legacy_keys(django_apps, SimpleNamespace(connection=connection))

    assert not ApiToken.objects.exists()
