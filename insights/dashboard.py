"""Dashboard selectors: a user's mood timeline, distribution, heat map, streaks, helpful songs."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import NotSupportedError
from django.db.models import Avg, Count, F, FloatField, Func, Max, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from accounts.models import Strategy, User
from emotions.models import EMOTION_CHOICES, MoodReading
from feedback.models import MoodAfter, Rating
from feedback.services import MOOD_AFTER_PROMPT_DELAY, MOOD_AFTER_PROMPT_WINDOW
from feedback.valence import CHANGES, mood_change
from recommendations.models import Recommendation

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _Mood(TypedDict):
        mood: str


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
# Below this many "How do you feel now?" answers for a strategy, the dashboard says it can't tell.
MOOD_AFTER_MIN_ANSWERS = 5
CHANGE_LABELS: dict[str, str] = {"better": "Better", "same": "The same", "worse": "Worse"}
# Okabe-Ito again: bluish green, grey, vermillion.
CHANGE_COLORS: dict[str, str] = {"better": "#009E73", "same": "#6B6B6B", "worse": "#D55E00"}


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


@dataclass(frozen=True)
class MoodAfterOutcome:
    """For one strategy: how often the mood after a list was better, the same or worse."""

    strategy: str
    label: str
    better: int
    same: int
    worse: int

    @property
    def total(self) -> int:
        return self.better + self.same + self.worse

    @property
    def enough(self) -> bool:
        return self.total >= MOOD_AFTER_MIN_ANSWERS

    def share(self, change: str) -> float:
        count: int = getattr(self, change)
        return round(100 * count / self.total, 1) if self.total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "label": self.label,
            **{change: getattr(self, change) for change in CHANGES},
            "total": self.total,
            "enough": self.enough,
        }


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
    mood_after: list[MoodAfterOutcome] = field(default_factory=list)

    @property
    def mood_after_total(self) -> int:
        return sum(outcome.total for outcome in self.mood_after)

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
            "mood_after": [outcome.as_dict() for outcome in self.mood_after],
            "mood_after_min_answers": MOOD_AFTER_MIN_ANSWERS,
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


class EpochSeconds(Func):
    """A datetime column as float seconds since 1970 (UTC), computed by the database.

    Aggregating by local day, weekday and hour happens in Python: SQLite would otherwise call a
    Python function per row for every timezone-aware date part, which is slow for big histories.
    """

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django stores UTC text; julianday() parses it, 2440587.5 is the Julian day of 1970-01-01.
        return self.as_sql(
            compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::double precision"
        )

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> Any:
        if template is None:
            raise NotSupportedError(f"EpochSeconds is not implemented for {connection.vendor}.")
        return super().as_sql(compiler, connection, function, template, arg_joiner, **extra_context)


def readings_with_emotion(*, user: User) -> QuerySet[WithAnnotations[MoodReading, _Mood]]:
    """The user's readings that have an emotion, annotated with `mood` (correction wins)."""
    return (
        MoodReading.objects.filter(user=user)
        .annotate(mood=Coalesce(NullIf("user_emotion", Value("")), NullIf("emotion", Value(""))))
        .filter(mood__isnull=False)
    )


@dataclass
class _Aggregates:
    distribution: dict[str, int]
    heatmap: list[list[int]]
    daily: list[tuple[dt.date, dict[str, int]]]
    timeline: list[tuple[int, dt.datetime, str, float | None]]
    timeline_truncated: bool
    dates: set[dt.date]


def _aggregate(readings: QuerySet[MoodReading]) -> _Aggregates:
    """Distribution, weekday-by-hour grid, per-day counts and timeline in one pass over the rows."""
    tz = timezone.get_current_timezone()
    # Ordered by time alone: the index on (user, created_at) serves it without a sort step.
    rows = readings.order_by("created_at").values_list(
        "id", EpochSeconds("created_at"), "mood", "confidence"
    )
    distribution = dict.fromkeys(EMOTION_ORDER, 0)
    heatmap = [[0] * 24 for _ in WEEKDAYS]
    days: dict[dt.date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(EMOTION_ORDER, 0))
    latest: deque[tuple[int, dt.datetime, str, float | None]] = deque(maxlen=TIMELINE_MAX_POINTS)
    for reading_id, seconds, mood, confidence in rows:
        if mood not in distribution:
            continue
        at = dt.datetime.fromtimestamp(seconds, tz)
        distribution[mood] += 1
        heatmap[at.weekday()][at.hour] += 1
        days[at.date()][mood] += 1
        latest.append((reading_id, at, mood, confidence))
    return _Aggregates(
        distribution=distribution,
        heatmap=heatmap,
        daily=sorted(days.items()),
        timeline=list(latest),
        timeline_truncated=sum(distribution.values()) > len(latest),
        dates=set(days),
    )


def _reading_dates(readings: QuerySet[MoodReading]) -> set[dt.date]:
    tz = timezone.get_current_timezone()
    return {
        dt.datetime.fromtimestamp(seconds, tz).date()
        for seconds in readings.order_by().values_list(EpochSeconds("created_at"), flat=True)
    }


def _day_streaks(dates: Iterable[dt.date], today: dt.date) -> tuple[int, int]:
    """(current, longest) runs of consecutive days; the current run may end today or yesterday."""
    ascending = sorted(set(dates))
    if not ascending:
        return 0, 0
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


def _streaks(
    readings: QuerySet[WithAnnotations[MoodReading, _Mood]], dates: set[dt.date], now: dt.datetime
) -> Streaks:
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


def mood_after_outcomes(*, user: User, period: Period) -> list[MoodAfterOutcome]:
    """Per strategy, the answers to "How do you feel now?" given in the period, by valence."""
    counts = {strategy: dict.fromkeys(CHANGES, 0) for strategy in Strategy.values}
    rows = (
        MoodAfter.objects.filter(period.filter("created_at"), user=user)
        .order_by()
        .values_list("strategy", "emotion_before", "emotion")
    )
    for strategy, before, after in rows:
        if strategy in counts:
            counts[strategy][mood_change(before, after)] += 1
    labels = dict(Strategy.choices)
    return [
        MoodAfterOutcome(
            strategy=strategy,
            label=labels[strategy],
            better=counts[strategy]["better"],
            same=counts[strategy]["same"],
            worse=counts[strategy]["worse"],
        )
        for strategy in Strategy.values
    ]


def mood_after_pending(*, user: User, now: dt.datetime | None = None) -> Recommendation | None:
    """The user's latest list from the last hour, heard a few minutes, with no answer yet."""
    now = now or timezone.now()
    latest = (
        Recommendation.objects.filter(
            user=user,
            created_at__gte=now - MOOD_AFTER_PROMPT_WINDOW,
            created_at__lte=now - MOOD_AFTER_PROMPT_DELAY,
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if latest is None or MoodAfter.objects.filter(recommendation=latest).exists():
        return None
    return latest


def dashboard_summary(
    *, user: User, period: Period, now: dt.datetime | None = None
) -> DashboardSummary:
    """Every aggregate the dashboard shows, in a fixed number of queries whatever the history."""
    now = now or timezone.now()
    everything = readings_with_emotion(user=user)
    bounded = period.start is not None or period.end is not None
    found = _aggregate(everything.filter(period.filter("created_at")) if bounded else everything)
    # Streaks are about now, not the range: they need every day with a reading.
    dates = _reading_dates(everything) if bounded else found.dates
    streaks = _streaks(everything, dates, now)
    return DashboardSummary(
        period=period,
        total=sum(found.distribution.values()),
        has_any_reading=bool(dates),
        distribution=found.distribution,
        heatmap=found.heatmap,
        daily=found.daily,
        timeline=found.timeline,
        timeline_truncated=found.timeline_truncated,
        streaks=streaks,
        songs_that_helped=songs_that_helped(user=user, period=period),
        mood_after=mood_after_outcomes(user=user, period=period),
    )
