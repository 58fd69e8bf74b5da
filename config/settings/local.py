"""Settings for `make run`: DEBUG on, SQLite and the filesystem broker unless told otherwise."""

from .base import *  # noqa: F403
from .base import DEMO_MODE, INSTALLED_APPS, VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# The Spotify stand-in, decided again with this DEBUG: on for `make run` in demo mode.
SPOTIFY_SANDBOX_ENABLED = env.bool("SPOTIFY_SANDBOX_ENABLED", default=DEMO_MODE and DEBUG)
if SPOTIFY_SANDBOX_ENABLED and "spotify_sandbox" not in INSTALLED_APPS:
    INSTALLED_APPS = [*INSTALLED_APPS, "spotify_sandbox"]
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-dev-only-not-a-secret")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

VAR_DIR.mkdir(exist_ok=True)

# Serve static files from the app and static/ folders directly; nothing is collected locally.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
INSTALLED_APPS = ["whitenoise.runserver_nostatic", *INSTALLED_APPS]

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
CELERY_TASK_EAGER_PROPAGATES = True

# The worker of `make run` loads the emotion model when it starts, so the first reading is as fast
# as later ones (emotions.tasks: worker_process_init). EMOTION_MODEL_PRELOAD=false skips it.
EMOTION_MODEL_PRELOAD = env.bool("EMOTION_MODEL_PRELOAD", default=True)
