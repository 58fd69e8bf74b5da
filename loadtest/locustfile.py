"""One simulated listener: upload a 640x480 face photo, poll until it is read, get songs, rate one.

Run by `python -m loadtest` (see docs/RELIABILITY.md). Inputs from the environment:
LOADTEST_ACCOUNTS (JSON file of {username, token}), LOADTEST_FRAME (the JPEG to upload),
LOADTEST_POLL_SECONDS (default 0.2), LOADTEST_READING_TIMEOUT (default 60).

Besides the HTTP requests, two flows are reported as their own rows (request type FLOW):
`upload→done` (from sending the photo until the API says `done`) and `listener round` (the whole
upload, poll, recommend, rate sequence).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task

ACCOUNTS = json.loads(Path(os.environ["LOADTEST_ACCOUNTS"]).read_text())
FRAME = Path(os.environ["LOADTEST_FRAME"]).read_bytes()
POLL_SECONDS = float(os.environ.get("LOADTEST_POLL_SECONDS", "0.2"))
READING_TIMEOUT = float(os.environ.get("LOADTEST_READING_TIMEOUT", "60"))
FINAL = {"done", "no_face", "failed"}
_accounts = itertools.cycle(ACCOUNTS)


def _flow(name: str, started: float, error: str | None = None) -> None:
    events.request.fire(
        request_type="FLOW",
        name=name,
        response_time=(time.perf_counter() - started) * 1000,
        response_length=0,
        exception=RuntimeError(error) if error else None,
        context={},
    )


class Listener(HttpUser):
    """A signed-in API client (token auth) behind a TLS-terminating proxy."""

    wait_time = between(1, 3)

    def on_start(self) -> None:
        account = next(_accounts)
        self.client.headers.update(
            {"Authorization": f"Token {account['token']}", "X-Forwarded-Proto": "https"}
        )

    def _upload(self) -> int | None:
        with self.client.post(
            "/api/v1/readings/",
            files={"image": ("face.jpg", FRAME, "image/jpeg")},
            data={"source": "webcam"},
            name="POST /api/v1/readings/",
            catch_response=True,
        ) as response:
            if response.status_code != 202:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return None
            return int(response.json()["id"])

    def _wait_until_final(self, reading_id: int, started: float) -> str | None:
        while time.perf_counter() - started < READING_TIMEOUT:
            gevent.sleep(POLL_SECONDS)
            with self.client.get(
                f"/api/v1/readings/{reading_id}/",
                name="GET /api/v1/readings/[id]/",
                catch_response=True,
            ) as response:
                if response.status_code != 200:
                    response.failure(f"{response.status_code}: {response.text[:200]}")
                    continue
                status = response.json()["status"]
            if status in FINAL:
                return status
        return None

    @task
    def read_mood_and_rate(self) -> None:
        started = time.perf_counter()
        reading_id = self._upload()
        if reading_id is None:
            _flow("listener round", started, "upload refused")
            return
        status = self._wait_until_final(reading_id, started)
        if status != "done":
            error = f"reading {reading_id} ended {status}" if status else "reading timed out"
            _flow("upload→done", started, error)
            _flow("listener round", started, error)
            return
        _flow("upload→done", started)

        with self.client.post(
            "/api/v1/recommendations/",
            json={"reading": reading_id},
            name="POST /api/v1/recommendations/",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                _flow("listener round", started, "no recommendation")
                return
            items = response.json()["items"]
        if not items:
            _flow("listener round", started, "empty recommendation")
            return
        with self.client.post(
            "/api/v1/ratings/",
            json={"item": random.choice(items)["id"], "stars": random.randint(1, 5)},  # noqa: S311
            name="POST /api/v1/ratings/",
            catch_response=True,
        ) as response:
            if response.status_code not in (200, 201):
                response.failure(f"{response.status_code}: {response.text[:200]}")
                _flow("listener round", started, "rating refused")
                return
        _flow("listener round", started)
