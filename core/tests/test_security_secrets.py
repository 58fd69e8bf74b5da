"""Secrets never reach a log: the failure paths of Spotify sign-in, refresh and sync, at DEBUG.

accounts/tests/test_spotify_tokens.py::test_tokens_never_appear_in_logs_or_api_responses covers
the happy path (sign-in, refresh, sync). This covers what goes wrong — a refused refresh
(invalid_grant), a rate limit, a server error — and also looks for the app's client secret and
any `Authorization:` header value. (The single-use authorization code does appear in request
lines — the browser's, and a web server's access log — as in any OAuth code flow.)
"""

from __future__ import annotations

import logging
import re
import time

import pytest
import requests
from django.conf import settings

from library.models import LibrarySync
from library.sync import LibrarySyncPaused, LibrarySyncUnavailable, library_sync_run
from spotify.errors import SpotifyReauthRequired
from spotify.tokens import spotify_access_token
from spotify_sandbox.models import FaultRule
from spotify_sandbox.testing import Sandbox

# The sign-in's nested requests (our /complete view calling the stand-in's token endpoint on the
# same live server) lock SQLite's shared in-memory test database: this runs on PostgreSQL.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def _expire_locally(user) -> None:
    social = user.social_auth.get()
    social.extra_data["auth_time"] = int(time.time()) - 7200
    social.save()


def test_failure_paths_log_no_token_secret_or_code(sandbox: Sandbox, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    sandbox.sign_in(requests.Session(), user="alex")
    user = LibrarySync.objects.get().user
    tokens = dict(user.social_auth.get().extra_data)

    sandbox.fault("v1/me/tracks*", 429, retry_after=120)
    with pytest.raises(LibrarySyncPaused):
        library_sync_run(user_id=user.pk)
    FaultRule.objects.all().delete()
    sandbox.fault("v1/me/tracks*", 500)
    with pytest.raises(LibrarySyncUnavailable):
        library_sync_run(user_id=user.pk)
    FaultRule.objects.all().delete()
    _expire_locally(user)
    sandbox.fault("api/token", 400, body_reason="invalid_grant")
    with pytest.raises(SpotifyReauthRequired):
        spotify_access_token(user)

    logged = caplog.text
    secrets = {
        tokens["access_token"],
        tokens["refresh_token"],
        settings.SPOTIFY_SANDBOX_CLIENT_SECRET,
    }
    assert "spotify" in logged.lower()  # these paths did log
    for secret in secrets:
        assert secret not in logged
    # spotipy logs its headers at DEBUG with the token replaced by "[redacted]".
    header = r"(?i)authorization['\"]?\s*[:=]\s*['\"]?(bearer|basic)\s+(?!\[redacted\])\S"
    assert not re.search(header, logged)
