"""A sync that Spotify refuses outright (issue 18), over real HTTP against the stand-in: every call
answers 403 (the app owner's Premium lapsed, or the listener left the allow-list). The sync ends
`failed` with a reason saying what to do, keeps its last-success time, and the library page,
the admin and its landing page show it."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from library.models import LibraryEntry, LibrarySync
from library.sync import library_sync_enqueue_due, library_sync_run
from spotify_sandbox.testing import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def synced(listener) -> tuple:
    """A listener whose library synced once."""
    user = listener("synthetic-120")
    first = library_sync_run(user_id=user.pk)
    assert first.status == LibrarySync.Status.DONE
    return user, first.last_success_at


def test_a_lapsed_owner_fails_the_sync_with_a_reason_and_keeps_the_library(
    synced, sandbox: Sandbox
) -> None:
    user, succeeded_at = synced
    tracks = LibraryEntry.objects.filter(user=user).count()
    sandbox.app(owner_lapsed=True)

    result = library_sync_run(user_id=user.pk)

    assert result.status == LibrarySync.Status.FAILED
    assert result.failure == LibrarySync.Failure.REFUSED
    assert "Premium" in result.message
    assert "Active premium subscription required" in result.message
    assert result.last_success_at == succeeded_at  # not a success
    assert "skipped" not in result.message
    assert LibraryEntry.objects.filter(user=user).count() == tracks  # nothing deleted


def test_a_listener_removed_from_the_allow_list_fails_with_what_to_do(
    synced, sandbox: Sandbox, client: Client
) -> None:
    user, succeeded_at = synced
    sandbox.disallow("synthetic-120")

    result = library_sync_run(user_id=user.pk)

    assert result.status == LibrarySync.Status.FAILED
    assert result.failure == LibrarySync.Failure.REFUSED
    assert "User not registered in the Developer Dashboard" in result.message
    assert "User Management" in result.message
    assert result.last_success_at == succeeded_at
    client.force_login(user)
    page = client.get("/library/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Spotify refused to share your library, so the last sync failed." in text
    assert "User Management" in text


def test_every_part_answering_403_fails_the_sync(listener, sandbox: Sandbox) -> None:
    """/me still answers, everything else 403 (as for a grant without any library scope)."""
    user = listener("synthetic-60")
    sandbox.fault("v1/me/*", 403)

    result = library_sync_run(user_id=user.pk)

    assert result.status == LibrarySync.Status.FAILED
    assert result.failure == LibrarySync.Failure.REFUSED
    assert result.last_success_at is None
    assert "403 to every request" in result.message


def test_one_closed_endpoint_is_still_only_a_note(listener, sandbox: Sandbox) -> None:
    user = listener("synthetic-60")
    sandbox.fault("v1/me/top/*", 403)

    result = library_sync_run(user_id=user.pk)

    assert result.status == LibrarySync.Status.DONE
    assert result.failure == ""
    assert "top skipped" in result.message


def test_staff_see_the_refused_listeners_in_the_admin(synced, sandbox: Sandbox) -> None:
    user, _ = synced
    sandbox.app(owner_lapsed=True)
    library_sync_run(user_id=user.pk)
    fine = UserFactory(username="fine-listener")
    LibrarySync.objects.create(user=fine, status=LibrarySync.Status.DONE)
    staff = Client()
    staff.force_login(UserFactory(username="admin-1", is_staff=True, is_superuser=True))

    landing = staff.get("/admin/").content.decode()
    syncs = staff.get("/admin/library/librarysync/?failure__exact=refused").content.decode()
    users = staff.get("/admin/accounts/user/").content.decode()

    for page in (landing, syncs, users):
        assert "Spotify refuses every request for 1 listener:" in page
        assert user.username in page.split("Spotify refuses every request", 1)[1][:300]
        assert "fine-listener" not in page.split("Spotify refuses every request", 1)[1][:300]
    assert "Spotify refused this account (403)" in syncs  # the failure column and filter
    listener_page = Client()
    listener_page.force_login(user)
    assert "Spotify refuses every request" not in listener_page.get("/library/").content.decode()


def test_refused_listeners_are_not_asked_again_every_beat(synced, sandbox: Sandbox) -> None:
    user, _ = synced
    sandbox.disallow("synthetic-120")
    library_sync_run(user_id=user.pk)
    LibrarySync.objects.filter(user=user).update(last_success_at=None)

    assert library_sync_enqueue_due() == 0
