"""Core tasks: `ping` proves a worker is consuming and can write to the database."""

from celery import shared_task

from core.services import heartbeat_create


@shared_task(bind=True, name="core.tasks.ping", time_limit=30, soft_time_limit=20)
def ping(self, token: str) -> int:
    """Write a Heartbeat for `token`; returns its id."""
    return heartbeat_create(token=token, worker=self.request.hostname or "").pk
