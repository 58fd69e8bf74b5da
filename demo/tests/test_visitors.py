"""Demo visitors ("Try the demo"): a listener each, isolated, cleaned up after a day."""

from __future__ import annotations

import datetime as dt

import pytest
from celery import current_app
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertRedirects
from social_django.models import UserSocialAuth

from accounts.models import User
from accounts.services import user_ensure_demo
from accounts.tests.factories import UserFactory
from demo.readings import RATED_READINGS
from demo.tasks import demo_visitors_cleanup
from demo.visitors import visitor_create, visitors_delete_expired
from emotions.models import MoodReading
from feedback.models import MoodAfter, Rating
from library.models import LibraryEntry, LibraryPlaylist, LibrarySync
from library.sync import library_sync_run
from library.tasks import library_sync
from spotify_sandbox import catalogue, services
from spotify_sandbox.models import Playlist, Token


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """Library syncs the visitors queue (not run: no stand-in server in these tests)."""
    calls: list[int] = []
    monkeypatch.setattr(library_sync, "delay", lambda user_id: calls.append(user_id))
    return calls


def _try_the_demo(client: Client, django_capture_on_commit_callbacks) -> User:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/demo/", follow=True)
    assertRedirects(response, "/")
    return response.context["user"]


@pytest.mark.django_db
def test_each_visitor_gets_a_fresh_listener_of_their_own(
    queued, django_capture_on_commit_callbacks
) -> None:
    first = _try_the_demo(Client(), django_capture_on_commit_callbacks)
    second = _try_the_demo(Client(), django_capture_on_commit_callbacks)

    assert first.pk != second.pk
    for visitor in (first, second):
        assert visitor.username.startswith("demo-")
        assert visitor.is_demo
        assert not visitor.has_usable_password()
        assert not visitor.is_staff
        # A month of seeded history, their own.
        assert MoodReading.objects.filter(user=visitor).count() > 20
    assert not User.objects.filter(username="demo").exists()  # the shared user is not involved

    # Each has a stand-in Spotify account of their own (social-auth: one local user per uid).
    uids = {social.user_id: social.uid for social in UserSocialAuth.objects.all()}
    assert uids[first.pk] != uids[second.pk]
    assert all(uid.startswith("visitor-") for uid in uids.values())
    assert (
        services.access_token_lookup(
            UserSocialAuth.objects.get(user=first).extra_data["access_token"]
        ).spotify_user
        == uids[first.pk]
    )
    # …with copies of the demo listener's own playlists, owned by that account.
    assert Playlist.objects.filter(owner=uids[first.pk]).count() == 3
    # …and the library sync queued, as after a real sign-in.
    assert queued == [first.pk, second.pk]
    assert LibrarySync.objects.get(user=first).status == LibrarySync.Status.QUEUED


@pytest.mark.django_db
def test_the_visitor_is_told_it_is_their_own_and_pressing_again_keeps_it(
    client: Client, queued
) -> None:
    response = client.post("/accounts/demo/", follow=True)
    assertContains(response, "demo listener of your own")
    assertContains(response, "deleted with everything in it after 24 hours")
    visitor = response.context["user"]

    again = client.post("/accounts/demo/", follow=True)

    assert again.context["user"] == visitor
    assertContains(again, "already signed in as your own demo listener")
    assert User.objects.filter(is_demo=True).count() == 1


@pytest.mark.django_db
def test_one_visitor_deleting_their_history_leaves_the_others_intact(queued) -> None:
    alice, bob = Client(), Client()
    alice.post("/accounts/demo/")
    bob.post("/accounts/demo/")
    alice_id = alice.get("/api/v1/me/").json()["id"]
    bob_id = bob.get("/api/v1/me/").json()["id"]
    bob_readings = MoodReading.objects.filter(user_id=bob_id).count()
    assert alice_id != bob_id

    alice.post("/mood/history/delete/")

    assert not MoodReading.objects.filter(user_id=alice_id).exists()
    assert MoodReading.objects.filter(user_id=bob_id).count() == bob_readings
    # Nor can one see the other's readings.
    other = MoodReading.objects.filter(user_id=bob_id).first()
    assert alice.get(f"/api/v1/readings/{other.pk}/").status_code == 404


@pytest.mark.django_db
def test_new_visitors_per_address_are_limited_with_a_page_in_words(
    client: Client, settings
) -> None:
    settings.DEMO_VISITOR_RATE = "1/hour"
    assert Client().post("/accounts/demo/").status_code == 302

    response = client.post("/accounts/demo/")

    assert response.status_code == 429
    assertContains(response, "You can try the demo again in about an hour.", status_code=429)
    assert int(response.headers["Retry-After"]) > 3500
    assert User.objects.filter(is_demo=True).count() == 1


@pytest.mark.django_db
def test_without_the_stand_in_a_visitor_still_gets_history_but_no_spotify(settings) -> None:
    settings.SPOTIFY_API_BASE_URL = "https://api.spotify.com/v1/"

    visitor = visitor_create()

    assert MoodReading.objects.filter(user=visitor).exists()
    assert not UserSocialAuth.objects.exists()


@pytest.mark.django_db
def test_cleanup_deletes_visitors_older_than_a_day_with_their_stand_in_account(queued) -> None:
    old, fresh = visitor_create(), visitor_create()
    User.objects.filter(pk=old.pk).update(date_joined=timezone.now() - dt.timedelta(hours=25))
    old_uid = UserSocialAuth.objects.get(user=old).uid
    shared_demo, _ = user_ensure_demo()
    User.objects.filter(pk=shared_demo.pk).update(date_joined=timezone.now() - dt.timedelta(days=9))
    listener = UserFactory(date_joined=timezone.now() - dt.timedelta(days=9))

    assert demo_visitors_cleanup.apply().get() == 1

    assert set(User.objects.values_list("pk", flat=True)) == {fresh.pk, shared_demo.pk, listener.pk}
    assert not MoodReading.objects.filter(user_id=old.pk).exists()
    assert not Token.objects.filter(spotify_user=old_uid).exists()
    assert not Playlist.objects.filter(owner=old_uid).exists()
    assert Playlist.objects.filter(owner=UserSocialAuth.objects.get(user=fresh).uid).exists()
    assert visitors_delete_expired() == 0


@pytest.mark.django_db
def test_the_max_age_is_a_setting(settings, queued) -> None:
    settings.DEMO_VISITOR_MAX_AGE_HOURS = 2
    visitor = visitor_create()

    assert visitors_delete_expired(now=timezone.now() + dt.timedelta(hours=1)) == 0
    assert visitors_delete_expired(now=timezone.now() + dt.timedelta(hours=3)) == 1
    assert not User.objects.filter(pk=visitor.pk).exists()


def test_cleanup_runs_from_beat_within_consistent_limits() -> None:
    entry = django_settings.CELERY_BEAT_SCHEDULE["demo-visitors-cleanup"]
    task = current_app.tasks[entry["task"]]

    assert task.name == demo_visitors_cleanup.name
    assert entry["schedule"] <= 60 * 60
    assert task.soft_time_limit <= task.time_limit


def test_a_visitor_stand_in_account_has_the_demo_listeners_songs() -> None:
    visitor = catalogue.user("visitor-0123abcd")
    demo = catalogue.user("demo")

    assert visitor is not None
    assert demo is not None
    assert (visitor.liked, visitor.top, visitor.recent) == (demo.liked, demo.top, demo.recent)
    assert visitor.playlists == []
    assert catalogue.user("visitor-") is None
    assert catalogue.user("visitor-NOPE!") is None
    assert visitor not in catalogue.listeners()  # not offered on the consent page


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox")
def test_a_visitors_library_syncs_from_their_own_stand_in_account(monkeypatch) -> None:
    monkeypatch.setattr(library_sync, "delay", lambda user_id: None)
    visitor = visitor_create()

    sync = library_sync_run(user_id=visitor.pk)

    assert sync.status == LibrarySync.Status.DONE
    assert LibraryEntry.objects.filter(user=visitor).count() >= 300
    assert set(LibraryPlaylist.objects.filter(user=visitor).values_list("name", flat=True)) == {
        "Morning Run",
        "Rainy Day",
        "Focus",
    }
    # The library's arrival gives the visitor rated lists and "how do you feel now?" answers, so
    # the dashboard's "songs that helped" and "did the music help?" are not empty on a first visit.
    assert Rating.objects.filter(user=visitor).count() == 3 * RATED_READINGS
    assert MoodAfter.objects.filter(user=visitor).count() == RATED_READINGS

    library_sync_run(user_id=visitor.pk)  # a later sync adds nothing
    assert MoodAfter.objects.filter(user=visitor).count() == RATED_READINGS
