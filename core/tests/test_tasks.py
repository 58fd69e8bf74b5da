"""Tests for core tasks (run eagerly here; the worker integration test runs them for real)."""

import pytest

from core.models import Heartbeat
from core.tasks import ping


@pytest.mark.django_db
def test_ping_writes_a_heartbeat_for_its_token() -> None:
    result = ping.delay(token="abc123")

    heartbeat = Heartbeat.objects.get(token="abc123")
    assert result.get() == heartbeat.pk


def test_ping_is_routed_to_the_default_queue_and_inference_to_ml() -> None:
    from config.celery_app import app

    router = app.amqp.router
    default = router.route({}, "core.tasks.ping")["queue"]
    ml = router.route({}, "emotions.tasks.process_reading")["queue"]
    assert default.name == "default"
    assert ml.name == "ml"
    # Each queue needs its own binding, or a message "for ml" lands in default too.
    assert (ml.exchange.name, ml.routing_key) != (default.exchange.name, default.routing_key)
    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert {queue.name for queue in app.conf.task_queues} == {"default", "ml"}
