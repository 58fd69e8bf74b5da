"""Tests for the dashboard's demo data (emotions/demo.py)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.utils import timezone

from accounts.services import user_ensure_demo
from demo import readings as demo
from emotions.models import MoodReading
from feedback.models import Rating
from insights.dashboard import dashboard_summary, period_for_range
from library.evidence import track_moods_sync_curated
from library.tests.factories import curated_library
from ml.labels import EMOTIONS


def seed() -> str:
    out = StringIO()
    demo.seed(stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_seeds_a_month_of_manual_readings_once() -> None:
    first = seed()
    second = seed()

    user, _ = user_ensure_demo()
    readings = list(MoodReading.objects.filter(user=user))
    assert "created over the last 30 days" in first
    assert "demo readings: already present" in second
    assert 30 <= len(readings) <= 90
    assert MoodReading.objects.filter(user=user).count() == len(readings)
    assert {r.source for r in readings} == {"manual"}
    assert {r.status for r in readings} == {"done"}
    assert not any(r.image or r.thumbnail for r in readings)
    for reading in readings:
        assert set(reading.probabilities) == set(EMOTIONS)
        assert sum(reading.probabilities.values()) == pytest.approx(1, abs=1e-3)
        assert max(reading.probabilities, key=reading.probabilities.get) == reading.user_emotion
    days = {timezone.localtime(r.created_at).date() for r in readings}
    assert min(days) >= timezone.localdate() - timezone.timedelta(days=29)
    assert "skipped until the demo library is synced" in first


@pytest.mark.django_db
def test_the_demo_dashboard_is_full() -> None:
    seed()
    user, _ = user_ensure_demo()

    summary = dashboard_summary(user=user, period=period_for_range(range_key="30"))

    assert summary.total == MoodReading.objects.filter(user=user).count()
    assert summary.streaks.current_days >= 4  # today may not have begun (just after midnight)
    assert sum(1 for count in summary.distribution.values() if count) >= 4


@pytest.mark.django_db
def test_with_a_synced_library_the_demo_rates_some_songs() -> None:
    user, _ = user_ensure_demo()
    curated_library(user, per_mood=8)
    track_moods_sync_curated()

    output = seed()
    again = seed()

    ratings = Rating.objects.filter(user=user)
    assert "demo ratings:" in output
    assert ratings.count() > 0
    assert ratings.filter(stars__gte=4).exists()
    assert "demo ratings: already present" in again
    summary = dashboard_summary(user=user, period=period_for_range(range_key="all"))
    assert summary.songs_that_helped
