"""Production settings: secrets from the environment, DEBUG refused, Redis cache, hardened HTTP."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, REDIS_URL, env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")
SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set the DJANGO_SECRET_KEY environment variable.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

if CELERY_BROKER_URL.startswith("filesystem://"):
    raise ImproperlyConfigured("Set CELERY_BROKER_URL or REDIS_URL: production needs a broker.")

if REDIS_URL:
    # Redis down must not turn every throttled request into a 500: the cache degrades to misses
    # (see core/cache.py), and short socket timeouts keep a hung Redis from stalling requests.
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

EMOTION_MODEL_REQUIRED = env.bool("EMOTION_MODEL_REQUIRED", default=True)
EMOTION_MODEL_PRELOAD = env.bool("EMOTION_MODEL_PRELOAD", default=True)

# The Spotify stand-in is never part of production unless explicitly enabled.
SPOTIFY_SANDBOX_ENABLED = env.bool("SPOTIFY_SANDBOX_ENABLED", default=False)
if not SPOTIFY_SANDBOX_ENABLED:
    INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "spotify_sandbox"]  # noqa: F405
# Nor the Last.fm stand-in: without it, tags come from Last.fm with LASTFM_API_KEY (empty: none).
LASTFM_SANDBOX_ENABLED = env.bool("LASTFM_SANDBOX_ENABLED", default=False)
if not LASTFM_SANDBOX_ENABLED:
    INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "lastfm_sandbox"]
    LASTFM_API_KEY = env("LASTFM_API_KEY", default="")
    LASTFM_API_URL = env("LASTFM_API_URL", default="https://ws.audioscrobbler.com/2.0/")
