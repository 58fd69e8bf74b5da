"""Mood coverage of a library: the API, the page, and personal evidence for its owner only."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from library.evidence import evidence_replace
from library.models import TrackMood
from library.tests.factories import LibraryEntryFactory


@pytest.mark.django_db
def test_coverage_counts_songs_with_a_mood_by_source() -> None:
    listener, other = UserFactory(), UserFactory()
    entries = [LibraryEntryFactory(user=listener) for _ in range(4)]
    tagged, sorted_by_me, sorted_by_other = (entry.track_id for entry in entries[:3])
    evidence_replace(
        source=TrackMood.Source.TAGS,
        track_ids=[tagged],
        rows=[(tagged, "sad", 0.8, 0.6, "melancholy, sad")],
    )
    evidence_replace(
        source=TrackMood.Source.SORTED,
        track_ids=[sorted_by_me],
        rows=[(sorted_by_me, "calm", 1.0, 1.0, "you sorted it as calm")],
        user_id=listener.pk,
    )
    evidence_replace(
        source=TrackMood.Source.SORTED,
        track_ids=[sorted_by_other],
        rows=[(sorted_by_other, "happy", 1.0, 1.0, "")],
        user_id=other.pk,
    )
    api = APIClient()
    api.force_authenticate(listener)

    body = api.get("/api/v1/library/coverage/").json()

    assert body["tracks"] == 4
    assert body["with_mood"] == 2  # another listener's quick sort is theirs alone
    assert body["share"] == 0.5
    assert body["by_source"]["tags"] == 1
    assert body["by_source"]["sorted"] == 1
    assert body["by_source"]["playlists"] == 0


@pytest.mark.django_db
def test_the_library_page_shows_the_coverage(client) -> None:
    listener = UserFactory()
    entry = LibraryEntryFactory(user=listener)
    LibraryEntryFactory(user=listener)
    evidence_replace(
        source=TrackMood.Source.CURATED,
        track_ids=[entry.track_id],
        rows=[(entry.track_id, "happy", 1.0, 1.0)],
    )
    client.force_login(listener)

    page = client.get("/library/").content.decode()

    assert "Moods of your songs" in page
    assert "1 of 2" in page
    assert "50&nbsp;%" in page


@pytest.mark.django_db
def test_coverage_needs_a_sign_in() -> None:
    assert APIClient().get("/api/v1/library/coverage/").status_code in (401, 403)


@pytest.mark.django_db
def test_the_library_page_shows_genre_families_biggest_first(client) -> None:
    from library.selectors import library_genre_families
    from library.tagclusters import CLUSTER_INDEX

    listener, other = UserFactory(), UserFactory()
    for cluster in ("jazz & blues", "rock", "jazz & blues", None, None, None):
        entry = LibraryEntryFactory(user=listener)
        entry.track.tag_cluster = CLUSTER_INDEX[cluster] if cluster else None
        entry.track.save()
    LibraryEntryFactory(user=other, track__tag_cluster=CLUSTER_INDEX["pop"])

    assert library_genre_families(user=listener) == {
        "families": [("jazz & blues", 2), ("rock", 1)],
        "known": 3,
        "unknown": 3,
    }
    client.force_login(listener)
    page = client.get("/library/").content.decode()

    assert "Genre families" in page
    assert page.index("Jazz &amp; blues") < page.index("Rock")
    assert 'aria-label="Jazz &amp; blues: 2 of 3 songs with a family"' in page
    assert "Pop" not in page.split("Genre families")[1].split("</section>")[0]
    assert "3 songs without a family yet" in page


@pytest.mark.django_db
def test_genre_families_have_an_empty_state(client) -> None:
    listener = UserFactory()
    LibraryEntryFactory(user=listener)
    client.force_login(listener)

    page = client.get("/library/").content.decode()

    assert "Once Last.fm tags are looked up for your songs" in page
