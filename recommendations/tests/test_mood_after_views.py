"""The songs panel's "How do you feel now?" (tap, snapshot) and stars carried over from earlier
lists: HTML views, no browser."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import User
from accounts.tests.factories import UserFactory
from emotions.models import MoodReading
from emotions.tests.readings_data import rate, recommend, tracks
from feedback.models import MoodAfter
from library.evidence import track_moods_sync_curated
from library.tests.factories import curated_library
from recommendations.models import Recommendation
from recommendations.tests.factories import DoneReadingFactory, RecommendationFactory
from recommendations.views.mood_after import SESSION_KEY

HTMX = {"HTTP_HX_REQUEST": "true"}


def aged(recommendation: Recommendation, minutes: float) -> Recommendation:
    Recommendation.objects.filter(pk=recommendation.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=minutes)
    )
    recommendation.refresh_from_db()
    return recommendation


@pytest.fixture
def listened(user: User) -> Recommendation:
    """A stored list of two songs for a sad reading, made five minutes ago."""
    reading = DoneReadingFactory(user=user, emotion="sad")
    return aged(recommend(user, reading, tracks(["Song A", "Song B"])), 5)


@pytest.mark.django_db
def test_a_fresh_list_hides_the_prompt_until_it_has_been_open_a_while(
    client_logged_in: Client, user: User
) -> None:
    fresh = recommend(user, None, tracks(["Fresh"]))

    response = client_logged_in.get(f"/songs/{fresh.pk}/")

    assertContains(response, "How do you feel now?")
    prompt = response.context["mood_prompt"]
    assert prompt.state == "later"
    assert 170_000 <= prompt.delay_ms <= 180_000
    assertContains(response, f'hidden data-reveal-after="{prompt.delay_ms}"')
    assertContains(response, "recommendations/mood_after.js")


@pytest.mark.django_db
def test_coming_back_within_the_hour_asks_at_once_and_later_not_at_all(
    client_logged_in: Client, listened: Recommendation
) -> None:
    now = client_logged_in.get(f"/songs/{listened.pk}/")
    aged(listened, 61)
    late = client_logged_in.get(f"/songs/{listened.pk}/")

    assert now.context["mood_prompt"].state == "now"
    assertContains(now, 'id="mood-after"')
    assertNotContains(now, "data-reveal-after")
    assertContains(now, 'name="emotion" value="happy"')
    assertContains(now, "Take a quick snapshot instead")
    assert late.context["mood_prompt"].state == ""
    assertNotContains(late, 'id="mood-after"')


@pytest.mark.django_db
def test_one_tap_answers_and_a_second_changes_the_answer(
    client_logged_in: Client, listened: Recommendation
) -> None:
    url = f"/songs/{listened.pk}/mood-after/"

    first = client_logged_in.post(url, {"emotion": "neutral"}, **HTMX)
    second = client_logged_in.post(url, {"emotion": "happy"}, **HTMX)

    assert first.status_code == second.status_code == 200
    assertNotContains(second, "<html")
    assertContains(first, "You feel neutral now: better than the sad mood these songs were for.")
    assertContains(second, "Thanks. You feel happy now")
    assertContains(second, 'value="happy" class="mood-after-option" aria-pressed="true" autofocus')
    answer = MoodAfter.objects.get()
    assert (answer.emotion, answer.emotion_before, answer.strategy) == ("happy", "sad", "match")
    # The stored list shows the answer from now on, even after the hour.
    aged(listened, 120)
    page = client_logged_in.get(f"/songs/{listened.pk}/")
    assertContains(page, "You feel happy now: better than the sad mood")


@pytest.mark.django_db
def test_without_htmx_a_tap_redirects_back_to_the_list(
    client_logged_in: Client, listened: Recommendation
) -> None:
    response = client_logged_in.post(
        f"/songs/{listened.pk}/mood-after/", {"emotion": "sad"}, follow=True
    )

    assert response.redirect_chain[-1][0] == f"/songs/{listened.pk}/#mood-after"
    assertContains(response, "Thanks. You feel sad now: about the same as the sad mood")


@pytest.mark.django_db
@pytest.mark.parametrize("emotion", ["", "joy", "<script>"])
def test_a_bad_emotion_is_a_400_page_with_a_sentence(
    client_logged_in: Client, listened: Recommendation, emotion: str
) -> None:
    response = client_logged_in.post(f"/songs/{listened.pk}/mood-after/", {"emotion": emotion})
    htmx = client_logged_in.post(f"/songs/{listened.pk}/mood-after/", {"emotion": emotion}, **HTMX)

    assert response.status_code == 400
    assertContains(response, "Choose one of the seven feelings.", status_code=400)
    assertNotContains(response, "Traceback", status_code=400)
    assertContains(htmx, 'role="alert">Choose one of the seven feelings.')
    assert not MoodAfter.objects.exists()


@pytest.mark.django_db
def test_an_old_list_is_refused_politely(
    client_logged_in: Client, listened: Recommendation
) -> None:
    aged(listened, 180)

    response = client_logged_in.post(f"/songs/{listened.pk}/mood-after/", {"emotion": "happy"})

    assertContains(response, "too old", status_code=400)
    assert not MoodAfter.objects.exists()


@pytest.mark.django_db
def test_another_listeners_list_is_404(client_logged_in: Client) -> None:
    theirs = aged(RecommendationFactory(user=UserFactory()), 5)

    tap = client_logged_in.post(f"/songs/{theirs.pk}/mood-after/", {"emotion": "happy"})
    snap = client_logged_in.post(f"/songs/{theirs.pk}/mood-after/snapshot/")

    assert (tap.status_code, snap.status_code) == (404, 404)
    assert not MoodAfter.objects.exists()
    assert SESSION_KEY not in client_logged_in.session


@pytest.mark.django_db
def test_a_snapshot_taken_from_the_prompt_answers_for_the_list(
    client_logged_in: Client, user: User, listened: Recommendation
) -> None:
    curated_library(user, per_mood=3)
    track_moods_sync_curated()
    response = client_logged_in.post(f"/songs/{listened.pk}/mood-after/snapshot/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/mood/"
    assert client_logged_in.session[SESSION_KEY]["list"] == listened.pk

    # The listener picks "Neutral" on the capture page; its reading's songs panel links it.
    snapshot = DoneReadingFactory(user=user, emotion="neutral")
    panel = client_logged_in.get(f"/songs/reading/{snapshot.pk}/", **HTMX)

    assertContains(panel, "This reading is how you felt after your earlier songs.")
    answer = MoodAfter.objects.get()
    assert (answer.recommendation, answer.reading, answer.source) == (
        listened,
        snapshot,
        "snapshot",
    )
    assert answer.emotion == "neutral"
    assert SESSION_KEY not in client_logged_in.session

    # Correcting the snapshot corrects the answer.
    MoodReading.objects.filter(pk=snapshot.pk).update(user_emotion="happy")
    client_logged_in.get(f"/songs/reading/{snapshot.pk}/", **HTMX)
    assert MoodAfter.objects.get().emotion == "happy"


@pytest.mark.django_db
def test_a_reading_from_before_the_snapshot_request_does_not_answer(
    client_logged_in: Client, user: User, listened: Recommendation
) -> None:
    earlier = DoneReadingFactory(user=user, emotion="happy")
    MoodReading.objects.filter(pk=earlier.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=1)
    )
    client_logged_in.post(f"/songs/{listened.pk}/mood-after/snapshot/")

    client_logged_in.get(f"/songs/reading/{earlier.pk}/", **HTMX)

    assert not MoodAfter.objects.exists()
    assert client_logged_in.session[SESSION_KEY]["list"] == listened.pk


@pytest.mark.django_db
def test_stars_given_in_an_earlier_list_show_in_a_later_one(
    client_logged_in: Client, user: User
) -> None:
    song_a, song_b, song_c = tracks(["Song A", "Song B", "Song C"])
    earlier = recommend(user, None, [song_a, song_b])
    rate(user, earlier.items.get(track=song_a), 4)
    later = recommend(user, None, [song_a, song_b, song_c])
    rate(user, later.items.get(track=song_b), 2)

    response = client_logged_in.get(f"/songs/{later.pk}/")

    item_a = later.items.get(track=song_a)
    item_b = later.items.get(track=song_b)
    item_c = later.items.get(track=song_c)
    assertContains(response, f'id="rate-{item_a.pk}-4" name="stars" value="4" checked')
    assertContains(response, "You rated it ★4 in an earlier list.", count=1)
    assertContains(response, f'id="rate-{item_b.pk}-2" name="stars" value="2" checked')
    assertContains(response, "You rated it ★2.", count=1)
    assertNotContains(response, f'id="rate-{item_c.pk}-1" name="stars" value="1" checked')
    assert [(item.pk, stars) for item, stars, _ in response.context["rows"]] == [
        (item_a.pk, 4),
        (item_b.pk, 2),
        (item_c.pk, None),
    ]


@pytest.mark.django_db
def test_another_listeners_stars_never_show(client_logged_in: Client, user: User) -> None:
    (song,) = tracks(["Shared"])
    stranger = UserFactory()
    rate(stranger, recommend(stranger, None, [song]).items.get(), 5)
    mine = recommend(user, None, [song])

    response = client_logged_in.get(f"/songs/{mine.pk}/")

    assertNotContains(response, "checked")
    assertNotContains(response, "You rated it")
