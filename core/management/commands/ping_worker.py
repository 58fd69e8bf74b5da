"""Send a ping task through the broker and wait for a worker to write its Heartbeat."""

import time
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.models import Heartbeat
from core.tasks import ping


class Command(BaseCommand):
    help = "Check end to end that a Celery worker consumes tasks and writes to the database."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--timeout", type=float, default=30.0, help="Seconds to wait.")

    def handle(self, *args: Any, **options: Any) -> None:
        token = uuid.uuid4().hex
        ping.apply_async(kwargs={"token": token})
        deadline = time.monotonic() + options["timeout"]
        while time.monotonic() < deadline:
            heartbeat = Heartbeat.objects.filter(token=token).first()
            if heartbeat:
                self.stdout.write(f"pong from {heartbeat.worker or 'a worker'} (token {token})")
                return
            time.sleep(0.25)
        raise CommandError(f"No worker answered within {options['timeout']:.0f}s.")
