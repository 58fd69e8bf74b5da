"""Production settings: secrets from the environment, DEBUG refused, Redis cache, hardened HTTP."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, REDIS_URL, SOCIAL_AUTH_SPOTIFY_KEY, env

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

# Demo mode lets anyone in ("Try the demo") and, without a Spotify app, points sign-in at the
# local stand-in: never implied by a missing key here, only by an explicit DEMO_MODE=true.
if not SOCIAL_AUTH_SPOTIFY_KEY and not env.bool("DEMO_MODE", default=False):
    raise ImproperlyConfigured(
        "SOCIAL_AUTH_SPOTIFY_KEY is not set, which would run production in demo mode (anyone can "
        'sign in with "Try the demo"; Spotify sign-in goes to the local stand-in). Set '
        "SOCIAL_AUTH_SPOTIFY_KEY and SOCIAL_AUTH_SPOTIFY_SECRET to your Spotify app's, or set "
        "DEMO_MODE=true to run a public demo on purpose."
    )

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
# `preload` asks browsers to hard-code HTTPS for the domain (hstspreload.org): it needs a max-age
# of at least a year and includeSubDomains. Default: on exactly when both hold; asked for
# without them, start-up fails rather than send a header the preload list rejects.
HSTS_PRELOAD_MIN_SECONDS = 365 * 24 * 60 * 60
_HSTS_PRELOADABLE = (
    SECURE_HSTS_SECONDS >= HSTS_PRELOAD_MIN_SECONDS and SECURE_HSTS_INCLUDE_SUBDOMAINS
)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=_HSTS_PRELOADABLE)
if SECURE_HSTS_PRELOAD and not _HSTS_PRELOADABLE:
    raise ImproperlyConfigured(
        f"DJANGO_SECURE_HSTS_PRELOAD=true needs DJANGO_SECURE_HSTS_SECONDS of at least "
        f"{HSTS_PRELOAD_MIN_SECONDS} (one year; it is {SECURE_HSTS_SECONDS}) and "
        "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS=true. Raise the max-age once HTTPS is confirmed, "
        "or leave DJANGO_SECURE_HSTS_PRELOAD unset."
    )
if not SECURE_HSTS_PRELOAD:
    # Django's "preload is off" (security.W021): off on purpose until the max-age reaches a year.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

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
