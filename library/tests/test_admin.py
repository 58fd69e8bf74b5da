"""Tests for the library admin: tracks and their mood evidence, each user's last sync."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from accounts.models import User
from accounts.tests.factories import UserFactory
from library.models import LibrarySync
from library.tests.factories import TrackFactory, TrackMoodFactory


@pytest.fixture
def curator_client(client: Client, curator: User) -> Client:
    client.force_login(curator)
    return client


@pytest.mark.django_db
def test_a_track_shows_its_mood_evidence(curator_client: Client) -> None:
    track = TrackFactory(name="Evidence song")
    TrackMoodFactory(track=track, mood="calm", source="curated", score=1.0)
    TrackMoodFactory(track=track, mood="sad", source="ratings", score=0.62, weight=0.4)

    listing = curator_client.get("/admin/library/track/")
    page = curator_client.get(reverse("admin:library_track_change", args=[track.pk]))

    assertContains(listing, "calm (curated 1.00), sad (ratings 0.62)")
    assertContains(page, "Mood evidence (the track&#x27;s mood is the weighted mix)")
    assertContains(page, "0.62")
    assert page.context["has_change_permission"] is False


@pytest.mark.django_db
def test_users_show_their_last_sync(curator_client: Client) -> None:
    synced = UserFactory(username="synced")
    LibrarySync.objects.create(user=synced, status="done", track_count=120)
    UserFactory(username="never")

    response = curator_client.get("/admin/accounts/user/")

    rows = {row.username: row for row in response.context["cl"].result_list}
    assert set(rows) >= {"synced", "never"}
    assertContains(response, "Synced")
    assertContains(response, "Not synced yet")
