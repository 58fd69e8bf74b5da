"""Tests for the curators group, what curators can reach in the admin, and the admin landing."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains
from social_django.models import UserSocialAuth

from accounts.curators import (
    CURATOR_PERMISSIONS,
    CURATORS_GROUP,
    curator_permission_codenames,
    curators_group_ensure,
)
from accounts.models import User
from accounts.tests.factories import UserFactory
from emotions.tests.readings_data import readings_at
from library.tests.factories import MoodPlaylistFactory

TOKEN = "BQ-the-access-token-nobody-may-see"


@pytest.fixture
def connected_listener(db: None) -> UserSocialAuth:
    return UserSocialAuth.objects.create(
        user=UserFactory(username="listener"),
        provider="spotify",
        uid="spotify-listener",
        extra_data={"access_token": TOKEN, "refresh_token": "AQ-refresh", "expires_in": 3600},
    )


def _held(group: Group) -> set[tuple[str, str]]:
    return set(group.permissions.values_list("content_type__app_label", "codename"))


@pytest.mark.django_db
def test_the_migrations_leave_the_group_with_exactly_the_curator_permissions() -> None:
    """core 0002 froze the labels of its day; library 0001 moved the library models' types."""
    migration = importlib.import_module("core.migrations.0002_curators_group")
    moved = importlib.import_module("library.migrations.0001_initial").MOVED
    relabelled = tuple(
        ("library" if app == "recommendations" and model in moved else app, model, actions)
        for app, model, actions in migration.CURATOR_PERMISSIONS
    )
    assert relabelled == CURATOR_PERMISSIONS

    held = _held(Group.objects.get(name=CURATORS_GROUP))
    assert held == curator_permission_codenames()
    assert not any(app == "social_django" for app, _ in held)
    assert ("accounts", "change_user") not in held
    # The migration gave each permission the name Django gives it.
    assert Permission.objects.get(codename="add_moodplaylist").name == "Can add mood playlist"


@pytest.mark.django_db
def test_ensuring_the_group_restores_exactly_its_permissions() -> None:
    group = curators_group_ensure()
    group.permissions.add(Permission.objects.get(codename="change_user"))
    group.permissions.remove(Permission.objects.get(codename="view_rating"))

    assert _held(curators_group_ensure()) == curator_permission_codenames()


@pytest.mark.django_db
def test_a_curator_sees_the_curation_models_and_nothing_else(
    client: Client, curator: User, connected_listener: UserSocialAuth
) -> None:
    client.force_login(curator)

    index = client.get("/admin/")

    assert index.status_code == 200
    for model in (
        "/admin/library/moodplaylist/",
        "/admin/recommendations/emotionmoodrule/",
        "/admin/library/track/",
        "/admin/emotions/moodreading/",
        "/admin/feedback/rating/",
        "/admin/accounts/user/",
    ):
        assertContains(index, f'href="{model}"')
        assert client.get(model).status_code == 200
    for hidden in (
        "/admin/social_django/usersocialauth/",
        "/admin/auth/group/",
        "/admin/accounts/apitoken/",
        "/admin/django_celery_results/taskresult/",
        "/admin/core/heartbeat/",
    ):
        assertNotContains(index, f'href="{hidden}"')
        assert client.get(hidden).status_code == 403
    assert (
        client.get(
            f"/admin/social_django/usersocialauth/{connected_listener.pk}/change/"
        ).status_code
        == 403
    )
    assertNotContains(
        client.get(f"/admin/accounts/user/{connected_listener.user_id}/change/"), TOKEN
    )


@pytest.mark.django_db
def test_curators_cannot_change_users(client: Client, curator: User) -> None:
    listener = UserFactory(username="someone")
    client.force_login(curator)

    response = client.post(
        f"/admin/accounts/user/{listener.pk}/change/", {"username": "renamed", "is_staff": "on"}
    )

    assert response.status_code == 403
    listener.refresh_from_db()
    assert (listener.username, listener.is_staff) == ("someone", False)


@pytest.mark.django_db
def test_superusers_see_who_is_connected_but_never_a_token(
    admin_client: Client, connected_listener: UserSocialAuth
) -> None:
    listing = admin_client.get("/admin/social_django/usersocialauth/")
    page = admin_client.get(f"/admin/social_django/usersocialauth/{connected_listener.pk}/change/")

    assertContains(listing, "spotify-listener")
    assert page.status_code == 200
    for response in (listing, page):
        assertNotContains(response, TOKEN)
        assertNotContains(response, "AQ-refresh")
        assertNotContains(response, "extra_data")
    assert admin_client.get("/admin/social_django/usersocialauth/add/").status_code == 403


@pytest.mark.django_db
def test_a_superuser_appoints_curators(admin_client: Client) -> None:
    listener = UserFactory(username="future-curator")

    admin_client.post(
        "/admin/accounts/user/",
        {"action": "make_curators", "_selected_action": [str(listener.pk)]},
    )

    listener.refresh_from_db()
    assert listener.is_staff
    assert listener.groups.filter(name=CURATORS_GROUP).exists()
    assert listener.has_perm("library.change_moodplaylist")
    assert not listener.has_perm("social_django.view_usersocialauth")


@pytest.mark.django_db
def test_the_admin_landing_counts_the_last_seven_days(client: Client, curator: User) -> None:
    from django.utils import timezone

    now = timezone.now()
    listener = UserFactory()
    readings_at(listener, [(now, "happy"), (now, "sad"), (now - timezone.timedelta(days=9), "sad")])
    MoodPlaylistFactory(import_status="done")
    client.force_login(curator)

    response = client.get("/admin/")

    def row(label: str, value: int, detail: str) -> str:
        return (
            f'<tr><th scope="row">{label}</th><td class="number">{value}</td><td>{detail}</td></tr>'
        )

    assertContains(response, "The last 7 days")
    assertContains(
        response,
        row("Mood readings", 2, "2 read, 0 without a face, 0 failed; 1 listener(s)"),
        html=True,
    )
    assertContains(response, row("New users", 2, ""), html=True)
    assertContains(response, row("Playlist imports", 1, "0 failed"), html=True)
