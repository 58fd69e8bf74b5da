"""Celery is configured once, from settings: queues, routes, and the production workers' split."""

from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from celery.beat import SchedulingError
from django.conf import settings
from kombu.utils.imports import symbol_by_name

from config.celery_app import app

COMPOSE = Path(__file__).resolve().parents[2] / "docker" / "compose.yml"


def _queue(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_only_inference_goes_to_the_ml_queue() -> None:
    assert _queue("emotions.tasks.process_reading") == "ml"
    assert _queue("emotions.tasks.sweep_stuck_readings") == "default"
    assert _queue("library.tasks.library_sync") == "default"


def test_every_task_limit_is_consistent() -> None:
    """A soft limit above the hard one makes beat refuse the task (SchedulingError)."""
    app.loader.import_default_modules()
    default_soft = app.conf.task_soft_time_limit
    for name, task in app.tasks.items():
        if name.startswith("celery."):
            continue
        hard = task.time_limit or app.conf.task_time_limit
        soft = task.soft_time_limit or default_soft
        assert soft <= hard, name


def test_compose_runs_an_inference_worker_and_a_default_worker() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert services["worker-ml"]["environment"]["CELERY_QUEUES"] == "ml"
    assert services["worker"]["environment"]["CELERY_QUEUES"] == "default"
    assert "beat" in services


# -- Beat: every schedule entry, applied the way beat applies it ---------------------------------


def _apply_every_entry_like_beat(schedule: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """Load `schedule` into the configured scheduler and apply each entry as beat does.

    Returns the problems (a missing task, a SchedulingError such as a soft limit above the hard
    one, limits that disagree in the message) and the message headers sent for each entry.
    """
    app.loader.import_default_modules()
    scheduler_cls = symbol_by_name(app.conf.beat_scheduler)
    sent: dict[str, Any] = {}
    problems: list[str] = []
    real_send = app.amqp.send_task_message

    def record(producer: Any, name: str, message: Any, **options: Any) -> Any:
        sent[name] = message.headers
        return real_send(producer, name, message, **options)

    saved = app.conf.beat_schedule, app.conf.task_always_eager
    app.conf.beat_schedule, app.conf.task_always_eager = schedule, False
    try:
        scheduler = scheduler_cls(app=app)
        with (
            app.connection_for_write("memory://") as connection,
            connection.Producer() as producer,
            mock.patch.object(app.amqp, "send_task_message", record),
        ):
            for entry_name in schedule:
                entry = scheduler.schedule[entry_name]
                if app.tasks.get(entry.task) is None:
                    # Beat would send it by name anyway, and no worker would know it.
                    problems.append(f"{entry_name}: no task named {entry.task}")
                    continue
                try:
                    scheduler.apply_async(entry, producer=producer, advance=False)
                except SchedulingError as exc:
                    problems.append(str(exc))
                    continue
                task = app.tasks[entry.task]
                hard, soft = sent[entry.task]["timelimit"]
                # What the worker applies: the message's limits, else the task's, else the default.
                hard = hard or task.time_limit or app.conf.task_time_limit
                soft = soft or task.soft_time_limit or app.conf.task_soft_time_limit
                if hard and soft and soft > hard:
                    problems.append(f"{entry_name}: soft limit {soft} s > hard limit {hard} s")
    finally:
        app.conf.beat_schedule, app.conf.task_always_eager = saved
    return problems, sent


# transaction=True: the database scheduler closes connections, as beat does between syncs.
@pytest.mark.django_db(transaction=True)
def test_beat_applies_every_scheduled_entry_with_consistent_limits() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule, "CELERY_BEAT_SCHEDULE is empty"

    problems, sent = _apply_every_entry_like_beat(schedule)

    assert problems == []
    for entry in schedule.values():
        headers = sent[entry["task"]]
        assert headers["task"] == entry["task"]
        hard, soft = headers["timelimit"]
        assert hard is not None, f"{entry['task']} is sent without a hard time limit"
        assert soft is not None, f"{entry['task']} is sent without a soft time limit"


@pytest.mark.django_db(transaction=True)
def test_the_beat_check_catches_a_missing_task_and_a_soft_limit_above_the_hard_one() -> None:
    @app.task(name="core.tests.too_soft", time_limit=120)  # inherits the global soft limit, 240
    def too_soft() -> None:  # pragma: no cover - never runs
        pass

    try:
        problems, _ = _apply_every_entry_like_beat(
            {
                "too-soft": {"task": "core.tests.too_soft", "schedule": 60},
                "gone": {"task": "core.tests.no_such_task", "schedule": 60},
            }
        )
    finally:
        app.tasks.unregister("core.tests.too_soft")

    assert len(problems) == 2
    assert "Couldn't apply scheduled task too-soft" in problems[0]
    assert "soft_time_limit must be less than or equal to time_limit" in problems[0]
    assert problems[1] == "gone: no task named core.tests.no_such_task"
