"""Fault: Redis (the Celery broker) goes away while people upload, then comes back.

A throwaway `redis-server` on a free port (never the machine's own on 6379) is started, stopped
and started again under the running Django process: uploads get a clear "try again" (503, JSON
for the API, the capture page for the browser), leave no reading and no file behind, and work
again as soon as Redis is back, with nothing restarted.
"""

from __future__ import annotations

import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from config.celery_app import app as celery_app
from emotions.models import MoodReading
from emotions.tests import images
from scripts.drills import common as drills

pytestmark = [
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
]


class ThrowawayRedis(drills.ThrowawayRedis):
    """The drills' own redis-server (its port, its folder, no persistence), plus a queue probe."""

    def queued(self, queue: str = "ml") -> int:
        return int(redis.Redis(port=self.port).llen(queue))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[ThrowawayRedis]:
    server = ThrowawayRedis(_free_port(), tmp_path)
    server.start()
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url
    # Celery's broker_url prefers the CELERY_BROKER_URL environment variable (.ci/run sets it).
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)
    conf.task_always_eager, conf.broker_url = False, server.url
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    try:
        yield server
    finally:
        server.stop()
        conf.task_always_eager, conf.broker_url = saved
        celery_app.pool.force_close_all()


def _files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("me.jpg", images.astronaut_jpeg(), content_type="image/jpeg")


def test_the_api_says_try_again_while_redis_is_down_and_recovers_by_itself(
    broker: ThrowawayRedis, private_media: Path
) -> None:
    api = APIClient()
    api.force_authenticate(UserFactory())

    before = api.post("/api/v1/readings/", {"image": _photo()}, format="multipart")
    broker.stop()
    started = time.monotonic()
    during = api.post("/api/v1/readings/", {"image": _photo()}, format="multipart")
    refused_in = time.monotonic() - started
    files_during = _files(private_media)
    broker.start()
    after = api.post("/api/v1/readings/", {"image": _photo()}, format="multipart")

    assert before.status_code == 202
    assert during.status_code == 503
    assert during.json() == {
        "message": "We couldn't start the analysis. Please try again in a moment.",
        "extra": {"code": "broker_unavailable"},
    }
    assert refused_in < 10, f"the refusal took {refused_in:.1f} s"
    assert len(files_during) == 1, "the refused upload left a file behind"
    assert after.status_code == 202
    assert MoodReading.objects.count() == 2
    # The restarted Redis is empty (no persistence): the queued message of the reading sent
    # before the outage is lost with it, which is why the sweeper exists; the new one is there.
    assert broker.queued() == 1
    assert len(_files(private_media)) == 2


def test_the_capture_page_says_try_again_while_redis_is_down(
    broker: ThrowawayRedis, private_media: Path
) -> None:
    client = Client()
    client.force_login(UserFactory())
    broker.stop()

    response = client.post("/mood/", {"image": _photo(), "source": "upload"})

    assert response.status_code == 503
    assert b"Please try again in a moment." in response.content
    assert b"Traceback" not in response.content
    assert MoodReading.objects.count() == 0
    assert _files(private_media) == []

    broker.start()
    response = client.post("/mood/", {"image": _photo(), "source": "upload"})

    assert response.status_code == 302
    assert MoodReading.objects.count() == 1


@pytest.fixture
def production_cache(broker: ThrowawayRedis, settings) -> None:
    """The cache as production configures it (Redis, the same server as the broker)."""
    # Changing CACHES rebuilds Django's cache handlers (the setting_changed signal).
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": broker.url.replace("/0", "/1"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.mark.usefixtures("production_cache")
def test_with_the_cache_on_the_same_redis_reads_work_and_uploads_say_try_again(
    broker: ThrowawayRedis, private_media: Path
) -> None:
    """Throttles and the sign-in limiter live in Redis too: an outage must not make them 500."""
    user = UserFactory()
    api = APIClient()
    api.force_authenticate(user)
    created = api.post("/api/v1/readings/", {"image": _photo()}, format="multipart")
    broker.stop()

    read = api.get(f"/api/v1/readings/{created.json()['id']}/")
    upload = api.post("/api/v1/readings/", {"image": _photo()}, format="multipart")
    sign_in = Client().post("/accounts/login/", {"username": user.username, "password": "x"})
    broker.start()
    after = api.post("/api/v1/readings/", {"image": _photo()}, format="multipart")

    assert created.status_code == 202
    assert read.status_code == 200
    assert upload.status_code == 503
    assert upload.json()["extra"] == {"code": "broker_unavailable"}
    assert sign_in.status_code == 200  # the form again, with its error; not a 500
    assert after.status_code == 202
