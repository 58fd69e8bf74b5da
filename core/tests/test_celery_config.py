"""Celery is configured once, from settings: queues, routes, and the production workers' split."""

from pathlib import Path

import yaml

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
