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
# Holds reading_process after it marks the reading `processing`, so a test can kill the worker.
READING_TEST_PROCESS_DELAY_SECONDS = env.float("READING_TEST_PROCESS_DELAY_SECONDS", default=0)
