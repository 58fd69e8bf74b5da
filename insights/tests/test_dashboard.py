"""Tests for the dashboard selectors (emotions/dashboard.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.tests.factories import UserFactory
from emotions.models import MoodReading
from emotions.tests.readings_data import rate, readings_at, recommend, tracks
from insights.dashboard import (
    Period,
    _day_streaks,
    dashboard_summary,
    period_for_dates,
    period_for_range,
    songs_that_helped,
)

NOW = dt.datetime(2026, 11, 18, 15, 30, tzinfo=dt.UTC)  # a Wednesday


def ago(days: float = 0, hours: float = 0) -> dt.datetime:
    return NOW - dt.timedelta(days=days, hours=hours)


@pytest.mark.django_db
def test_it_counts_each_emotion_and_the_users_correction_wins(user) -> None:
    readings_at(
        user,
        [(ago(1), "happy"), (ago(2), "happy"), (ago(3), "sad"), (ago(4), "angry")],
        corrected={3: "neutral"},
    )
    MoodReading.objects.create(user=user, source="upload", status="pending")
    MoodReading.objects.create(user=user, source="upload", status="no_face")
    readings_at(UserFactory(), [(ago(1), "sad")])

    summary = dashboard_summary(user=user, period=Period(), now=NOW)

    assert summary.total == 4
    assert summary.distribution == {
        "happy": 2,
        "surprise": 0,
        "neutral": 1,
        "fear": 0,
        "sad": 1,
        "disgust": 0,
        "angry": 0,
    }
    shares = {row["emotion"]: row["share"] for row in summary.distribution_rows()}
    assert shares["happy"] == 50.0
    assert [point[2] for point in summary.timeline] == ["neutral", "sad", "happy", "happy"]


@pytest.mark.django_db
def test_the_range_keeps_only_readings_inside_it(user) -> None:
    readings_at(
        user, [(ago(0, 1), "happy"), (ago(5), "sad"), (ago(20), "fear"), (ago(90), "angry")]
    )

    def total(range_key: str) -> int:
        period = period_for_range(range_key=range_key, now=NOW)
        return dashboard_summary(user=user, period=period, now=NOW).total

    assert (total("7"), total("30"), total("all")) == (2, 3, 4)


def test_a_7_day_range_starts_at_midnight_six_days_ago() -> None:
    period = period_for_range(range_key="7", now=NOW)
    assert period.start == dt.datetime(2026, 11, 12, tzinfo=dt.UTC)
    assert period.end is None
    assert period_for_range(range_key="all", now=NOW) == Period()


def test_date_periods_include_both_days() -> None:
    period = period_for_dates(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 2))
    assert period.start == dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    assert period.end == dt.datetime(2026, 11, 3, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_heat_map_and_daily_rows_place_readings_by_weekday_hour_and_day(user) -> None:
    monday_9 = dt.datetime(2026, 11, 16, 9, 15, tzinfo=dt.UTC)
    sunday_23 = dt.datetime(2026, 11, 15, 23, 59, tzinfo=dt.UTC)
    readings_at(user, [(monday_9, "happy"), (monday_9, "sad"), (sunday_23, "sad")])

    summary = dashboard_summary(user=user, period=Period(), now=NOW)

    assert summary.heatmap[0][9] == 2
    assert summary.heatmap[6][23] == 1
    assert sum(map(sum, summary.heatmap)) == 3
    assert summary.heatmap_max == 2
    assert [(day.isoformat(), counts["sad"]) for day, counts in summary.daily] == [
        ("2026-11-15", 1),
        ("2026-11-16", 1),
    ]


@pytest.mark.parametrize(
    ("offsets", "current", "longest"),
    [
        ([], 0, 0),
        ([0], 1, 1),
        ([1, 2, 3], 3, 3),  # a run that ended yesterday is still current today
        ([2, 3], 0, 2),
        ([0, 1, 2, 5, 6, 7, 8], 3, 4),
        ([0, 0, 1], 2, 2),
    ],
)
def test_day_streaks(offsets: list[int], current: int, longest: int) -> None:
    today = NOW.date()
    dates = [today - dt.timedelta(days=offset) for offset in offsets]
    assert _day_streaks(dates, today) == (current, longest)


@pytest.mark.django_db
def test_streaks_count_days_in_a_row_and_the_latest_emotion_run(user) -> None:
    readings_at(
        user,
        [
            (ago(9), "sad"),
            (ago(2), "sad"),
            (ago(1), "happy"),
            (ago(0, 2), "happy"),
            (ago(0, 1), "happy"),
        ],
    )

    streaks = dashboard_summary(
        user=user, period=period_for_range(range_key="7", now=NOW), now=NOW
    ).streaks

    assert (streaks.current_days, streaks.longest_days) == (3, 3)
    assert (streaks.emotion, streaks.emotion_run, streaks.emotion_run_capped) == ("happy", 3, False)
    assert streaks.last_reading_date == NOW.date()


@pytest.mark.django_db
def test_songs_that_helped_are_the_best_rated_per_emotion(user) -> None:
    calm, upbeat, meh, loud = tracks(["Calm Song", "Upbeat", "Meh", "Loud"])
    sad_rec = recommend(user, None, [calm, upbeat, meh], emotion="sad")
    angry_rec = recommend(user, None, [loud], emotion="angry")
    items = list(sad_rec.items.all())
    rate(user, items[0], 5)
    rate(user, items[1], 4)
    rate(user, items[2], 2)
    rate(user, angry_rec.items.get(), 4)
    stranger = UserFactory()
    rate(stranger, recommend(stranger, None, [meh], emotion="sad").items.get(), 5)

    helped = songs_that_helped(user=user, period=Period())

    assert list(helped) == ["sad", "angry"]
    assert [(song.name, song.average_stars) for song in helped["sad"]] == [
        ("Calm Song", 5.0),
        ("Upbeat", 4.0),
    ]
    assert [song.name for song in helped["angry"]] == ["Loud"]


@pytest.mark.django_db
def test_the_summary_as_json_has_every_aggregate(user) -> None:
    readings_at(user, [(ago(1), "happy")])
    data = dashboard_summary(user=user, period=Period(), now=NOW).as_dict()

    assert set(data) == {
        "from",
        "to",
        "total",
        "distribution",
        "timeline",
        "timeline_truncated",
        "heatmap",
        "daily",
        "streaks",
        "songs_that_helped",
        "mood_after",
        "mood_after_min_answers",
    }
    assert data["timeline"][0]["emotion"] == "happy"
    assert len(data["heatmap"]["counts"]) == 7
