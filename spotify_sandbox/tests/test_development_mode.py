"""The stand-in as an operator meets Spotify in 2026 (issue 18), over real HTTP: the 5-user
allow-list and its 403 (JSON and plain text), collaborative playlists behind their scope,
refresh-token rotation, `account_id` apart from `id`, and the "owner lapsed" switch."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings

from spotify_sandbox.services import NOT_REGISTERED, OWNER_LAPSED
from spotify_sandbox.testing import DEFAULT_SCOPES, SCOPES_BEFORE_COLLABORATIVE, Sandbox
from spotify_sandbox.testing import SpotifyOpenAPI as OpenAPI

pytestmark = pytest.mark.django_db(transaction=True)

FIVE = [f"synthetic-{n}" for n in range(1, 6)]


def _token(sandbox: Sandbox, data: dict[str, str]) -> requests.Response:
    auth = (settings.SPOTIFY_SANDBOX_CLIENT_ID, settings.SPOTIFY_SANDBOX_CLIENT_SECRET)
    return requests.post(f"{sandbox.root}/api/token", data=data, auth=auth, timeout=10)


def _consent_and_trade(sandbox: Sandbox, user: str) -> dict:
    """The full OAuth dance at the stand-in as `user`: consent, then the code for tokens."""
    params = {
        "client_id": settings.SPOTIFY_SANDBOX_CLIENT_ID,
        "redirect_uri": sandbox.redirect_uri,
        "response_type": "code",
        "scope": DEFAULT_SCOPES,
        "state": "s",
    }
    back = sandbox.consent(params, user=user)
    assert back.status_code == 302
    code = parse_qs(urlsplit(back.headers["Location"]).query)["code"][0]
    traded = _token(
        sandbox,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": sandbox.redirect_uri},
    )
    assert traded.status_code == 200, traded.text
    return traded.json()


def test_the_sixth_listener_consents_then_every_call_answers_403(
    sandbox: Sandbox, spotify_openapi: OpenAPI
) -> None:
    for user in FIVE:
        me = sandbox.session_for(_consent_and_trade(sandbox, user)["access_token"])
        assert me.get(sandbox.api + "me", timeout=10).status_code == 200
    assert sandbox.allow_list() == FIVE

    sixth = sandbox.session_for(_consent_and_trade(sandbox, "sam")["access_token"])
    refused = sixth.get(sandbox.api + "me", timeout=10)
    tracks = sixth.get(sandbox.api + "me/tracks", timeout=10)

    assert refused.status_code == 403
    assert refused.json() == {"error": {"status": 403, "message": NOT_REGISTERED}}
    spotify_openapi.validate(refused)
    assert tracks.status_code == 403
    assert "sam" not in sandbox.allow_list()
    # The operator makes room (User Management): the same token works at once.
    sandbox.disallow("synthetic-1")
    sandbox.fill_allow_list("sam")
    assert sixth.get(sandbox.api + "me", timeout=10).json()["id"] == "sam"
    assert sixth.get(sandbox.api + "me", timeout=10).status_code == 200


def test_the_403_can_come_as_plain_text(sandbox: Sandbox) -> None:
    sandbox.app(user_limit=0, forbidden_as_text=True)
    session = sandbox.session_for(sandbox.issue("alex").access_token)

    refused = session.get(sandbox.api + "me", timeout=10)

    assert refused.status_code == 403
    assert refused.headers["Content-Type"].startswith("text/plain")
    assert refused.text == NOT_REGISTERED


def test_demo_visitors_are_never_counted(sandbox: Sandbox) -> None:
    sandbox.app(user_limit=0)
    visitor = sandbox.session_for(sandbox.issue("visitor-abcdef12").access_token)

    assert visitor.get(sandbox.api + "me", timeout=10).status_code == 200
    assert sandbox.allow_list() == []


def test_collaborative_playlists_need_their_scope(
    sandbox: Sandbox, spotify_openapi: OpenAPI
) -> None:
    def names(scope: str) -> list[str]:
        session = sandbox.session_for(sandbox.issue("demo", scope=scope).access_token)
        response = session.get(sandbox.api + "me/playlists", timeout=10)
        spotify_openapi.validate(response)
        return [item["name"] for item in response.json()["items"]]

    # "Road Trip" is Alex's, with Demo as a collaborator.
    assert "Road Trip" not in names(SCOPES_BEFORE_COLLABORATIVE)
    assert names(DEFAULT_SCOPES) == [
        "Morning Run",
        "Rainy Day",
        "Focus",
        "Road Trip",
        "Alex's Party Mix",
    ]
    # Alex owns it: listed without the scope.
    alex = sandbox.session_for(
        sandbox.issue("alex", scope=SCOPES_BEFORE_COLLABORATIVE).access_token
    )
    owned = alex.get(sandbox.api + "me/playlists", timeout=10).json()["items"]
    assert "Road Trip" in [item["name"] for item in owned]


def test_refresh_tokens_rotate_when_switched_on(sandbox: Sandbox) -> None:
    issued = sandbox.issue("alex")
    kept = _token(sandbox, {"grant_type": "refresh_token", "refresh_token": issued.refresh_token})
    assert "refresh_token" not in kept.json()  # off by default: the same token stays good

    sandbox.app(rotate_refresh_tokens=True)
    rotated = _token(
        sandbox, {"grant_type": "refresh_token", "refresh_token": issued.refresh_token}
    )
    new_refresh = rotated.json()["refresh_token"]
    old_again = _token(
        sandbox, {"grant_type": "refresh_token", "refresh_token": issued.refresh_token}
    )
    newer = _token(sandbox, {"grant_type": "refresh_token", "refresh_token": new_refresh})

    assert rotated.status_code == 200
    assert new_refresh
    assert new_refresh != issued.refresh_token
    assert old_again.status_code == 400
    assert old_again.json()["error"] == "invalid_grant"
    assert newer.status_code == 200
    access = sandbox.session_for(newer.json()["access_token"])
    assert access.get(sandbox.api + "me", timeout=10).status_code == 200


def test_account_id_stays_when_the_id_changes(sandbox: Sandbox, spotify_openapi: OpenAPI) -> None:
    session = sandbox.session_for(sandbox.issue("alex", scope=DEFAULT_SCOPES).access_token)
    before = session.get(sandbox.api + "me", timeout=10).json()

    sandbox.rename("alex", "alex-2026")
    after = session.get(sandbox.api + "me", timeout=10)
    playlists = session.get(sandbox.api + "me/playlists", timeout=10).json()["items"]

    spotify_openapi.validate(after)
    assert before["id"] == "alex"
    assert before["account_id"] == sandbox.account_id("alex") != "alex"
    assert after.json()["id"] == "alex-2026"
    assert after.json()["uri"] == "spotify:user:alex-2026"
    assert after.json()["account_id"] == before["account_id"]
    road_trip = next(p for p in playlists if p["name"] == "Road Trip")
    assert road_trip["owner"]["id"] == "alex-2026"


def test_an_owner_whose_premium_lapsed_gets_403_everywhere(
    sandbox: Sandbox, spotify_openapi: OpenAPI
) -> None:
    session = sandbox.session_for(sandbox.issue("demo").access_token)
    sandbox.app(owner_lapsed=True)

    answers = [
        session.get(sandbox.api + path, timeout=10)
        for path in ("me", "me/tracks", "me/top/tracks", "me/playlists")
    ]

    assert [a.status_code for a in answers] == [403] * 4
    assert answers[0].json()["error"]["message"] == OWNER_LAPSED
    for answer in answers:
        spotify_openapi.validate(answer)
    sandbox.app(owner_lapsed=False)
    assert session.get(sandbox.api + "me", timeout=10).status_code == 200


def test_the_control_api_switches_the_app_and_edits_the_allow_list(sandbox: Sandbox) -> None:
    listener = sandbox.session_for(sandbox.issue("demo").access_token)
    app = f"{sandbox.root}/_control/app"
    staff = sandbox.staff_session()

    lapsed = staff.post(app, json={"owner_lapsed": True}, timeout=10)
    assert lapsed.status_code == 200
    assert lapsed.json()["owner_lapsed"] is True
    assert lapsed.json()["allow_list"] == ["demo"]
    assert listener.get(sandbox.api + "me", timeout=10).status_code == 403
    assert staff.post(app, json={"owner_lapsed": False}, timeout=10).status_code == 200
    assert listener.get(sandbox.api + "me", timeout=10).status_code == 200

    removed = staff.delete(f"{sandbox.root}/_control/allow-list/demo", timeout=10)
    assert removed.json()["allow_list"] == []
    assert listener.get(sandbox.api + "me", timeout=10).status_code == 403
    added = staff.put(f"{sandbox.root}/_control/allow-list/demo", timeout=10)
    assert added.json()["allow_list"] == ["demo"]
    staff.post(app, json={"user_limit": 1}, timeout=10)
    full = staff.put(f"{sandbox.root}/_control/allow-list/alex", timeout=10)
    assert full.status_code == 409
    assert "full" in full.json()["error"]

    renamed = staff.post(
        f"{sandbox.root}/_control/users/demo/rename", json={"id": "demo-new"}, timeout=10
    )
    assert renamed.json() == {
        "user": "demo",
        "id": "demo-new",
        "account_id": sandbox.account_id("demo"),
    }
    assert listener.get(sandbox.api + "me", timeout=10).json()["id"] == "demo-new"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"owner_lapsed": "yes"}, 400),
        ({"user_limit": -1}, 400),
        ({"make_coffee": True}, 400),
        (["owner_lapsed"], 415),
    ],
)
def test_the_control_api_refuses_bad_switches_and_changes_nothing(
    sandbox: Sandbox, body: object, status: int
) -> None:
    staff = sandbox.staff_session()

    refused = staff.post(f"{sandbox.root}/_control/app", json=body, timeout=10)

    assert refused.status_code == status
    assert refused.json()["error"]
    state = staff.get(f"{sandbox.root}/_control/app", timeout=10).json()
    assert (state["owner_lapsed"], state["user_limit"]) == (False, 5)


def test_the_control_api_is_for_staff_with_csrf(sandbox: Sandbox) -> None:
    app = f"{sandbox.root}/_control/app"
    anonymous = requests.post(app, json={"owner_lapsed": True}, timeout=10)
    staff = sandbox.staff_session()
    del staff.headers["X-CSRFToken"]
    no_csrf = staff.post(app, json={"owner_lapsed": True}, timeout=10)

    assert anonymous.status_code == 403
    assert no_csrf.status_code == 403
    assert sandbox.app().owner_lapsed is False
