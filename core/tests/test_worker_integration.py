"""A real Celery worker, on Redis and the PostgreSQL test database, processes the ping task."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from django_celery_results.models import TaskResult
from kombu import Exchange, Queue

from config.celery_app import app
from core.models import Heartbeat
from core.tasks import ping

pytestmark = [pytest.mark.integration, pytest.mark.slow]

START_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    queue: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _test_database_url() -> str:
    """DATABASE_URL with its database swapped for the one pytest-django created for this run."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def spawn_worker(queue: str, log: Path, **env: str) -> subprocess.Popen[bytes]:
    """`celery worker -Q <queue>` (prefork, one child) on the test database and REDIS_URL, with
    the test settings plus `env`, writing its output to `log`."""
    with log.open("wb") as sink:
        return subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "config.celery_app", "worker",
                "-Q", queue, "-n", f"{queue}@%h", "--pool=prefork", "--concurrency=1",
                "--without-gossip", "--without-mingle", "--loglevel=info",
            ],
            cwd=settings.BASE_DIR,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings.test",
                "DATABASE_URL": _test_database_url(),
                "CELERY_BROKER_URL": os.environ["REDIS_URL"],
                **env,
            },
            stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (warm shutdown), then SIGKILL if it takes longer than STOP_TIMEOUT."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(predicate, timeout: float, worker: Worker, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if worker.process.poll() is not None:
            pytest.fail(f"worker exited ({worker.process.returncode}):\n{worker.output()}")
        time.sleep(0.2)
    pytest.fail(f"no {what} within {timeout:.0f}s; worker output:\n{worker.output()}")


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Worker]:
    """A `celery worker` subprocess on a queue of its own, pointed at the test database."""
    assert connection.vendor == "postgresql", "the worker must share a real database with the test"
    queue = f"itest-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    process = spawn_worker(queue, log)
    running = Worker(process, queue, log)
    try:
        yield running
    finally:
        stop_worker(process)
        # Declaring the queue as Celery did lets the delete remove its binding keys too.
        with app.connection_for_write(os.environ["REDIS_URL"]) as conn:
            declared = Queue(queue, Exchange(queue), routing_key=queue).bind(conn.default_channel)
            declared.declare()
            declared.delete()


@pytest.fixture
def tasks_go_to_the_broker() -> Iterator[None]:
    """The test settings run tasks inline; this test must send them through Redis."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = eager


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tasks_go_to_the_broker")
def test_a_real_worker_writes_the_heartbeat(worker: Worker) -> None:
    token = uuid.uuid4().hex

    with app.connection_for_write(os.environ["REDIS_URL"]) as conn:
        result = ping.apply_async(kwargs={"token": token}, queue=worker.queue, connection=conn)

    _wait_for(
        lambda: Heartbeat.objects.filter(token=token).exists(), START_TIMEOUT, worker, "heartbeat"
    )
    heartbeat = Heartbeat.objects.get(token=token)
    assert heartbeat.worker.startswith(worker.queue + "@")

    _wait_for(
        lambda: TaskResult.objects.filter(task_id=result.id, status="SUCCESS").exists(),
        10,
        worker,
        "stored task result",
    )
    assert TaskResult.objects.get(task_id=result.id).result == str(heartbeat.pk)

    worker.process.send_signal(signal.SIGTERM)
    assert worker.process.wait(timeout=STOP_TIMEOUT) == 0, worker.output()
    assert "Warm shutdown" in worker.output()
