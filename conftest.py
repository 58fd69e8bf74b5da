"""Shared pytest fixtures, and the guard that keeps integration tests honest about services."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
import redis
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage
from django.test import Client
from rest_framework.test import APIClient

from accounts.curators import curators_group_ensure
from accounts.models import User
from accounts.tests.factories import UserFactory
from emotions.models import MoodReading

# Fixtures for real HTTP against the Spotify stand-in (sandbox, spotify_openapi, ...) and the
# Last.fm stand-in (lastfm, music_moods_csv).
pytest_plugins = ["spotify_sandbox.testing", "lastfm_sandbox.testing"]

CHROMIUM = "/usr/bin/chromium"  # what the browser tests launch (Playwright executable_path)
POSTGRES_SCHEMES = ("postgres://", "postgresql://", "pgsql://")


def _where(url: str) -> str:
    """host:port of a service URL, never its credentials."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or ''}".rstrip(":")


def _sentence(exc: Exception) -> str:
    return str(exc).strip().rstrip(".")


def integration_services_problems() -> list[str]:
    """Why PostgreSQL (DATABASE_URL) or Redis (REDIS_URL) cannot be used; empty when both can."""
    problems = []
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(POSTGRES_SCHEMES):
        problems.append("DATABASE_URL is not set to a PostgreSQL URL (postgres://...)")
    else:
        try:
            psycopg.connect(database_url, connect_timeout=3).close()
        except psycopg.Error as exc:
            problems.append(
                f"PostgreSQL at {_where(database_url)} is unreachable: {_sentence(exc)}"
            )
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        problems.append("REDIS_URL is not set (redis://...)")
    else:
        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=3, socket_timeout=3).ping()
        except redis.RedisError as exc:
            problems.append(f"Redis at {_where(redis_url)} is unreachable: {_sentence(exc)}")
    return problems


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests need Debian's Chromium and integration tests real services: on a developer
    machine without them they are skipped with a message; under CI=true they must run."""
    ci = os.environ.get("CI", "").lower() == "true"
    if not ci and not os.path.exists(CHROMIUM):
        skip_browser = pytest.mark.skip(
            reason=f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium; .ci/run "
            "installs it)"
        )
        for item in items:
            if item.get_closest_marker("browser"):
                item.add_marker(skip_browser)
    integration = [item for item in items if item.get_closest_marker("integration")]
    if not integration:
        return
    problems = integration_services_problems()
    if not problems:
        return
    message = "integration services unavailable: " + "; ".join(problems)
    if ci:
        pytest.exit(
            f"CI=true and {message}. Start PostgreSQL and Redis and export DATABASE_URL and "
            "REDIS_URL (see .ci/run).",
            returncode=1,
        )
    skip = pytest.mark.skip(reason=f"{message} (set CI=true to make this an error)")
    for item in integration:
        item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Throttle counters and cached values never leak from one test into another."""
    cache.clear()


@pytest.fixture
def user(db: None) -> User:
    return UserFactory()


@pytest.fixture
def curator(db: None) -> User:
    """A staff member of the Curators group (mood playlists, rules, track moods in the admin)."""
    user = UserFactory(username="curator", is_staff=True)
    user.groups.add(curators_group_ensure())
    return user


@pytest.fixture
def client_logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def private_media(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Frames and thumbnails go to a folder of this test, so what is left can be checked."""
    folder = tmp_path / "private"
    folder.mkdir()
    storage = FileSystemStorage(location=folder)
    for name in ("image", "thumbnail"):
        monkeypatch.setattr(MoodReading._meta.get_field(name), "storage", storage)
    return folder
