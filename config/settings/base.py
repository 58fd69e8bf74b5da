"""Settings shared by every environment; each value comes from the environment via one Env."""

from pathlib import Path
from typing import Any

import environ
from kombu import Exchange, Queue

from .api import api_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False) and (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
TIME_ZONE = env("DJANGO_TIME_ZONE", default="UTC")
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
SITE_NAME = "Moodtrack"

# DATABASES
# ------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker write concurrently: WAL and immediate transactions avoid
    # "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# APPS
# ------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    # Not rest_framework.authtoken: its keys sit in the database in plain text. Personal API
    # tokens are accounts.ApiToken (hashed); accounts migration 0004 hashed the old keys.
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_results",
    "django_celery_beat",
    "social_django",
]
# Bottom to top: each app imports only the ones above it in this list (docs/ARCHITECTURE.md;
# import-linter checks it in `make test`).
LOCAL_APPS = [
    "core",
    "accounts",
    "spotify",
    "library",
    "emotions",
    "recommendations",
    "feedback",
    "insights",
    "demo",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# AUTHENTICATION
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "landing"
LOGOUT_REDIRECT_URL = "landing"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# SPOTIFY / DEMO MODE
# ------------------------------------------------------------------------------
SOCIAL_AUTH_SPOTIFY_KEY = env("SOCIAL_AUTH_SPOTIFY_KEY", default="")
SOCIAL_AUTH_SPOTIFY_SECRET = env("SOCIAL_AUTH_SPOTIFY_SECRET", default="")
# Fernet keys for Spotify tokens at rest (accounts/token_crypto.py), newest first; comma-separated.
# Empty: one key derived from SECRET_KEY. Generate one with
#   python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
SOCIAL_AUTH_TOKEN_KEYS = env.list("SOCIAL_AUTH_TOKEN_KEYS", default=[])
# Demo mode (the "Try the demo" sign-in): by default on exactly when no Spotify app is configured.
# Production refuses to start in demo mode unless DEMO_MODE=true is set explicitly.
DEMO_MODE = env.bool("DEMO_MODE", default=not SOCIAL_AUTH_SPOTIFY_KEY)
DEMO_USERNAME = "demo"
# "Try the demo" creates a listener per visitor; the beat task deletes those older than this.
DEMO_VISITOR_MAX_AGE_HOURS = env.int("DEMO_VISITOR_MAX_AGE_HOURS", default=24)
# Demo visitors one address may create (the rest get the 429 page until the window passes).
DEMO_VISITOR_RATE = env("DEMO_VISITOR_RATE", default="20/hour")
# The local Spotify stand-in (spotify_sandbox, /spotify-sandbox/): by default only in demo mode
# under DEBUG (local.py decides again with its own DEBUG default); anywhere else only with an
# explicit SPOTIFY_SANDBOX_ENABLED=true. A missing Spotify key never turns it on by itself.
SPOTIFY_SANDBOX_ENABLED = env.bool("SPOTIFY_SANDBOX_ENABLED", default=DEMO_MODE and DEBUG)
if SPOTIFY_SANDBOX_ENABLED:
    INSTALLED_APPS = [*INSTALLED_APPS, "spotify_sandbox"]
_SANDBOX_URL = "http://127.0.0.1:8000/spotify-sandbox"
SPOTIFY_ACCOUNTS_BASE_URL = env(
    "SPOTIFY_ACCOUNTS_BASE_URL",
    default=_SANDBOX_URL if DEMO_MODE else "https://accounts.spotify.com",
)
SPOTIFY_API_BASE_URL = env(
    "SPOTIFY_API_BASE_URL",
    default=f"{_SANDBOX_URL}/v1/" if DEMO_MODE else "https://api.spotify.com/v1/",
)
# With the stand-in as Spotify, only its real songs (real Spotify ids) can play or open in Spotify:
# recommendations.playback asks this function of a track id whether it is one (truthy: yes).
SPOTIFY_STAND_IN_REAL_TRACK = "spotify_sandbox.real_songs.index_of"
# The app the stand-in knows (used when SOCIAL_AUTH_SPOTIFY_KEY is empty) and its redirect URIs.
SPOTIFY_SANDBOX_CLIENT_ID = env("SPOTIFY_SANDBOX_CLIENT_ID", default="moodtrack-sandbox-client")
SPOTIFY_SANDBOX_CLIENT_SECRET = env("SPOTIFY_SANDBOX_CLIENT_SECRET", default="sandbox-secret")
SPOTIFY_SANDBOX_REDIRECT_URIS = env.list(
    "SPOTIFY_SANDBOX_REDIRECT_URIS", default=["http://127.0.0.1:8000/complete/spotify/"]
)
# The stand-in as an operator meets Spotify (docs/SPOTIFY.md): a Development Mode app admits this
# many listeners (the first to sign in; the 6th gets Spotify's 403 "User not registered in the
# Developer Dashboard", as plain text when FORBIDDEN_AS_TEXT), and refreshing may rotate the
# refresh token. The stand-in's control API (/spotify-sandbox/_control/app) changes them live.
SPOTIFY_SANDBOX_USER_LIMIT = env.int("SPOTIFY_SANDBOX_USER_LIMIT", default=5)
SPOTIFY_SANDBOX_ROTATE_REFRESH_TOKENS = env.bool(
    "SPOTIFY_SANDBOX_ROTATE_REFRESH_TOKENS", default=False
)
SPOTIFY_SANDBOX_FORBIDDEN_AS_TEXT = env.bool("SPOTIFY_SANDBOX_FORBIDDEN_AS_TEXT", default=False)
# Shown to staff on the "not on this app's allow-list" page (the operator's checklist).
SPOTIFY_OPERATOR_DOCS_URL = env(
    "SPOTIFY_OPERATOR_DOCS_URL",
    default="https://developer.spotify.com/documentation/web-api/concepts/quota-modes",
)
SPOTIFY_REQUEST_TIMEOUT = env.float("SPOTIFY_REQUEST_TIMEOUT", default=10.0)
# Library sync: most liked songs read per sync, longest Retry-After honoured, resync interval.
SPOTIFY_SYNC_MAX_TRACKS = env.int("SPOTIFY_SYNC_MAX_TRACKS", default=10_000)
SPOTIFY_RETRY_AFTER_MAX_SECONDS = env.int("SPOTIFY_RETRY_AFTER_MAX_SECONDS", default=3600)
SPOTIFY_SYNC_INTERVAL_HOURS = env.int("SPOTIFY_SYNC_INTERVAL_HOURS", default=24)

# LAST.FM (track and artist tags, library/lastfm.py)
# ------------------------------------------------------------------------------
# The local Last.fm stand-in (lastfm_sandbox, /lastfm-sandbox/2.0/): on by default in demo mode.
LASTFM_SANDBOX_ENABLED = env.bool("LASTFM_SANDBOX_ENABLED", default=DEMO_MODE)
if LASTFM_SANDBOX_ENABLED:
    INSTALLED_APPS = [*INSTALLED_APPS, "lastfm_sandbox"]
# The API keys the stand-in accepts, and the requests per second it allows each key (error 29).
LASTFM_SANDBOX_API_KEYS = env.list(
    "LASTFM_SANDBOX_API_KEYS", default=["moodtrack-lastfm-sandbox-key"]
)
LASTFM_SANDBOX_MAX_RPS = env.int("LASTFM_SANDBOX_MAX_RPS", default=50)
# Empty key: no Last.fm tags (the source is off). In demo mode with the stand-in on, the stand-in's
# key and URL are the defaults, so the demo gets tags without an account.
_LASTFM_DEMO = DEMO_MODE and LASTFM_SANDBOX_ENABLED
LASTFM_API_KEY = env("LASTFM_API_KEY", default=LASTFM_SANDBOX_API_KEYS[0] if _LASTFM_DEMO else "")
LASTFM_API_URL = env(
    "LASTFM_API_URL",
    default="http://127.0.0.1:8000/lastfm-sandbox/2.0/"
    if _LASTFM_DEMO and not env("LASTFM_API_KEY", default="")
    else "https://ws.audioscrobbler.com/2.0/",
)
# Requests per second sent to Last.fm per process (their terms: at most 5 per second). Our own
# stand-in allows LASTFM_SANDBOX_MAX_RPS, so a demo library gets its tags in seconds, not minutes.
LASTFM_MAX_RPS = env.float(
    "LASTFM_MAX_RPS",
    default=0.8 * LASTFM_SANDBOX_MAX_RPS if "/lastfm-sandbox/" in LASTFM_API_URL else 5.0,
)
# Tags (per track and per artist) older than this many days are looked up again after a sync.
LASTFM_TAGS_MAX_AGE_DAYS = env.int("LASTFM_TAGS_MAX_AGE_DAYS", default=30)
# The real songs with Last.fm tags and audio features (../shared/data/music_moods, never copied
# into the repository): served by both stand-ins; absent, they simply have no real songs.
MUSIC_MOODS_CSV = Path(
    env("MUSIC_MOODS_CSV", default=str(BASE_DIR.parent / "shared/data/music_moods/tracks.csv"))
)

AUTHENTICATION_BACKENDS = [
    "spotify.backend.SpotifyOAuth2",
    "django.contrib.auth.backends.ModelBackend",
]
SOCIAL_AUTH_URL_NAMESPACE = "social"
SOCIAL_AUTH_SPOTIFY_SCOPE = [
    "user-library-read",
    "user-top-read",
    "user-read-recently-played",
    "playlist-read-private",
    # Without it Spotify leaves collaborative playlists the listener does not own out of
    # /me/playlists; listeners whose grant lacks it are asked once to agree again.
    "playlist-read-collaborative",
    "playlist-modify-private",
]
# Without expires_in social-auth never refreshes; refresh_token is kept by the backend itself.
# The uid is Spotify's immutable `account_id`; `id` (which can change) is kept for display and
# for telling the listener's own playlists apart.
SOCIAL_AUTH_SPOTIFY_EXTRA_DATA = [
    ("expires_in", "expires_in"),
    ("scope", "scope"),
    ("display_name", "display_name"),
    ("id", "id"),
    ("account_id", "account_id"),
]
SOCIAL_AUTH_PIPELINE = [
    "social_core.pipeline.social_auth.social_details",
    "social_core.pipeline.social_auth.social_names",
    "social_core.pipeline.social_auth.social_uid",
    "social_core.pipeline.social_auth.auth_allowed",
    "social_core.pipeline.social_auth.social_user",
    # Staff and curators never sign in or connect through the Spotify stand-in (its listeners are
    # shared personas): refused before anything is linked.
    "spotify.pipeline.refuse_staff_on_the_stand_in",
    "social_core.pipeline.user.get_username",
    "social_core.pipeline.user.create_user",
    "social_core.pipeline.social_auth.associate_user",
    "social_core.pipeline.social_auth.load_extra_data",
    # social-core's user_details for new accounts only: connecting never renames an account.
    "spotify.pipeline.user_details_of_new_accounts",
    "library.pipeline.enqueue_library_sync",
]
SOCIAL_AUTH_IMMUTABLE_USER_FIELDS = ["first_name", "last_name", "email"]
SOCIAL_AUTH_NEW_USER_REDIRECT_URL = "/library/"
SOCIAL_AUTH_LOGIN_REDIRECT_URL = "/"
SOCIAL_AUTH_DISCONNECT_REDIRECT_URL = "/accounts/profile/"
# Our middleware renders friendly pages for sign-in failures, in DEBUG too.
SOCIAL_AUTH_RAISE_EXCEPTIONS = False
SOCIAL_AUTH_REQUESTS_TIMEOUT = SPOTIFY_REQUEST_TIMEOUT

# MIDDLEWARE
# ------------------------------------------------------------------------------
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "core.body_limit.RequestBodyLimitMiddleware",  # before anything reads the body
    "core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.LoginRateLimitMiddleware",
    "spotify.middleware.SpotifyAuthExceptionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# STATIC AND MEDIA
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Frames and face thumbnails: outside MEDIA_ROOT, never served statically; owner-checked views only.
PRIVATE_MEDIA_ROOT = Path(env("DJANGO_PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
}

# TEMPLATES
# ------------------------------------------------------------------------------
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
                "accounts.context_processors.spotify",
            ],
        },
    },
]

# SECURITY
# ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# How many proxies of ours sit in front of the app, each appending to X-Forwarded-For. 0: the
# client is REMOTE_ADDR (the header is ignored); N: the Nth entry from the right. Used by the
# sign-in limiter, the token-failure throttle and DRF's throttles (core.security.client_address).
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)

# CACHES
# ------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
CACHES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# LOGGING
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    # OAuth `code=`/`state=` (and token-like) query values never reach a log line: every handler
    # redacts them (core/log_redaction.py), the dev server's request lines included. gunicorn's
    # access log has its own logger class (docker/start-web.sh).
    "filters": {"redact_secrets": {"()": "core.log_redaction.RedactSecretsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_secrets"],
        },
    },
    "loggers": {
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"level": env("DJANGO_LOG_LEVEL", default="INFO"), "handlers": ["console"]},
}

# CELERY
# ------------------------------------------------------------------------------
# Broker: CELERY_BROKER_URL, else REDIS_URL, else Kombu's filesystem transport under var/celery/,
# which needs no server and works across processes (web and worker).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_FILESYSTEM_DIR = Path(env("CELERY_FILESYSTEM_DIR", default=str(VAR_DIR / "celery")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_DIR / "queue"),
        "control_folder": str(CELERY_FILESYSTEM_DIR / "control"),
        "processed_folder": str(CELERY_FILESYSTEM_DIR / "processed"),
        "store_processed": False,
    }
    for _folder in ("queue", "control", "processed"):
        (CELERY_FILESYSTEM_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_RESULT_EXPIRES = 60 * 60 * 24 * 7
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=5 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=4 * 60)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Two queues: inference is slow and memory-hungry, so it has its own (`ml`) and its own workers in
# production (docker/compose.yml: worker-ml); syncs, tag look-ups and beat's jobs use `default`.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_DEFAULT_EXCHANGE = "default"
CELERY_TASK_DEFAULT_ROUTING_KEY = "default"
CELERY_TASK_QUEUES = (
    Queue("default", Exchange("default"), routing_key="default"),
    Queue("ml", Exchange("ml"), routing_key="ml"),
)
CELERY_TASK_ROUTES = {"emotions.tasks.process_reading": {"queue": "ml"}}
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TASK_SEND_SENT_EVENT = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # Enqueues a library sync for every Spotify user whose last sync is older than the interval.
    "library-sync-due": {"task": "library.tasks.library_sync_due", "schedule": 15 * 60},
    # Fails mood readings stuck in pending/processing and deletes leftover frames.
    # Re-sends readings whose worker died mid-task, fails those stuck in pending/processing and
    # deletes leftover frames (a cheap indexed query, so every minute).
    "sweep-stuck-readings": {"task": "emotions.tasks.sweep_stuck_readings", "schedule": 60},
    # Deletes the demo visitors ("Try the demo") older than DEMO_VISITOR_MAX_AGE_HOURS.
    "demo-visitors-cleanup": {"task": "demo.tasks.demo_visitors_cleanup", "schedule": 60 * 60},
}

# DJANGO REST FRAMEWORK AND THE API SCHEMA (config/settings/api.py)
# ------------------------------------------------------------------------------
REST_FRAMEWORK, SPECTACULAR_SETTINGS = api_settings(env=env, trusted_proxies=TRUSTED_PROXY_COUNT)

# Where track moods come from besides curators, ratings and the demo catalogue: a dotted path to
# a class with `features(spotify_ids) -> {id: AudioFeatures}` (recommendations/moods.py). Empty by
# default: Spotify closed its audio-features endpoint to new apps in November 2024.
AUDIO_FEATURES_PROVIDER = env("AUDIO_FEATURES_PROVIDER", default="")

# EMOTION MODEL
# ------------------------------------------------------------------------------
EMOTION_MODEL_PATH = Path(
    env("EMOTION_MODEL_PATH", default=str(BASE_DIR / "ml" / "weights" / "emotion_cnn.keras"))
)
# When false, a missing model is a warning in /healthz rather than an error.
EMOTION_MODEL_REQUIRED = env.bool("EMOTION_MODEL_REQUIRED", default=False)
# Load the model in every new worker child right away (a background thread) instead of on the
# first reading; production turns it on (workers that only run the default queue can turn it off).
EMOTION_MODEL_PRELOAD = env.bool("EMOTION_MODEL_PRELOAD", default=False)

# MOOD READINGS
# ------------------------------------------------------------------------------
# Uploads over this many bytes or pixels get a 400 (the pixel limit stops decompression bombs).
READING_MAX_UPLOAD_BYTES = env.int("READING_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
READING_MAX_PIXELS = env.int("READING_MAX_PIXELS", default=40_000_000)
# The memory one upload's decode may hold (Pillow's pixel buffer and the decoder's own copies,
# ml/bounded_decode.py): 40 MB is a 10 MP RGB PNG, a 40 MP baseline JPEG (decoded at 1/2 to 1/8).
# Measured peak per upload with it: ~50 MB over the process (docs/RELIABILITY.md, finding 2).
READING_MAX_DECODE_BYTES = env.int("READING_MAX_DECODE_BYTES", default=40 * 1024 * 1024)
# Decodes at once per web process (2 cores per web container); a request that waits longer than
# READING_DECODE_WAIT_SECONDS for a turn gets a 503 "try again in a few seconds".
READING_MAX_CONCURRENT_DECODES = env.int("READING_MAX_CONCURRENT_DECODES", default=2)
READING_DECODE_WAIT_SECONDS = env.float("READING_DECODE_WAIT_SECONDS", default=5.0)
# Readings pending/processing longer than this are failed by the beat sweeper.
READING_STUCK_AFTER_SECONDS = env.int("READING_STUCK_AFTER_SECONDS", default=600)
# A reading still `processing` this long after its worker claimed it lost that worker (the task's
# hard time limit is 120 s): the sweeper sends it again instead of waiting for the broker's
# visibility timeout (an hour on Redis) to bring the unacknowledged message back.
READING_RESEND_AFTER_SECONDS = env.int("READING_RESEND_AFTER_SECONDS", default=180)

# REQUEST BODIES (core/body_limit.py: 413 before the body is read)
# ------------------------------------------------------------------------------
# The photo upload routes take the photo (READING_MAX_UPLOAD_BYTES) plus the form around it.
REQUEST_UPLOAD_PATHS = ["/mood/", "/api/v1/readings/"]
REQUEST_MAX_UPLOAD_BODY_BYTES = env.int("REQUEST_MAX_UPLOAD_BODY_BYTES", default=11 * 1024 * 1024)
REQUEST_MAX_BODY_BYTES = env.int("REQUEST_MAX_BODY_BYTES", default=1024 * 1024)
# Django's own cap on non-file form data and request.body (400 beyond it): the same 1 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BODY_BYTES

# HEALTH CHECKS
# ------------------------------------------------------------------------------
# Checks beyond the database and the broker: name -> dotted path of a probe () -> (status, detail).
HEALTH_PROBES = {"model": "emotions.health.probe_model"}
HEALTHZ_BROKER_TIMEOUT = env.float("HEALTHZ_BROKER_TIMEOUT", default=2.0)
# Why a check failed (hosts, paths, exception text) is shown to staff only, unless this is on.
HEALTHZ_SHOW_DETAILS = env.bool("HEALTHZ_SHOW_DETAILS", default=False)

# SEED DATA
# ------------------------------------------------------------------------------
# Password for the `admin` superuser that `manage.py seed_demo` creates (default "admin" in DEBUG).
DJANGO_ADMIN_PASSWORD = env("DJANGO_ADMIN_PASSWORD", default="")
