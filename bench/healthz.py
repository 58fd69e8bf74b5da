"""Latency of GET /healthz through Django's test client, with the configured services."""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

WARMUP = 20
REQUESTS = 200
RUNS = 5


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()


def run() -> dict[str, Any]:
    _setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    client = Client(headers={"host": "127.0.0.1"})
    for _ in range(WARMUP):
        warmup = client.get("/healthz")
    if warmup.status_code != 200:
        raise RuntimeError(f"/healthz is unhealthy, not benchmarking it: {warmup.content!r}")

    run_medians, every = [], []
    statuses: set[int] = set()
    for _ in range(RUNS):
        timings = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            response = client.get("/healthz")
            timings.append((time.perf_counter() - started) * 1000)
            statuses.add(response.status_code)
        run_medians.append(statistics.median(timings))
        every.extend(timings)

    p95 = statistics.quantiles(every, n=20)[-1]
    broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
    markdown = f"""
{RUNS} runs of {REQUESTS} requests after {WARMUP} warm-up requests, one client, in-process
(Django test client, no network). Settings `{os.environ["DJANGO_SETTINGS_MODULE"]}`, database
`{connection.vendor}`, broker `{broker}`. Each request checks the database (`SELECT 1`), connects
to the broker and stats the model file. HTTP status codes seen: {sorted(statuses)}.

| statistic | ms |
| --- | --- |
| median of run medians | {statistics.median(run_medians):.3f} |
| fastest run median | {min(run_medians):.3f} |
| slowest run median | {max(run_medians):.3f} |
| p95 over all requests | {p95:.3f} |
"""
    return {"title": "GET /healthz latency", "markdown": markdown}
