""" "Did the music help?" on the dashboard (per strategy, by valence, honest when too few), the
pending question, and the answers in the export and in delete-all."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory
from emotions.tests.readings_data import readings_at, recommend, tracks
from feedback.models import MoodAfter
from insights.dashboard import (
    MOOD_AFTER_MIN_ANSWERS,
    Period,
    mood_after_outcomes,
    mood_after_pending,
)
from insights.history import history_delete_all, user_data_export
from recommendations.models import Recommendation


def answer(user: User, before: str, after: str, strategy: str = "match") -> MoodAfter:
    recommendation = Recommendation.objects.create(user=user, emotion=before, strategy=strategy)
    return MoodAfter.objects.create(
        recommendation=recommendation,
        user=user,
        emotion=after,
        emotion_before=before,
        strategy=strategy,
    )


@pytest.fixture
def answered(user: User) -> None:
    """Lift: 4 better, 1 same, 1 worse (6 answers); match: 1 better, 1 worse (2 answers)."""
    readings_at(user, [(timezone.now(), "sad")])
    for before, after in [
        ("sad", "happy"),
        ("sad", "neutral"),
        ("angry", "surprise"),
        ("fear", "happy"),
        ("sad", "angry"),
        ("neutral", "sad"),
    ]:
        answer(user, before, after, "lift")
    answer(user, "sad", "neutral", "match")
    answer(user, "happy", "sad", "match")
    # Another listener's answers never count.
    answer(UserFactory(), "sad", "happy", "match")


@pytest.mark.django_db
def test_outcomes_count_better_same_and_worse_per_strategy(user: User, answered: None) -> None:
    match, lift = mood_after_outcomes(user=user, period=Period())

    assert (match.strategy, match.better, match.same, match.worse) == ("match", 1, 0, 1)
    assert (lift.strategy, lift.better, lift.same, lift.worse) == ("lift", 4, 1, 1)
    assert (match.total, lift.total) == (2, 6)
    assert (match.enough, lift.enough) == (False, True)
    assert lift.share("better") == pytest.approx(66.7)
    assert MOOD_AFTER_MIN_ANSWERS == 5


@pytest.mark.django_db
def test_outcomes_keep_to_the_range(user: User, answered: None) -> None:
    MoodAfter.objects.filter(user=user, strategy="lift").update(
        created_at=timezone.now() - dt.timedelta(days=40)
    )
    since = Period(start=timezone.now() - dt.timedelta(days=30))

    match, lift = mood_after_outcomes(user=user, period=since)

    assert (match.total, lift.total) == (2, 0)


@pytest.mark.django_db
def test_the_dashboard_panel_shows_counts_a_chart_a_table_and_too_few(
    client_logged_in: Client, answered: None
) -> None:
    response = client_logged_in.get("/dashboard/")

    assertContains(response, "Did the music help?")
    assertContains(response, 'id="mood-after-chart" role="img"')
    assertContains(response, 'id="mood-after-table"')
    assertContains(
        response,
        '<tr data-strategy="lift"><th scope="row">Lift my mood</th><td>4 (66.7%)</td>'
        "<td>1 (16.7%)</td><td>1 (16.7%)</td><td>6</td></tr>",
        html=False,
    )
    assertContains(response, "better 1 time, the same 0, worse 1, of 2 answers.")
    assertContains(response, "Too few answers to say yet (3 more needed).", count=1)
    data = response.context["chart_data"]["mood_after"]
    assert data["strategies"] == ["Match my mood", "Lift my mood"]
    assert [change["counts"] for change in data["changes"]] == [[1, 4], [0, 1], [1, 1]]


@pytest.mark.django_db
def test_without_answers_the_panel_says_how_it_fills_in(
    client_logged_in: Client, user: User
) -> None:
    readings_at(user, [(timezone.now(), "sad")])

    response = client_logged_in.get("/dashboard/?range=all")

    assertContains(response, "Did the music help?")
    assertContains(response, "No answers yet.")
    assertNotContains(response, "mood-after-chart")
    assert response.context["chart_data"]["mood_after"] is None


@pytest.mark.django_db
def test_the_summary_api_has_the_outcomes(
    api_client: APIClient, user: User, answered: None
) -> None:
    api_client.force_authenticate(user)

    data = api_client.get("/api/v1/history/summary/").json()

    assert data["mood_after_min_answers"] == 5
    lift = next(row for row in data["mood_after"] if row["strategy"] == "lift")
    assert lift == {
        "strategy": "lift",
        "label": "Lift my mood",
        "better": 4,
        "same": 1,
        "worse": 1,
        "total": 6,
        "enough": True,
    }


@pytest.mark.django_db
def test_a_list_from_the_last_hour_without_an_answer_is_asked_about(
    client_logged_in: Client, user: User
) -> None:
    readings_at(user, [(timezone.now(), "sad")])
    listened = recommend(user, None, tracks(["Song"]), emotion="sad")
    now = timezone.now()

    assert mood_after_pending(user=user, now=now) is None  # just made: listening
    asked = mood_after_pending(user=user, now=now + dt.timedelta(minutes=10))
    gone = mood_after_pending(user=user, now=now + dt.timedelta(minutes=61))
    Recommendation.objects.filter(pk=listened.pk).update(created_at=now - dt.timedelta(minutes=10))
    page = client_logged_in.get("/dashboard/")
    MoodAfter.objects.create(
        recommendation=listened, user=user, emotion="happy", emotion_before="sad", strategy="match"
    )

    assert (asked, gone) == (listened, None)
    assertContains(page, f'href="/songs/{listened.pk}/#mood-after">How do you feel now?</a>')
    assertContains(page, "You got songs for a sad mood at")
    assert mood_after_pending(user=user) is None


@pytest.mark.django_db
def test_the_export_has_the_answers_and_only_the_users(user: User, answered: None) -> None:
    data = user_data_export(user=user)

    assert len(data["moods_after"]) == 8
    first = data["moods_after"][0]
    assert (first["emotion_before"], first["emotion_after"], first["strategy"]) == (
        "sad",
        "happy",
        "lift",
    )
    assert (first["change"], first["source"], first["reading_id"]) == ("better", "tap", None)
    recommendation_ids = {row["id"] for row in data["recommendations"]}
    assert {row["recommendation_id"] for row in data["moods_after"]} <= recommendation_ids


@pytest.mark.django_db
def test_delete_all_deletes_the_answers_and_says_so(
    client_logged_in: Client, user: User, answered: None
) -> None:
    confirm = client_logged_in.get("/mood/history/delete/")
    assertContains(confirm, "8 answers to “How do you feel now?”")

    response = client_logged_in.post("/mood/history/delete/", follow=True)

    assertContains(response, "and 8 answer(s) to “How do you feel now?”")
    assert not MoodAfter.objects.filter(user=user).exists()
    assert MoodAfter.objects.count() == 1  # the other listener's


@pytest.mark.django_db
def test_delete_all_counts_answers(user: User, answered: None) -> None:
    deleted = history_delete_all(user=user)

    assert deleted.moods_after == 8
    assert deleted.recommendations == 8
