"""Server time and query count of the mood dashboard for a listener with 10,000 readings."""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

READINGS = 10_000
DAYS = 365
WARMUP = 5
REQUESTS = 40
TARGET_MS = 300
PAGES = (
    ("/dashboard/?range=30", "dashboard, last 30 days (default)"),
    ("/dashboard/?range=all", "dashboard, all time"),
    ("/dashboard/?range=7", "dashboard, last 7 days"),
    ("/api/v1/history/summary/", "summary API, all time"),
)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()


def _seed(user: Any) -> None:
    """READINGS readings over DAYS days at waking hours, and a few rated songs."""
    from django.utils import timezone

    from emotions.models import MoodReading
    from feedback.models import Rating
    from library.models import Track
    from ml.labels import EMOTIONS
    from recommendations.models import Recommendation, RecommendationItem

    rng = random.Random(7)  # noqa: S311 - benchmark data
    now = timezone.now()
    moments = [
        now
        - dt.timedelta(days=rng.randrange(DAYS), hours=rng.randrange(16), minutes=rng.randrange(60))
        for _ in range(READINGS)
    ]
    readings = MoodReading.objects.bulk_create(
        [
            MoodReading(
                user=user,
                source="upload",
                status="done",
                emotion=rng.choice(EMOTIONS),
                confidence=round(rng.uniform(0.4, 0.95), 3),
                model_version="bench",
            )
            for _ in moments
        ],
        batch_size=1000,
    )
    for reading, moment in zip(readings, moments, strict=True):
        reading.created_at = moment
    MoodReading.objects.bulk_update(readings, ["created_at"], batch_size=500)
    songs = [
        Track.objects.create(spotify_id=f"bench{i:017d}", name=f"Bench song {i}", artist_names="B")
        for i in range(30)
    ]
    for index, reading in enumerate(readings[:60]):
        recommendation = Recommendation.objects.create(
            user=user, reading=reading, emotion=reading.emotion, strategy="match"
        )
        item = RecommendationItem.objects.create(
            recommendation=recommendation,
            track=songs[index % len(songs)],
            position=1,
            score=1.0,
            reason="bench",
        )
        Rating.objects.create(
            user=user,
            track=item.track,
            item=item,
            emotion=reading.emotion,
            strategy="match",
            stars=rng.choice((2, 3, 4, 5, 5)),
        )


def _measure(client: Any, url: str) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    timings, cpu, queries = [], [], set()
    for _ in range(REQUESTS):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        queries.add(len(captured))
    return {
        "median": statistics.median(timings),
        "p95": statistics.quantiles(timings, n=20)[-1],
        "cpu": statistics.median(cpu),
        "max": max(timings),
        "queries": sorted(queries),
        "kib": len(response.content) / 1024,
    }


def run() -> dict[str, Any]:
    _setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment

    from accounts.tests.factories import UserFactory

    # A throwaway database (a temporary SQLite file, or test_<name> on PostgreSQL) so the
    # benchmark never touches the development data.
    folder = tempfile.mkdtemp(prefix="bench-dashboard-")
    if connection.vendor == "sqlite":
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(
            Path(folder) / "bench.sqlite3"
        )
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        user = UserFactory(username="bench-listener")
        started = time.perf_counter()
        _seed(user)
        seeded = time.perf_counter() - started
        client = Client(headers={"host": "127.0.0.1"})
        client.force_login(user)
        results = [(label, url, _measure(client, url)) for url, label in PAGES]
        vendor = connection.vendor
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    rows = "\n".join(
        f"| {label} | {r['median']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | {r['cpu']:.1f} | "
        f"{', '.join(map(str, r['queries']))} | {r['kib']:.0f} |"
        for label, _, r in results
    )
    worst = max(r["p95"] for _, _, r in results)
    cpu_scope = (
        "SQLite runs in-process, so this is all of the server's work"
        if vendor == "sqlite"
        else "the database server's own work is not included"
    )
    worst_median = max(r["median"] for _, _, r in results)
    worst_cpu = max(r["cpu"] for _, _, r in results)

    def verdict(ms: float) -> str:
        return "meets" if ms <= TARGET_MS else "misses"

    markdown = f"""
One listener with {READINGS:,} readings spread over {DAYS} days (plus 60 rated songs), on a
throwaway `{vendor}` database (settings `{os.environ["DJANGO_SETTINGS_MODULE"]}`). Each page was
requested {WARMUP} times to warm up, then {REQUESTS} times, in-process through Django's test
client with a signed-in session: the time is the server's (middleware, queries, aggregation in
Python, template rendering), without network. Seeding took {seeded:.1f} s. The timeline draws
at most the latest 3,000 readings of a range; the tables count every one.

| page | median ms | p95 ms | max ms | median CPU ms | queries per request | response KiB |
| --- | --- | --- | --- | --- | --- | --- |
{rows}

Target: ≤ {TARGET_MS} ms server time. Worst median {worst_median:.0f} ms
(**{verdict(worst_median)}** it), worst p95 {worst:.0f} ms (**{verdict(worst)}** it), worst median
CPU time {worst_cpu:.0f} ms.
"CPU ms" is this process's CPU time per request ({cpu_scope}): unlike wall time it does not grow
when other work shares the machine (see the load average at the top).
The number of queries is the same for 10 readings as for 10,000
(`insights/tests/test_dashboard_views.py` asserts the bound).
"""
    return {"title": "Mood dashboard with 10,000 readings", "markdown": markdown}
