"""Security headers, the sign-in attempt limiter, API throttles and `check --deploy`."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import global_settings
from django.template import Context, Template
from django.test import Client, RequestFactory
from rest_framework.throttling import SimpleRateThrottle

from accounts.tests.factories import UserFactory
from core.middleware import SecurityHeadersMiddleware
from core.security import csp_directives, csp_header_value

ROOT = Path(__file__).resolve().parent.parent.parent
PASSWORD = "correct-horse-battery"


def _directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


@pytest.mark.django_db
def test_every_page_carries_the_csp_and_the_browser_policies(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    csp = _directives(response.headers["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "camera=(self)" in response.headers["Permissions-Policy"]
    assert "microphone=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_policy_allows_what_the_pages_use_and_nothing_inline() -> None:
    csp = csp_directives()

    # Spotify embeds and album art, the webcam snapshot (blob/data), HTMX and uploads (self).
    assert csp["frame-src"] == ["https://open.spotify.com"]
    assert "https://i.scdn.co" in csp["img-src"]
    assert {"data:", "blob:"} <= set(csp["img-src"])
    assert csp["connect-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert not any(source.startswith("http") for source in csp["script-src"])


def test_form_action_lets_the_spotify_sign_in_redirect_through(settings) -> None:
    settings.SPOTIFY_ACCOUNTS_BASE_URL = "https://accounts.spotify.com"

    assert csp_directives()["form-action"] == ["'self'", "https://accounts.spotify.com"]


def test_templates_ship_no_inline_scripts_or_event_handlers() -> None:
    """Inline code would be blocked by the policy: scripts come from static/ files only."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        for needle in (
            "<script>",
            '<script type="text/javascript">',
            " onclick=",
            " onload=",
            " onsubmit=",
            " onchange=",
            "javascript:",
            "hx-on",
        ):
            if needle in text and "csp_nonce" not in text:
                offenders.append(f"{path.relative_to(ROOT)}: {needle.strip()}")

    assert offenders == []


def test_a_template_that_uses_the_nonce_gets_it_in_the_policy() -> None:
    request = RequestFactory().get("/")

    def view(request):
        from django.http import HttpResponse

        html = Template('<script nonce="{{ request.csp_nonce }}">1</script>').render(
            Context({"request": request})
        )
        return HttpResponse(html)

    response = SecurityHeadersMiddleware(view)(request)
    nonce = response.content.decode().split('nonce="')[1].split('"')[0]

    assert len(nonce) >= 20
    assert (
        f"'nonce-{nonce}'" in _directives(response.headers["Content-Security-Policy"])["script-src"]
    )


def test_a_response_without_the_nonce_has_none_in_the_policy() -> None:
    response = SecurityHeadersMiddleware(lambda request: __import__("django").http.HttpResponse())(
        RequestFactory().get("/")
    )

    assert response.headers["Content-Security-Policy"] == csp_header_value()


@pytest.mark.django_db
def test_api_docs_work_without_inline_script(client: Client) -> None:
    page = client.get("/api/docs/")
    script = client.get("/api/docs/?script=")

    assert page.status_code == 200
    assert b"<script>" not in page.content
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")


# ------------------------------------------------------------------------------
# Sign-in attempts
# ------------------------------------------------------------------------------


def _sign_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.mark.django_db
def test_it_blocks_a_username_after_five_failures_from_one_address_even_with_the_right_password(
    client: Client,
) -> None:
    user = UserFactory()
    for _ in range(5):
        assert _sign_in(client, user.username, "wrong").status_code == 200

    blocked = _sign_in(client, user.username, PASSWORD)

    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) == 15 * 60
    assert b"Too many failed sign-in attempts for this account" in blocked.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_other_accounts_and_addresses_are_not_blocked_by_one_users_failures(
    client: Client,
) -> None:
    victim, other = UserFactory(), UserFactory()
    for _ in range(5):
        _sign_in(client, victim.username, "wrong")

    response = _sign_in(client, other.username, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


@pytest.mark.django_db
def test_it_blocks_an_address_that_sprays_many_usernames(client: Client, settings) -> None:
    settings.LOGIN_FAILURES_PER_ADDRESS = 4
    user = UserFactory()
    for n in range(4):
        _sign_in(client, f"guess{n}", "wrong", address="10.9.9.9")

    assert _sign_in(client, user.username, PASSWORD, address="10.9.9.9").status_code == 429
    assert _sign_in(client, user.username, PASSWORD, address="10.1.1.1").status_code == 302


@pytest.mark.django_db
def test_a_successful_sign_in_forgets_the_earlier_failures(client: Client, settings) -> None:
    settings.LOGIN_DELAY_MAX_SECONDS = 0.01  # the per-username delay is not what this is about
    user = UserFactory()
    for _ in range(4):
        _sign_in(client, user.username, "wrong")
    assert _sign_in(client, user.username, PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        assert _sign_in(client, user.username, "wrong").status_code == 200
    assert _sign_in(client, user.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_admin_sign_in_is_limited_too(client: Client) -> None:
    user = UserFactory(is_staff=True)
    for _ in range(5):
        client.post("/admin/login/", {"username": user.username, "password": "wrong"})

    response = client.post("/admin/login/", {"username": user.username, "password": PASSWORD})

    assert response.status_code == 429


# ------------------------------------------------------------------------------
# API throttles
# ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_throttles_a_signed_in_client(api_client, monkeypatch) -> None:
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "3/minute"}
    )
    api_client.force_authenticate(UserFactory())

    statuses = [api_client.get("/api/v1/readings/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_api_throttles_are_configured(settings) -> None:
    rest = settings.REST_FRAMEWORK

    assert "rest_framework.throttling.AnonRateThrottle" in rest["DEFAULT_THROTTLE_CLASSES"]
    assert "rest_framework.throttling.UserRateThrottle" in rest["DEFAULT_THROTTLE_CLASSES"]
    assert {"anon", "user", "uploads"} <= set(rest["DEFAULT_THROTTLE_RATES"])


# ------------------------------------------------------------------------------
# Production settings
# ------------------------------------------------------------------------------


def _production_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "SOCIAL_AUTH_", "SPOTIFY_", "LASTFM_")
        )
        and key != "DEMO_MODE"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="moodtrack.example.com",
        DATABASE_URL="postgres://moodtrack@127.0.0.1:5432/moodtrack",
        REDIS_URL="redis://127.0.0.1:6379/0",
        SOCIAL_AUTH_SPOTIFY_KEY="production-spotify-client-id",
        SOCIAL_AUTH_SPOTIFY_SECRET="production-spotify-client-secret",
        DJANGO_TRUSTED_PROXY_COUNT="1",
    )
    return env


def _manage(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**_production_env(), **extra_env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_settings() -> None:
    security = _manage("check", "--deploy", "--tag", "security", "--fail-level", "WARNING")
    everything = _manage("check", "--deploy")

    assert security.returncode == 0, security.stderr
    assert "(security." not in everything.stderr + everything.stdout
    assert "(moodtrack." not in everything.stderr + everything.stdout
    assert everything.returncode == 0, everything.stderr


def test_production_cookies_and_transport_are_locked_down(monkeypatch) -> None:
    from core.tests.test_settings import PRODUCTION_ENV, _load

    production = _load("production", monkeypatch, **PRODUCTION_ENV)

    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production.get("SESSION_COOKIE_SAMESITE", global_settings.SESSION_COOKIE_SAMESITE) in (
        "Lax",
        "Strict",
    )
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 60
    assert production["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert production["X_FRAME_OPTIONS"] == "DENY"
    assert "core.middleware.SecurityHeadersMiddleware" in production["MIDDLEWARE"]
    assert "core.middleware.LoginRateLimitMiddleware" in production["MIDDLEWARE"]
    assert "spotify_sandbox" not in production["INSTALLED_APPS"]
