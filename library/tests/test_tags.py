"""Last.fm tags for a synced library, over real HTTP against the Last.fm stand-in."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from lastfm_sandbox import data as lastfm_data
from library import lastfm
from library import tags as tags_service
from library.lexicon import moods_from_tags
from library.models import ArtistTags, LibraryEntry, TagFetch, Track, TrackMood, TrackTags
from library.moodspace import AudioFeatures
from library.sync import library_sync_run
from library.tags import (
    OFF_MESSAGE,
    REFUSED_MESSAGE,
    TagFetchPaused,
    TagFetchUnavailable,
    artist_key,
    first_artist,
    tags_fetch_run,
)
from library.tasks import tags_fetch

Source = TrackMood.Source


@pytest.fixture
def calls(monkeypatch):
    """Every Last.fm request the client sends: (method, params); `.force_at(n, code)` makes the
    n-th request from now on (1-based) get Last.fm error `code` from the stand-in."""

    class Calls(list):
        plan: dict[int, int]

    seen = Calls()
    seen.plan = {}
    real_call = lastfm.LastfmClient._call

    def watched(self, method, **params):
        seen.append((method, params))
        code = seen.plan.pop(len(seen), None)
        if code is not None:
            from lastfm_sandbox import services

            services.errors_force(count=1, code=code)
        return real_call(self, method, **params)

    def force_at(number: int, code: int = 29) -> None:
        seen.plan[len(seen) + number] = code

    seen.force_at = force_at  # type: ignore[attr-defined]
    monkeypatch.setattr(lastfm.LastfmClient, "_call", watched)
    return seen


def _library(user) -> list[Track]:
    ids = LibraryEntry.objects.filter(user=user).values_list("track_id", flat=True)
    return list(Track.objects.filter(pk__in=ids).prefetch_related("artists").order_by("pk"))


def _evidence(track: Track) -> dict[str, list[TrackMood]]:
    found: dict[str, list[TrackMood]] = {}
    for row in TrackMood.objects.filter(track=track, user__isnull=True):
        found.setdefault(row.source, []).append(row)
    return found


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox", "lastfm")
def test_track_tags_become_evidence_and_tracks_without_tags_fall_back_to_their_artist(
    synced, calls
) -> None:
    user = synced("synthetic-120")

    fetch = tags_fetch_run(user_id=user.pk)

    assert fetch.status == TagFetch.Status.DONE
    assert (fetch.processed, fetch.total) == (120, 120)
    assert fetch.message == "Looked up 120 of 120 songs on Last.fm."
    kinds = {"tagged": 0, "untagged": 0, "unknown": 0}
    fallback_artists: set[str] = set()
    for track in _library(user):
        truth = lastfm_data.track_top_tags(artist=first_artist(track), track=track.name)
        stored = TrackTags.objects.get(track=track)
        evidence = _evidence(track)
        if truth is None or not truth.tags:
            kinds["unknown" if truth is None else "untagged"] += 1
            assert stored.found is (truth is not None)
            assert stored.tags == []
            fallback_artists.add(first_artist(track))
            artist = ArtistTags.objects.get(name=artist_key(first_artist(track)))
            estimate = moods_from_tags([(t, c) for t, c in artist.tags])
            assert estimate is not None
            assert Source.TAGS not in evidence
            rows = evidence[Source.ARTIST_TAGS]
            assert {row.weight for row in rows} == {round(estimate.confidence * 0.5, 4)}
            assert rows[0].detail == ", ".join(estimate.evidence[:3])
        else:
            kinds["tagged"] += 1
            assert stored.found
            assert stored.tags == [list(tag) for tag in truth.tags]
            estimate = moods_from_tags(truth.tags)
            assert estimate is not None
            assert Source.ARTIST_TAGS not in evidence
            rows = evidence[Source.TAGS]
            assert {row.weight for row in rows} == {estimate.confidence}
            assert {row.mood: row.score for row in rows} == {
                mood: round(score, 4)
                for mood, score in estimate.distribution.items()
                if score > 0.15
            }
            assert rows[0].detail == ", ".join(estimate.evidence[:3])
    assert kinds["tagged"] > 80
    assert kinds["untagged"] > 0
    assert kinds["unknown"] > 0
    # The artist's tags were asked once per artist, and only for tracks with nothing to say.
    artist_calls = [params["artist"] for method, params in calls if method == "artist.getTopTags"]
    assert len(artist_calls) == len(set(artist_calls))
    assert set(artist_calls) == fallback_artists
    assert len([c for c in calls if c[0] == "track.getTopTags"]) == 120


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox", "lastfm")
def test_junk_tags_are_stored_but_never_named_as_evidence(synced) -> None:
    user = synced("synthetic-60")

    tags_fetch_run(user_id=user.pk)

    junk = {tag.casefold() for tag in lastfm_data.JUNK_TAGS}
    stored = [tag for row in TrackTags.objects.all() for tag, _ in row.tags]
    assert junk & {tag.casefold() for tag in stored}  # the crowd's junk came over the wire ...
    details = TrackMood.objects.filter(source__in=[Source.TAGS, Source.ARTIST_TAGS])
    words = {word.strip().casefold() for row in details for word in row.detail.split(",")}
    assert words
    assert not words & junk  # ... and is never a reason


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox", "lastfm")
def test_a_track_with_only_junk_tags_falls_back_to_its_artist(synced, monkeypatch) -> None:
    user = synced("synthetic-10")
    junk_track = _library(user)[0]
    real = lastfm.LastfmClient.track_top_tags

    def junk_for_one(self, *, artist, track):
        if track == junk_track.name:
            self._call("track.getTopTags", artist=artist, track=track)  # still over the wire
            return [("seen live", 100), ("favorites", 60), ("albums I own", 20)]
        return real(self, artist=artist, track=track)

    monkeypatch.setattr(lastfm.LastfmClient, "track_top_tags", junk_for_one)

    tags_fetch_run(user_id=user.pk)

    evidence = _evidence(junk_track)
    assert Source.TAGS not in evidence
    assert evidence[Source.ARTIST_TAGS]
    assert all(row.weight <= 0.5 for row in evidence[Source.ARTIST_TAGS])


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox", "lastfm")
def test_error_29_pauses_and_the_next_run_resumes_without_refetching(synced, calls) -> None:
    user = synced("synthetic-80")
    calls.force_at(40)  # after the first batch is stored, mid-way through the second
    started = timezone.now()

    with pytest.raises(TagFetchPaused) as paused:
        tags_fetch_run(user_id=user.pk)

    assert paused.value.countdown == 30
    row = TagFetch.objects.get(user=user)
    assert row.status == TagFetch.Status.PAUSED
    assert "Last.fm asked us to slow down" in row.message
    assert (
        started + dt.timedelta(seconds=29)
        < row.resume_at
        < timezone.now() + dt.timedelta(seconds=31)
    )
    done_first = set(TrackTags.objects.values_list("track_id", flat=True))
    assert 25 <= row.processed == len(done_first) < 80
    left = Counter((first_artist(t), t.name) for t in _library(user) if t.pk not in done_first)
    assert paused.value.attempt == 0  # it got somewhere: the next wait starts again at 30 s

    # 29s before anything new is stored double the wait.
    attempt, waits = paused.value.attempt, []
    for _ in range(3):
        calls.force_at(1)
        with pytest.raises(TagFetchPaused) as again:
            tags_fetch_run(user_id=user.pk, attempt=attempt)
        attempt = again.value.attempt
        waits.append(again.value.countdown)
    assert waits == [30, 60, 120]
    assert set(TrackTags.objects.values_list("track_id", flat=True)) == done_first
    asked_first = len(calls)

    resumed = tags_fetch_run(user_id=user.pk, attempt=attempt)

    assert resumed.status == TagFetch.Status.DONE
    assert (resumed.processed, resumed.total) == (80, 80)
    asked_later = [
        (params["artist"], params["track"])
        for method, params in calls[asked_first:]
        if method == "track.getTopTags"
    ]
    assert Counter(asked_later) == left  # only the rest: done tracks are fresh, not asked again
    assert TrackMood.objects.filter(source=Source.TAGS).values("track").distinct().count() > 50


def test_the_backoff_doubles_from_30_seconds_up_to_15_minutes() -> None:
    assert [tags_service.backoff(n) for n in range(7)] == [30, 60, 120, 240, 480, 900, 900]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox", "lastfm")
def test_the_task_reschedules_itself_on_error_29(synced, lastfm, monkeypatch) -> None:
    user = synced("synthetic-30")
    lastfm.force_errors(count=1, code=29)
    retries: list[dict] = []
    real_retry = tags_fetch.retry

    def watch_retry(*args, **kwargs):
        row = TagFetch.objects.get(user=user)
        retries.append({**kwargs, "status": row.status})
        return real_retry(*args, **kwargs)

    monkeypatch.setattr(tags_fetch, "retry", watch_retry)

    result = tags_fetch.apply(args=(user.pk,), throw=False)

    assert result.successful()
    assert [r["countdown"] for r in retries] == [30]
    assert {r["status"] for r in retries} == {TagFetch.Status.PAUSED}
    assert TagFetch.objects.get(user=user).status == TagFetch.Status.DONE
    assert TrackTags.objects.count() == 30


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox", "lastfm")
def test_an_outage_is_retried_then_fails_with_a_message(synced, lastfm) -> None:
    user = synced("synthetic-10")
    lastfm.force_errors(count=1, code=11)
    with pytest.raises(TagFetchUnavailable) as unavailable:
        tags_fetch_run(user_id=user.pk)
    assert unavailable.value.countdown == 30
    assert TagFetch.objects.get(user=user).status == TagFetch.Status.QUEUED

    lastfm.force_errors(count=1, http_status=503)
    final = tags_fetch_run(user_id=user.pk, attempt=tags_service.MAX_UNAVAILABLE_ATTEMPTS)

    assert final.status == TagFetch.Status.FAILED
    assert "Last.fm did not answer" in final.message


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox", "lastfm")
def test_a_refused_key_turns_the_source_off_with_a_message(synced, settings) -> None:
    user = synced("synthetic-10")
    settings.LASTFM_API_KEY = "not-a-real-key"

    fetch = tags_fetch_run(user_id=user.pk)

    assert fetch.status == TagFetch.Status.OFF
    assert fetch.message == REFUSED_MESSAGE
    assert not TrackMood.objects.filter(source__in=[Source.TAGS, Source.ARTIST_TAGS]).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox")
def test_without_a_key_the_source_is_off_and_a_sync_says_so(listener, settings) -> None:
    settings.LASTFM_API_KEY = ""
    user = listener("synthetic-10")

    assert library_sync_run(user_id=user.pk).status == "done"

    fetch = TagFetch.objects.get(user=user)
    assert fetch.status == TagFetch.Status.OFF
    assert fetch.message == OFF_MESSAGE
    assert not TrackTags.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox", "lastfm")
def test_a_sync_triggers_the_tag_fetch(listener) -> None:
    user = listener("synthetic-40")

    assert library_sync_run(user_id=user.pk).status == "done"

    fetch = TagFetch.objects.get(user=user)
    assert fetch.status == TagFetch.Status.DONE
    assert (fetch.processed, fetch.total) == (40, 40)
    assert TrackTags.objects.count() == 40
    assert TrackMood.objects.filter(source=Source.TAGS).exists()

    # The next sync finds every tag fresh and asks Last.fm nothing.
    assert library_sync_run(user_id=user.pk).status == "done"
    assert TagFetch.objects.get(user=user).processed == 40


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox", "lastfm")
def test_stale_tags_are_looked_up_again(synced, calls, settings) -> None:
    user = synced("synthetic-10")
    tags_fetch_run(user_id=user.pk)
    first = len(calls)
    assert tags_fetch_run(user_id=user.pk).status == TagFetch.Status.DONE
    assert len(calls) == first  # all fresh

    old = timezone.now() - dt.timedelta(days=settings.LASTFM_TAGS_MAX_AGE_DAYS + 1)
    TrackTags.objects.update(fetched_at=old)
    ArtistTags.objects.update(fetched_at=old)
    tags_fetch_run(user_id=user.pk)

    assert len([c for c in calls[first:] if c[0] == "track.getTopTags"]) == 10


class FakeAudioFeatures:
    def features(self, spotify_ids):
        return {sid: AudioFeatures(valence=0.1, energy=0.1) for sid in spotify_ids}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox", "lastfm")
def test_the_audio_features_provider_is_asked_after_the_tags(synced, settings) -> None:
    settings.AUDIO_FEATURES_PROVIDER = "library.tests.test_tags.FakeAudioFeatures"
    user = synced("synthetic-10")

    tags_fetch_run(user_id=user.pk)

    audio = TrackMood.objects.filter(source=Source.AUDIO)
    assert audio.values("track").distinct().count() == 10
    assert set(audio.values_list("mood", flat=True)) == {"sad"}


# The library page -----------------------------------------------------------------------------


@pytest.fixture
def page_user(transactional_db, client: Client):
    from accounts.tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    return user


def test_the_page_shows_the_look_up_progress_and_polls(client: Client, page_user) -> None:
    TagFetch.objects.create(
        user=page_user, status=TagFetch.Status.RUNNING, processed=1200, total=2000,
        started_at=timezone.now(),
    )  # fmt: skip

    page = client.get("/library/")

    assertContains(page, "Looked up 1,200 of 2,000 songs on Last.fm")
    assertContains(page, '<progress value="1200" max="2000"')
    assertContains(page, 'hx-get="/library/tags/status/"')
    partial = client.get("/library/tags/status/", headers={"HX-Request": "true"})
    assertContains(partial, "Looked up 1,200 of 2,000 songs on Last.fm")
    assertContains(partial, 'hx-trigger="every 2s"')


def test_a_paused_look_up_says_when_it_resumes(client: Client, page_user) -> None:
    TagFetch.objects.create(
        user=page_user, status=TagFetch.Status.PAUSED, processed=50, total=200,
        message="Paused: Last.fm asked us to slow down. Resuming at 14:05 (30 s).",
    )  # fmt: skip

    page = client.get("/library/")

    assertContains(page, "Resuming at 14:05")
    assertContains(page, 'hx-get="/library/tags/status/"')


def test_the_page_says_when_the_source_is_off(client: Client, page_user) -> None:
    TagFetch.objects.create(user=page_user, status=TagFetch.Status.OFF, message=OFF_MESSAGE)

    page = client.get("/library/")

    assertContains(page, "Song tags are off.")
    assertContains(page, "Last.fm is not configured (set LASTFM_API_KEY)")
    assertNotContains(page, 'hx-get="/library/tags/status/"')


def test_a_finished_look_up_stops_polling(client: Client, page_user) -> None:
    TagFetch.objects.create(
        user=page_user, status=TagFetch.Status.DONE, processed=40, total=40,
        message="Looked up 40 of 40 songs on Last.fm.", finished_at=timezone.now(),
    )  # fmt: skip

    partial = client.get("/library/tags/status/", headers={"HX-Request": "true"})

    assertContains(partial, "Looked up 40 of 40 songs on Last.fm.")
    assertNotContains(partial, "hx-trigger")
