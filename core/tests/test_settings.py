"""Tests for the settings modules: production refuses unsafe configuration; the broker switches."""

import importlib.util
import sys
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

import config.settings

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "a-long-random-production-secret",
    "DJANGO_ALLOWED_HOSTS": "moodtrack.example.com",
    "DATABASE_URL": "postgres://moodtrack@db:5432/moodtrack",
    "REDIS_URL": "redis://redis:6379/0",
    # A Spotify app: without one, production refuses to start unless DEMO_MODE=true.
    "SOCIAL_AUTH_SPOTIFY_KEY": "production-spotify-client-id",
    "SOCIAL_AUTH_SPOTIFY_SECRET": "production-spotify-client-secret",
}
ENV_VARS = [
    "DJANGO_SECRET_KEY",
    "DJANGO_DEBUG",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_READ_DOT_ENV_FILE",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_FILESYSTEM_DIR",
    "EMOTION_MODEL_REQUIRED",
    "SOCIAL_AUTH_SPOTIFY_KEY",
    "SOCIAL_AUTH_SPOTIFY_SECRET",
    "DEMO_MODE",
    "SPOTIFY_SANDBOX_ENABLED",
    "LASTFM_SANDBOX_ENABLED",
    "SPOTIFY_ACCOUNTS_BASE_URL",
    "SPOTIFY_API_BASE_URL",
    "DJANGO_TRUSTED_PROXY_COUNT",
    "DJANGO_SECURE_HSTS_SECONDS",
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "DJANGO_SECURE_HSTS_PRELOAD",
]


def _load(module: str, monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    """Execute a settings module afresh under exactly `env` (plus nothing from the caller)."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # Child modules star-import base: make that import run base again under this environment.
    if "config.settings.base" in sys.modules:
        monkeypatch.setattr(config.settings, "base", sys.modules["config.settings.base"])
        monkeypatch.delitem(sys.modules, "config.settings.base")
    spec = importlib.util.find_spec(f"config.settings.{module}")
    assert spec is not None
    assert spec.loader is not None
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    return vars(fresh)


def _load_base(monkeypatch: pytest.MonkeyPatch, tmp_path, **env: str) -> dict[str, Any]:
    return _load("base", monkeypatch, CELERY_FILESYSTEM_DIR=str(tmp_path / "celery"), **env)


def test_production_loads_with_its_required_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _load("production", monkeypatch, **PRODUCTION_ENV)

    assert settings["DEBUG"] is False
    assert settings["SECRET_KEY"] == PRODUCTION_ENV["DJANGO_SECRET_KEY"]
    assert settings["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert settings["CACHES"]["default"]["BACKEND"].endswith("RedisCache")
    assert settings["EMOTION_MODEL_REQUIRED"] is True
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_to_start_without_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        _load("production", monkeypatch, **env)


def test_production_refuses_an_empty_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        _load("production", monkeypatch, **{**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""})


def test_production_refuses_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG"):
        _load("production", monkeypatch, **PRODUCTION_ENV, DJANGO_DEBUG="true")


def test_production_refuses_the_filesystem_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "REDIS_URL"}
    with pytest.raises(ImproperlyConfigured, match="broker"):
        _load("production", monkeypatch, **env)


def test_defaults_are_sqlite_and_the_filesystem_broker(monkeypatch, tmp_path) -> None:
    settings = _load_base(monkeypatch, tmp_path)

    assert settings["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings["DATABASES"]["default"]["NAME"].endswith("var/db.sqlite3")
    assert settings["CELERY_BROKER_URL"] == "filesystem://"
    options = settings["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert options["data_folder_in"] == options["data_folder_out"] == str(tmp_path / "celery/queue")
    assert (tmp_path / "celery" / "queue").is_dir()
    assert (tmp_path / "celery" / "control").is_dir()
    assert settings["CELERY_RESULT_BACKEND"] == "django-db"


def test_redis_url_becomes_the_broker(monkeypatch, tmp_path) -> None:
    settings = _load_base(monkeypatch, tmp_path, REDIS_URL="redis://cache:6379/1")

    assert settings["CELERY_BROKER_URL"] == "redis://cache:6379/1"
    assert settings["CELERY_BROKER_TRANSPORT_OPTIONS"] == {}


def test_celery_broker_url_wins_over_redis_url(monkeypatch, tmp_path) -> None:
    settings = _load_base(
        monkeypatch,
        tmp_path,
        REDIS_URL="redis://cache:6379/1",
        CELERY_BROKER_URL="amqp://guest@rabbit//",
    )
    assert settings["CELERY_BROKER_URL"] == "amqp://guest@rabbit//"


def test_database_url_switches_to_postgresql(monkeypatch, tmp_path) -> None:
    settings = _load_base(monkeypatch, tmp_path, DATABASE_URL="postgres://u:p@db:5433/mt")

    database = settings["DATABASES"]["default"]
    assert (database["ENGINE"], database["HOST"], database["PORT"], database["NAME"]) == (
        "django.db.backends.postgresql",
        "db",
        5433,
        "mt",
    )


def test_demo_mode_is_on_exactly_without_a_spotify_app(monkeypatch, tmp_path) -> None:
    assert _load_base(monkeypatch, tmp_path)["DEMO_MODE"] is True
    assert _load_base(monkeypatch, tmp_path, SOCIAL_AUTH_SPOTIFY_KEY="abc")["DEMO_MODE"] is False


def test_local_and_test_settings_have_development_defaults(monkeypatch, tmp_path) -> None:
    local = _load("local", monkeypatch, CELERY_FILESYSTEM_DIR=str(tmp_path))
    test = _load("test", monkeypatch, CELERY_FILESYSTEM_DIR=str(tmp_path))

    assert local["DEBUG"] is True
    assert local["SECRET_KEY"]
    assert test["DEBUG"] is False
    assert test["SECRET_KEY"]
    assert local["EMOTION_MODEL_REQUIRED"] is False
    assert test["CELERY_TASK_ALWAYS_EAGER"] is True
