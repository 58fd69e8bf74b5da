"""The Celery app: Django settings (CELERY_ namespace), two queues, autodiscovered tasks."""

import os

from celery import Celery
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("moodtrack")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_default_queue="default",
    task_default_exchange="default",
    task_default_routing_key="default",
    task_queues=(
        Queue("default", Exchange("default"), routing_key="default"),
        Queue("ml", Exchange("ml"), routing_key="ml"),
    ),
    # Inference is slow and memory-hungry: it gets its own queue so it can be scaled apart.
    task_routes={"emotions.tasks.*": {"queue": "ml"}},
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    accept_content=["json"],
    task_serializer="json",
    result_serializer="json",
)
app.autodiscover_tasks()
