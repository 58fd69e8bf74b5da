"""Settings for pytest: fast and deterministic; PostgreSQL when DATABASE_URL is set."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-only-not-a-secret")
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Tasks run inline unless a test opts out (the worker integration test sends to a real broker).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True

# No collected static files in tests: WhiteNoise serves straight from the finders.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True

STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests never reach a real Spotify host: the stand-in's URLs unless a test points them elsewhere.
SPOTIFY_ACCOUNTS_BASE_URL = "http://127.0.0.1:8000/spotify-sandbox"
SPOTIFY_API_BASE_URL = "http://127.0.0.1:8000/spotify-sandbox/v1/"
SPOTIFY_SANDBOX_ENABLED = True
if "spotify_sandbox" not in INSTALLED_APPS:
    INSTALLED_APPS = [*INSTALLED_APPS, "spotify_sandbox"]

# Likewise for Last.fm: the stand-in is mounted, and no test asks Last.fm (or anything) for tags
# unless it points the client at the stand-in (the `lastfm` fixture sets the key and the URL).
LASTFM_SANDBOX_ENABLED = True
if "lastfm_sandbox" not in INSTALLED_APPS:
    INSTALLED_APPS = [*INSTALLED_APPS, "lastfm_sandbox"]
LASTFM_API_KEY = ""
LASTFM_API_URL = "http://127.0.0.1:8000/lastfm-sandbox/2.0/"
