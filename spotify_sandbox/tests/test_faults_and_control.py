"""Fault injection (per test, by ORM or the /_control/ API) and the stand-in's own pages."""

from __future__ import annotations

import pytest
import requests
from django.test import Client, override_settings

from spotify_sandbox import catalogue
from spotify_sandbox.models import FaultRule
from spotify_sandbox.testing import Sandbox, SpotifyOpenAPI

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(sandbox: Sandbox) -> requests.Session:
    return sandbox.session_for(sandbox.issue("demo").access_token)


def test_a_429_carries_retry_after_then_the_rule_runs_out(demo, sandbox, spotify_openapi) -> None:
    sandbox.fault("v1/me/tracks*", 429, retry_after=7, remaining=2)
    url = sandbox.api + "me/tracks"

    answers = [demo.get(url, timeout=10) for _ in range(3)]

    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].headers["Retry-After"] == "7"
    spotify_openapi.validate(answers[0])
    assert answers[0].json() == {"error": {"status": 429, "message": "API rate limit exceeded"}}
    assert FaultRule.objects.get().hits == 2


def test_quota_exceeded_reason_and_other_statuses(demo, sandbox, spotify_openapi) -> None:
    sandbox.fault("v1/me/top/*", 429, retry_after=3600, body_reason="QUOTA_EXCEEDED")
    sandbox.fault("v1/me/playlists*", 503, method="GET", remaining=1)
    sandbox.fault("v1/me", 401, remaining=1)

    quota = demo.get(sandbox.api + "me/top/tracks", timeout=10)
    unavailable = demo.get(sandbox.api + "me/playlists", timeout=10)
    unauthorised = demo.get(sandbox.api + "me", timeout=10)

    assert quota.json()["error"]["reason"] == "QUOTA_EXCEEDED"
    assert quota.headers["Retry-After"] == "3600"
    assert unavailable.status_code == 503
    assert unauthorised.status_code == 401
    for response in (quota, unavailable, unauthorised):
        spotify_openapi.validate(response)


def test_the_control_api_adds_lists_and_clears_faults(demo, sandbox) -> None:
    control = f"{sandbox.root}/_control/faults"
    staff = sandbox.staff_session()

    created = staff.post(
        control, json={"path_glob": "v1/me/tracks*", "status": 500, "remaining": 1}, timeout=10
    )
    assert created.status_code == 201
    assert created.json()["match"] == "glob"
    assert staff.get(control, timeout=10).json()["faults"][0]["status"] == 500
    assert demo.get(sandbox.api + "me/tracks", timeout=10).status_code == 500
    assert staff.delete(control, timeout=10).json() == {"deleted": 1}
    regex = staff.post(control, json={"path_regex": "^v1/", "status": 500}, timeout=10)
    assert regex.status_code == 400
    assert "path_glob" in regex.json()["error"]


def test_the_control_api_expires_tokens(demo, sandbox) -> None:
    staff = sandbox.staff_session()
    expired = staff.post(f"{sandbox.root}/_control/users/demo/expire-tokens", timeout=10)

    assert expired.json()["expired"] >= 1
    assert demo.get(sandbox.api + "me", timeout=10).status_code == 401


def test_fault_globs_match_the_whole_path_and_query() -> None:
    from spotify_sandbox.services import fault_matches, fault_target

    assert fault_target("v1/me/", "") == "v1/me"
    assert fault_matches("v1/me", fault_target("v1/me/", ""))
    assert not fault_matches("v1/me", fault_target("v1/me/tracks", ""))
    assert fault_matches("v1/me/tracks*", fault_target("v1/me/tracks", "limit=50"))
    assert fault_matches("v1/me/tracks?*offset=100*", fault_target("v1/me/tracks", "offset=100"))
    assert not fault_matches("v1/me/tracks?*offset=100*", fault_target("v1/me/tracks", "offset=0"))
    assert fault_matches("v1/playlists/*/items*", "v1/playlists/abc/items?position=0")
    assert not fault_matches("^v1/.*", "v1/me")  # regex syntax is literal text in a glob


def test_covers_are_generated_locally(sandbox: Sandbox) -> None:
    album = catalogue.track(3).album
    cover = requests.get(f"{sandbox.root}/images/album/{album.id}.svg", timeout=10)

    assert cover.status_code == 200
    assert cover.headers["Content-Type"] == "image/svg+xml"
    assert album.name.split()[0] in cover.text
    assert requests.get(f"{sandbox.root}/images/album/nope.svg", timeout=10).status_code == 404


def test_the_index_page_lists_the_listeners(client: Client) -> None:
    page = client.get("/spotify-sandbox/")

    assert page.status_code == 200
    assert b"Demo Listener" in page.content


@override_settings(SPOTIFY_SANDBOX_ENABLED=False)
def test_everything_is_404_when_the_stand_in_is_disabled(client: Client) -> None:
    for path in ("/spotify-sandbox/", "/spotify-sandbox/v1/me", "/spotify-sandbox/api/token"):
        method = client.post if path.endswith("token") else client.get
        assert method(path).status_code == 404


def test_the_openapi_checker_flags_deprecated_fields(spotify_openapi: SpotifyOpenAPI) -> None:
    schema = {"$ref": "#/components/schemas/TrackObject"}
    track = {"id": "x", "popularity": 3, "album": {"available_markets": ["SE"]}, "type": "track"}

    assert spotify_openapi.deprecated_fields(schema, track) == [
        ".popularity",
        ".album.available_markets",
    ]
    assert spotify_openapi.deprecated_fields(schema, {"id": "x", "name": "ok"}) == []
