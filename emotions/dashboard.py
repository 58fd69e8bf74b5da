"""Dashboard selectors: a user's mood timeline, distribution, heat map, streaks, helpful songs."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Avg, Count, F, Max, Q, QuerySet, Value
from django.db.models.functions import (
    Coalesce,
    ExtractHour,
    ExtractIsoWeekDay,
    NullIf,
    TruncDate,
)
from django.utils import timezone

from accounts.models import User
from emotions.models import EMOTION_CHOICES, MoodReading
from feedback.models import Rating

# Top to bottom on the timeline: pleasant to unpleasant, so the line reads like a mood chart.
EMOTION_ORDER: tuple[str, ...] = ("happy", "surprise", "neutral", "fear", "sad", "disgust", "angry")
EMOTION_LABELS: dict[str, str] = dict(EMOTION_CHOICES)
# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
EMOTION_COLORS: dict[str, str] = {
    "happy": "#E69F00",
    "surprise": "#CC79A7",
    "neutral": "#6B6B6B",
    "fear": "#56B4E9",
    "sad": "#0072B2",
    "disgust": "#009E73",
    "angry": "#D55E00",
}
WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
RANGES: dict[str, int | None] = {"7": 7, "30": 30, "all": None}
DEFAULT_RANGE = "30"
# Beyond this many readings in a range the timeline shows the latest ones (the tables count all).
TIMELINE_MAX_POINTS = 3000
SONGS_PER_EMOTION = 3
HELPFUL_MIN_STARS = 4
EMOTION_RUN_WINDOW = 100


@dataclass(frozen=True)
class Period:
    """A half-open interval [start, end) of time; None means unbounded on that side."""

    start: dt.datetime | None = None
    end: dt.datetime | None = None

    def filter(self, field_name: str) -> Q:
        query = Q()
        if self.start is not None:
            query &= Q(**{f"{field_name}__gte": self.start})
        if self.end is not None:
            query &= Q(**{f"{field_name}__lt": self.end})
        return query


@dataclass(frozen=True)
class Streaks:
    current_days: int
    longest_days: int
    last_reading_date: dt.date | None
    emotion: str
    emotion_run: int
    emotion_run_capped: bool


@dataclass(frozen=True)
class HelpfulSong:
    track_id: int
    spotify_id: str
    name: str
    artists: str
    average_stars: float
    ratings: int


@dataclass
class DashboardSummary:
    period: Period
    total: int
    has_any_reading: bool
    distribution: dict[str, int]
    heatmap: list[list[int]]
    daily: list[tuple[dt.date, dict[str, int]]]
    timeline: list[tuple[int, dt.datetime, str, float | None]]
    timeline_truncated: bool
    streaks: Streaks
    songs_that_helped: dict[str, list[HelpfulSong]] = field(default_factory=dict)

    @property
    def heatmap_max(self) -> int:
        return max((count for row in self.heatmap for count in row), default=0)

    def distribution_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "emotion": emotion,
                "label": EMOTION_LABELS[emotion],
                "color": EMOTION_COLORS[emotion],
                "count": self.distribution[emotion],
                "share": round(100 * self.distribution[emotion] / self.total, 1)
                if self.total
                else 0.0,
            }
            for emotion in EMOTION_ORDER
        ]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form: what the summary API returns and the charts draw."""
        streaks = asdict(self.streaks)
        streaks["last_reading_date"] = (
            self.streaks.last_reading_date.isoformat() if self.streaks.last_reading_date else None
        )
        return {
            "from": self.period.start.isoformat() if self.period.start else None,
            "to": self.period.end.isoformat() if self.period.end else None,
            "total": self.total,
            "distribution": self.distribution_rows(),
            "timeline": [
                {
                    "id": reading_id,
                    "at": created_at.isoformat(),
                    "emotion": emotion,
                    "confidence": confidence,
                }
                for reading_id, created_at, emotion, confidence in self.timeline
            ],
            "timeline_truncated": self.timeline_truncated,
            "heatmap": {
                "weekdays": list(WEEKDAYS),
                "hours": list(range(24)),
                "counts": self.heatmap,
            },
            "daily": [
                {"date": day.isoformat(), "counts": counts, "total": sum(counts.values())}
                for day, counts in self.daily
            ],
            "streaks": streaks,
            "songs_that_helped": [
                {"emotion": emotion, "tracks": [asdict(song) for song in songs]}
                for emotion, songs in self.songs_that_helped.items()
            ],
        }


def period_for_range(*, range_key: str, now: dt.datetime | None = None) -> Period:
    """The Period of a dashboard range ("7", "30" days up to now, or "all")."""
    days = RANGES[range_key]
    if days is None:
        return Period()
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    start = dt.datetime.combine(
        today - dt.timedelta(days=days - 1), dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    return Period(start=start)


def period_for_dates(*, start: dt.date | None, end: dt.date | None) -> Period:
    """The Period from the first moment of `start` to the end of `end` (both inclusive days)."""
    tz = timezone.get_current_timezone()
    return Period(
        start=dt.datetime.combine(start, dt.time.min, tzinfo=tz) if start else None,
        end=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        if end
        else None,
    )


def readings_with_emotion(*, user: User) -> QuerySet[MoodReading]:
    """The user's readings that have an emotion, annotated with `mood` (correction wins)."""
    return (
        MoodReading.objects.filter(user=user)
        .annotate(mood=Coalesce(NullIf("user_emotion", Value("")), NullIf("emotion", Value(""))))
        .filter(mood__isnull=False)
    )


def _distribution(readings: QuerySet[MoodReading]) -> dict[str, int]:
    counts = dict.fromkeys(EMOTION_ORDER, 0)
    for row in readings.order_by().values("mood").annotate(n=Count("id")):
        if row["mood"] in counts:
            counts[row["mood"]] = row["n"]
    return counts


def _heatmap(readings: QuerySet[MoodReading]) -> list[list[int]]:
    grid = [[0] * 24 for _ in WEEKDAYS]
    rows = (
        readings.order_by()
        .annotate(weekday=ExtractIsoWeekDay("created_at"), hour=ExtractHour("created_at"))
        .values("weekday", "hour")
        .annotate(n=Count("id"))
    )
    for row in rows:
        grid[row["weekday"] - 1][row["hour"]] = row["n"]
    return grid


def _daily(readings: QuerySet[MoodReading]) -> list[tuple[dt.date, dict[str, int]]]:
    days: dict[dt.date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(EMOTION_ORDER, 0))
    rows = (
        readings.order_by()
        .annotate(day=TruncDate("created_at"))
        .values("day", "mood")
        .annotate(n=Count("id"))
    )
    for row in rows:
        days[row["day"]][row["mood"]] = row["n"]
    return sorted(days.items())


def _timeline(
    readings: QuerySet[MoodReading],
) -> tuple[list[tuple[int, dt.datetime, str, float | None]], bool]:
    rows = list(
        readings.order_by("-created_at", "-id").values_list(
            "id", "created_at", "mood", "confidence"
        )[: TIMELINE_MAX_POINTS + 1]
    )
    truncated = len(rows) > TIMELINE_MAX_POINTS
    return list(reversed(rows[:TIMELINE_MAX_POINTS])), truncated


def _day_streaks(dates: list[dt.date], today: dt.date) -> tuple[int, int]:
    """(current, longest) runs of consecutive days; the current run may end today or yesterday."""
    if not dates:
        return 0, 0
    ascending = sorted(set(dates))
    longest = run = 1
    for previous, day in itertools.pairwise(ascending):
        run = run + 1 if (day - previous).days == 1 else 1
        longest = max(longest, run)
    current = 0
    if (today - ascending[-1]).days <= 1:
        current = 1
        for previous, day in zip(reversed(ascending[:-1]), reversed(ascending), strict=False):
            if (day - previous).days != 1:
                break
            current += 1
    return current, longest


def _streaks(readings: QuerySet[MoodReading], now: dt.datetime) -> Streaks:
    dates = list(readings.order_by().dates("created_at", "day"))
    current, longest = _day_streaks(dates, timezone.localtime(now).date())
    latest = list(
        readings.order_by("-created_at", "-id").values_list("mood", flat=True)[:EMOTION_RUN_WINDOW]
    )
    run = 0
    for mood in latest:
        if mood != latest[0]:
            break
        run += 1
    return Streaks(
        current_days=current,
        longest_days=longest,
        last_reading_date=max(dates) if dates else None,
        emotion=latest[0] if latest else "",
        emotion_run=run,
        emotion_run_capped=run == EMOTION_RUN_WINDOW,
    )


def songs_that_helped(*, user: User, period: Period) -> dict[str, list[HelpfulSong]]:
    """Per emotion, the user's best-rated tracks (★4 and up) rated while feeling it."""
    rows = (
        Rating.objects.filter(period.filter("updated_at"), user=user, stars__gte=HELPFUL_MIN_STARS)
        .order_by()
        .values(
            "emotion",
            "track_id",
            spotify_id=F("track__spotify_id"),
            name=F("track__name"),
            artists=F("track__artist_names"),
        )
        .annotate(average=Avg("stars"), n=Count("id"), last=Max("updated_at"))
        .order_by("emotion", "-average", "-n", "-last")
    )
    songs: dict[str, list[HelpfulSong]] = {}
    for row in rows:
        picked = songs.setdefault(row["emotion"], [])
        if len(picked) < SONGS_PER_EMOTION:
            picked.append(
                HelpfulSong(
                    track_id=row["track_id"],
                    spotify_id=row["spotify_id"],
                    name=row["name"],
                    artists=row["artists"],
                    average_stars=round(row["average"], 2),
                    ratings=row["n"],
                )
            )
    return {emotion: songs[emotion] for emotion in EMOTION_ORDER if emotion in songs}


def dashboard_summary(
    *, user: User, period: Period, now: dt.datetime | None = None
) -> DashboardSummary:
    """Every aggregate the dashboard shows, in a fixed number of queries whatever the history."""
    now = now or timezone.now()
    everything = readings_with_emotion(user=user)
    in_period = everything.filter(period.filter("created_at"))
    distribution = _distribution(in_period)
    timeline, truncated = _timeline(in_period)
    streaks = _streaks(everything, now)
    return DashboardSummary(
        period=period,
        total=sum(distribution.values()),
        has_any_reading=streaks.last_reading_date is not None,
        distribution=distribution,
        heatmap=_heatmap(in_period),
        daily=_daily(in_period),
        timeline=timeline,
        timeline_truncated=truncated,
        streaks=streaks,
        songs_that_helped=songs_that_helped(user=user, period=period),
    )
