"""Security round 2 (issue 15), findings 4, 5 and 9: each test here failed on the code before.

4. Production ran demo mode whenever the Spotify key was missing, and `check --deploy` was clean.
5. The sign-in limiter counted per REMOTE_ADDR, i.e. per proxy: one client's failures locked out
   everyone's correct password (over real HTTP below, behind a proxy header).
9. OAuth codes in access logs; wrong API tokens never throttled; HSTS preload with max-age 60.
"""

from __future__ import annotations

import io
import logging
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.core.checks.registry import registry
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import api_token_create
from accounts.tests.factories import UserFactory
from core.checks import check_demo_and_stand_ins, check_trusted_proxy
from core.log_redaction import redact
from core.security import client_address
from core.tests.test_security import _manage
from core.tests.test_settings import PRODUCTION_ENV, _load

ROOT = Path(__file__).resolve().parent.parent.parent
PASSWORD = "correct-horse-battery"

# ------------------------------------------------------------------------------
# Finding 4: production refuses demo mode unless DEMO_MODE=true; check --deploy warns
# ------------------------------------------------------------------------------

WITHOUT_SPOTIFY = {k: v for k, v in PRODUCTION_ENV.items() if not k.startswith("SOCIAL_AUTH_")}


def test_production_refuses_to_start_in_demo_mode_by_omission(monkeypatch) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        _load("production", monkeypatch, **WITHOUT_SPOTIFY)

    message = str(refused.value)
    assert "SOCIAL_AUTH_SPOTIFY_KEY" in message
    assert "DEMO_MODE=true" in message


def test_production_runs_a_demo_only_when_asked_explicitly(monkeypatch) -> None:
    demo = _load("production", monkeypatch, **WITHOUT_SPOTIFY, DEMO_MODE="true")
    with pytest.raises(ImproperlyConfigured, match="DEMO_MODE"):
        _load("production", monkeypatch, **WITHOUT_SPOTIFY, DEMO_MODE="false")
    real = _load("production", monkeypatch, **PRODUCTION_ENV)

    assert demo["DEMO_MODE"] is True
    assert real["DEMO_MODE"] is False
    assert real["SPOTIFY_ACCOUNTS_BASE_URL"] == "https://accounts.spotify.com"
    assert real["SPOTIFY_SANDBOX_ENABLED"] is False
    assert real["LASTFM_SANDBOX_ENABLED"] is False


def test_the_deploy_checks_are_registered_for_deploy_only() -> None:
    deploy = registry.get_checks(include_deployment_checks=True)
    everyday = registry.get_checks(include_deployment_checks=False)

    assert check_demo_and_stand_ins in deploy
    assert check_trusted_proxy in deploy
    assert check_demo_and_stand_ins not in everyday


def test_the_deploy_check_warns_about_demo_mode_and_each_stand_in(settings) -> None:
    settings.DEMO_MODE = True
    settings.SPOTIFY_SANDBOX_ENABLED = True
    settings.LASTFM_SANDBOX_ENABLED = True
    settings.SPOTIFY_ACCOUNTS_BASE_URL = "http://127.0.0.1:8000/spotify-sandbox"

    ids = {message.id for message in check_demo_and_stand_ins()}

    assert ids == {"moodtrack.W001", "moodtrack.W002", "moodtrack.W003", "moodtrack.W004"}


def test_the_deploy_check_is_quiet_for_a_real_spotify_app(settings) -> None:
    settings.DEMO_MODE = False
    settings.SPOTIFY_SANDBOX_ENABLED = False
    settings.LASTFM_SANDBOX_ENABLED = False
    settings.SPOTIFY_ACCOUNTS_BASE_URL = "https://accounts.spotify.com"
    settings.SPOTIFY_API_BASE_URL = "https://api.spotify.com/v1/"

    assert check_demo_and_stand_ins() == []


def test_the_deploy_check_warns_about_a_proxy_without_a_trusted_proxy_count(settings) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXY_COUNT = 0
    assert [message.id for message in check_trusted_proxy()] == ["moodtrack.W005"]

    settings.TRUSTED_PROXY_COUNT = 1
    assert check_trusted_proxy() == []


@pytest.mark.slow
def test_check_deploy_warns_when_production_runs_the_demo_on_purpose() -> None:
    demo = _manage(
        "check",
        "--deploy",
        SOCIAL_AUTH_SPOTIFY_KEY="",
        DEMO_MODE="true",
        SPOTIFY_SANDBOX_ENABLED="true",
    )

    output = demo.stdout + demo.stderr
    assert "moodtrack.W001" in output, output
    assert "moodtrack.W002" in output
    assert "Try the demo" in output


# ------------------------------------------------------------------------------
# Finding 5: the sign-in limiter behind a proxy, over real HTTP
# ------------------------------------------------------------------------------


def test_the_client_address_is_remote_addr_unless_proxies_are_trusted(settings) -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7, 10.0.0.1"
    )

    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.2"  # the header is anyone's to send
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 4  # fewer entries than proxies: not through all of ours
    assert client_address(request) == "10.0.0.2"


class Browser:
    """A client behind our one TLS proxy: the proxy appends its address to X-Forwarded-For
    (after whatever the client itself sent, which must not count)."""

    def __init__(self, base_url: str, address: str, spoofed: str = "") -> None:
        self.base_url = base_url
        self.address = address
        self.spoofed = spoofed
        self.session = requests.Session()

    def _headers(self) -> dict[str, str]:
        chain = f"{self.spoofed}, {self.address}" if self.spoofed else self.address
        return {"X-Forwarded-For": chain}

    def sign_in(self, username: str, password: str, path: str = "/accounts/login/") -> int:
        page = self.session.get(self.base_url + path, headers=self._headers(), timeout=10)
        assert page.status_code == 200, page.status_code
        response = self.session.post(
            self.base_url + path,
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.session.cookies["csrftoken"],
            },
            headers={**self._headers(), "Referer": self.base_url + path},
            allow_redirects=False,
            timeout=10,
        )
        return response.status_code

    def signed_in_as(self) -> str | None:
        response = self.session.get(
            self.base_url + "/api/v1/me/", headers=self._headers(), timeout=10
        )
        return response.json().get("username") if response.status_code == 200 else None


@pytest.fixture
def behind_a_proxy(settings, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """One trusted proxy; the per-username delays are recorded instead of slept."""
    settings.TRUSTED_PROXY_COUNT = 1
    delays: list[float] = []
    monkeypatch.setattr("core.middleware.pause_sign_in", delays.append)
    return delays


@pytest.mark.django_db(transaction=True)
def test_twenty_failures_from_other_clients_do_not_lock_out_a_staff_member(
    live_server, behind_a_proxy: list[float]
) -> None:
    staff = UserFactory(username="sam", is_staff=True)
    attacker = Browser(live_server.url, "203.0.113.66")
    for n in range(20):
        attacker.spoofed = f"10.{n}.0.1"  # a fresh forged entry each time: ignored
        assert attacker.sign_in(f"guess-{uuid.uuid4().hex[:8]}", "wrong") == 200

    own = Browser(live_server.url, "198.51.100.7")
    assert own.sign_in(staff.username, PASSWORD) == 302
    assert own.signed_in_as() == "sam"
    # The spraying address itself is refused, whatever it forges in front of the proxy.
    attacker.spoofed = "198.51.100.7"
    assert attacker.sign_in(staff.username, PASSWORD) == 429


@pytest.mark.django_db(transaction=True)
def test_five_failures_on_admin_do_not_lock_out_the_real_admin(
    live_server, behind_a_proxy: list[float]
) -> None:
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    attacker = Browser(live_server.url, "203.0.113.66")
    for _ in range(5):
        assert attacker.sign_in("admin", "wrong", path="/admin/login/") == 200

    admin = Browser(live_server.url, "198.51.100.7")
    assert admin.sign_in("admin", PASSWORD, path="/admin/login/") == 302
    assert admin.signed_in_as() == "admin"
    # The attacker's address is done guessing admin's password, even the right one.
    assert attacker.sign_in("admin", PASSWORD, path="/admin/login/") == 429


@pytest.mark.django_db(transaction=True)
def test_failures_from_many_addresses_only_slow_the_account_down(
    live_server, behind_a_proxy: list[float]
) -> None:
    UserFactory(username="admin", is_staff=True)
    for n in range(30):
        assert Browser(live_server.url, f"203.0.113.{n + 1}").sign_in("admin", "wrong") == 200

    admin = Browser(live_server.url, "198.51.100.7")
    assert admin.sign_in("admin", PASSWORD) == 302
    assert admin.signed_in_as() == "admin"
    # Past five failures every attempt waited first, doubling to the 2-second ceiling.
    assert behind_a_proxy[:4] == [0.25, 0.5, 1.0, 2.0]
    assert max(behind_a_proxy) == 2.0
    assert len(behind_a_proxy) == 30 - 5 + 1


@pytest.mark.django_db(transaction=True)
def test_only_attempts_that_reach_authentication_wait(
    live_server, behind_a_proxy: list[float]
) -> None:
    """The delay must not be a free way to hold worker threads: no CSRF token, no password."""
    UserFactory(username="admin")
    for n in range(6):
        Browser(live_server.url, f"203.0.113.{n + 1}").sign_in("admin", "wrong")
    behind_a_proxy.clear()
    headers = {"X-Forwarded-For": "192.0.2.9"}

    no_csrf = requests.post(
        live_server.url + "/accounts/login/",
        data={"username": "admin", "password": "wrong"},
        headers=headers,
        timeout=10,
    )
    no_password = Browser(live_server.url, "192.0.2.10").sign_in("admin", "")

    assert no_csrf.status_code == 403
    assert no_password == 200
    assert behind_a_proxy == []


# ------------------------------------------------------------------------------
# Finding 9: codes out of access logs; wrong tokens throttled; 401 challenge; HSTS preload
# ------------------------------------------------------------------------------

CALLBACK = "/complete/spotify/?code=SECRET-CODE-123&state=STATE-456"


def test_redact_removes_code_and_state_values() -> None:
    line = f'"GET {CALLBACK} HTTP/1.1" 302 0'

    assert redact(line) == (
        '"GET /complete/spotify/?code=[redacted]&state=[redacted] HTTP/1.1" 302 0'
    )
    assert "SECRET" not in redact(f"https://moodtrack.example.com{CALLBACK.replace('?', '%3F')}")
    harmless = "GET /history/?page=2&codec=x HTTP/1.1"
    assert redact(harmless) == harmless


@pytest.mark.parametrize("logger_name", ["django.server", "django.request", "moodtrack"])
def test_django_log_handlers_never_write_the_code(logger_name: str) -> None:
    """The handlers of settings.LOGGING (the dev server's request lines and the console)."""
    logger = logging.getLogger(logger_name)
    handlers = [h for h in (logger.handlers or logging.getLogger().handlers) if h.filters]
    assert handlers, "no configured handler with the redacting filter"
    buffer = io.StringIO()
    previous = [h.setStream(buffer) for h in handlers if isinstance(h, logging.StreamHandler)]
    try:
        logger.warning('"%s" %s %s', f"GET {CALLBACK} HTTP/1.1", 302, 0)
    finally:
        for handler, stream in zip(handlers, previous, strict=False):
            if isinstance(handler, logging.StreamHandler) and stream is not None:
                handler.setStream(stream)

    written = buffer.getvalue()
    assert "/complete/spotify/?code=[redacted]&state=[redacted]" in written
    assert "SECRET" not in written
    assert "STATE-456" not in written


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_gunicorn_access_log_of_the_start_script_never_writes_the_code(tmp_path: Path) -> None:
    """gunicorn as docker/start-web.sh runs it (its logger class), serving the real app."""
    script = (ROOT / "docker" / "start-web.sh").read_text()
    logger_class = re.search(r"--logger-class\s+(\S+)", script)
    assert logger_class, "docker/start-web.sh does not set gunicorn's --logger-class"
    port = _free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_FILESYSTEM_DIR": str(tmp_path / "celery"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            "-",
            "--logger-class",
            logger_class.group(1),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(
                    f"http://127.0.0.1:{port}{CALLBACK}",
                    headers={"Referer": f"http://127.0.0.1:{port}{CALLBACK}"},
                    allow_redirects=False,
                    timeout=10,
                )
                break
            except requests.ConnectionError:
                assert server.poll() is None, "gunicorn exited"
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)

    access = [line for line in output.splitlines() if "GET /complete/spotify/" in line]
    assert access, output
    assert "code=[redacted]&state=[redacted]" in access[0]
    assert "SECRET" not in output
    assert "STATE-456" not in output


@pytest.mark.django_db
def test_wrong_api_tokens_are_throttled_per_address(settings, user: User) -> None:
    settings.API_TOKEN_FAILURES_PER_ADDRESS = 5
    good = api_token_create(user=user, name="script").key
    attacker = APIClient(REMOTE_ADDR="203.0.113.66")
    attacker.credentials(HTTP_AUTHORIZATION="Token mt_0123456789_" + "x" * 43)

    statuses = [attacker.get("/api/v1/readings/").status_code for _ in range(5)]
    throttled = attacker.get("/api/v1/readings/")

    assert statuses == [401] * 5
    assert throttled.status_code == 429
    assert throttled.json()["message"] == (
        "Too many requests with a wrong or revoked API token came from your address. "
        "You can try again in about 15 minutes."
    )
    assert int(throttled.headers["Retry-After"]) == 15 * 60
    # Even a right key waits from that address; elsewhere the owner's key works.
    attacker.credentials(HTTP_AUTHORIZATION=f"Token {good}")
    assert attacker.get("/api/v1/readings/").status_code == 429
    owner = APIClient(REMOTE_ADDR="198.51.100.7")
    owner.credentials(HTTP_AUTHORIZATION=f"Token {good}")
    assert owner.get("/api/v1/readings/").status_code == 200


@pytest.mark.django_db
def test_anonymous_api_calls_get_401_with_the_token_challenge() -> None:
    response = APIClient().get("/api/v1/readings/")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Token")


def test_production_sends_hsts_preload_only_with_a_year_of_max_age(monkeypatch) -> None:
    default = _load("production", monkeypatch, **PRODUCTION_ENV)
    year = _load("production", monkeypatch, **PRODUCTION_ENV, DJANGO_SECURE_HSTS_SECONDS="31536000")

    assert (default["SECURE_HSTS_SECONDS"], default["SECURE_HSTS_PRELOAD"]) == (60, False)
    assert year["SECURE_HSTS_PRELOAD"] is True
    with pytest.raises(ImproperlyConfigured, match=r"DJANGO_SECURE_HSTS_PRELOAD.*31536000"):
        _load("production", monkeypatch, **PRODUCTION_ENV, DJANGO_SECURE_HSTS_PRELOAD="true")
    with pytest.raises(ImproperlyConfigured, match="INCLUDE_SUBDOMAINS"):
        _load(
            "production",
            monkeypatch,
            **PRODUCTION_ENV,
            DJANGO_SECURE_HSTS_SECONDS="31536000",
            DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
            DJANGO_SECURE_HSTS_PRELOAD="true",
        )
