"""Settings for the workers the emotions integration tests start: quick redelivery, a pause."""

from config.settings.test import *  # noqa: F403
from config.settings.test import env

CELERY_TASK_ALWAYS_EAGER = False
# A killed worker's message comes back after this many seconds instead of an hour.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("READING_TEST_VISIBILITY_TIMEOUT", default=5),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
# Opening a frame takes this long, which holds reading_process after it marks the reading
# `processing`, so a test can kill the worker mid-task (no test-only branch in the product).
STORAGES = {
    **STORAGES,  # noqa: F405
    "private": {
        "BACKEND": "emotions.tests.slow_storage.SlowOpenStorage",
        "OPTIONS": {
            **STORAGES["private"].get("OPTIONS", {}),  # noqa: F405
            "open_delay": env.float("READING_TEST_PROCESS_DELAY_SECONDS", default=0),
        },
    },
}
