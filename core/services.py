"""Writes for core: heartbeats."""

from core.models import Heartbeat


def heartbeat_create(*, token: str, worker: str = "") -> Heartbeat:
    """Record that `worker` processed the ping identified by `token`."""
    return Heartbeat.objects.create(token=token, worker=worker)
