"""Demo data: about 30 days of mood readings (and, once a library exists, rated songs) for demo."""

from __future__ import annotations

import datetime as dt
import logging
import random
from io import TextIOBase

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_ensure_demo
from emotions.models import MoodReading
from ml.labels import EMOTIONS

logger = logging.getLogger(__name__)

DEMO_MARKER = "demo-seed"
DAYS = 30
SEED = 20261121
# A listener's month: mostly neutral and happy, some tired/sad evenings, the odd spike.
WEEKDAY_MOODS = {"neutral": 30, "happy": 22, "sad": 14, "surprise": 8, "angry": 8, "fear": 6}
WEEKEND_MOODS = {"happy": 40, "neutral": 25, "surprise": 12, "sad": 10, "angry": 4, "fear": 3}
HOURS = (7, 8, 9, 12, 13, 17, 18, 19, 20, 21, 22)
RATED_READINGS = 12
# How the demo listener felt after each rated list ("How do you feel now?"), newest list first:
# lifting mostly helped, matching mostly kept the mood, so the dashboard's panel has a story.
FELT_AFTER = {
    "lift": ("happy", "neutral", "happy", "sad", "happy", "neutral"),
    "match": ("neutral", "happy", "sad", "neutral", "angry", "happy"),
}


def _probabilities(rng: random.Random, emotion: str) -> dict[str, float]:
    """A plausible model output: the picked emotion clearly ahead, the others sharing the rest."""
    top = rng.uniform(0.55, 0.9)
    weights = {name: rng.uniform(0.2, 1.0) for name in EMOTIONS if name != emotion}
    scale = (1 - top) / sum(weights.values())
    probabilities = {name: round(weight * scale, 4) for name, weight in weights.items()}
    probabilities[emotion] = round(1 - sum(probabilities.values()), 4)
    return {name: probabilities[name] for name in EMOTIONS}


def demo_moments(*, now: dt.datetime, seed: int = SEED) -> list[tuple[dt.datetime, str, dict]]:
    """(time, emotion, probabilities) for the last DAYS days; the last five days have no gap."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    today = timezone.localtime(now).date()
    moments: list[tuple[dt.datetime, str, dict]] = []
    for days_ago in range(DAYS - 1, -1, -1):
        day = today - dt.timedelta(days=days_ago)
        if days_ago > 4 and rng.random() < 0.15:
            continue  # a day off: streaks have gaps
        weights = WEEKEND_MOODS if day.weekday() >= 5 else WEEKDAY_MOODS
        for hour in sorted(rng.sample(HOURS, rng.choice((1, 1, 2, 2, 3)))):
            at = timezone.make_aware(
                dt.datetime.combine(day, dt.time(hour, rng.randrange(60))),
                timezone.get_current_timezone(),
            )
            if at > now:
                # Later today has not happened yet: check in a little while ago instead.
                at = now - dt.timedelta(minutes=10 + rng.randrange(50))
                if timezone.localtime(at).date() != day or (moments and moments[-1][0] >= at):
                    continue
            emotion = rng.choices(list(weights), weights=list(weights.values()))[0]
            moments.append((at, emotion, _probabilities(rng, emotion)))
    return moments


@transaction.atomic
def _create_readings(user: User, now: dt.datetime) -> int:
    moments = demo_moments(now=now)
    readings = MoodReading.objects.bulk_create(
        MoodReading(
            user=user,
            source=MoodReading.Source.MANUAL,
            status=MoodReading.Status.DONE,
            user_emotion=emotion,
            probabilities=probabilities,
            model_version=DEMO_MARKER,
            finished_at=at,
        )
        for at, emotion, probabilities in moments
    )
    # created_at is auto_now_add: set the real moments afterwards.
    for reading, (at, _, _) in zip(readings, moments, strict=True):
        reading.created_at = at
    MoodReading.objects.bulk_update(readings, ["created_at"], batch_size=200)
    return len(readings)


def _rate_some_songs(user: User) -> str:
    """Recommend for a few demo readings, rate the songs and say how the listener felt after, so
    "songs that helped" and "Did the music help?" have something to show."""
    from core.exceptions import ApplicationError
    from feedback.models import Rating
    from feedback.services import mood_after_set, rating_upsert
    from library.models import LibraryEntry
    from recommendations.services import recommendation_create

    if Rating.objects.filter(user=user).exists():
        return "demo ratings: already present"
    if LibraryEntry.objects.filter(user=user).count() < 20:
        return "demo ratings: skipped until the demo library is synced (run seed_demo again)"
    readings = MoodReading.objects.filter(user=user, model_version=DEMO_MARKER).order_by(
        "-created_at"
    )[:RATED_READINGS]
    rated = answered = 0
    for index, reading in enumerate(readings):
        try:
            recommendation = recommendation_create(
                user=user,
                emotion=reading.effective_emotion,
                strategy="lift" if index % 2 else "match",
                reading=reading,
                seed=SEED + index,
            )
        except ApplicationError:
            continue
        for item, stars in zip(recommendation.items.order_by("position"), (5, 4, 2), strict=False):
            rating_upsert(user=user, item=item, stars=stars)
            rated += 1
        felt = FELT_AFTER[recommendation.strategy]
        mood_after_set(user=user, recommendation=recommendation, emotion=felt[(index // 2) % 6])
        answered += 1
    return f"demo ratings: {rated} created; {answered} 'how do you feel now?' answers"


def rate_after_sync(sender: object, *, user: User, **kwargs: object) -> None:
    """`library_synced` receiver: a demo listener (the shared one or a visitor) whose library has
    just arrived gets its rated lists and "how do you feel now?" answers, once, so their dashboard
    shows "songs that helped" and "did the music help?" from the first visit."""
    if user.is_demo and MoodReading.objects.filter(user=user, model_version=DEMO_MARKER).exists():
        logger.info("demo listener %s after sync: %s", user.pk, _rate_some_songs(user))


def readings_seed(*, user: User, now: dt.datetime | None = None) -> int:
    """Give `user` (the demo user or a visitor) the demo month of readings; returns how many."""
    return _create_readings(user, now or timezone.now())


def seed(*, stdout: TextIOBase) -> None:
    """Idempotent: readings are created once; ratings once the demo library has been synced."""
    user, _ = user_ensure_demo()
    if MoodReading.objects.filter(user=user, model_version=DEMO_MARKER).exists():
        stdout.write("demo readings: already present")
    else:
        count = _create_readings(user, timezone.now())
        stdout.write(f"demo readings: {count} created over the last {DAYS} days")
    stdout.write(_rate_some_songs(user))
