"""pytest fixtures for talking to the Spotify stand-in over real HTTP (a pytest plugin).

`sandbox`: the stand-in served by pytest-django's `live_server`, with every Spotify setting pointed
at it, and helpers to link users, inject faults and read tokens. `spotify_openapi`: Spotify's
OpenAPI description (vendored in spotify_sandbox/openapi/), loaded once per session, that checks
real exchanges — request parameters, response schemas, error bodies, no deprecated fields.
"""

# ruff: noqa: S101 - a pytest plugin: its checks are assertions, like the tests that use them.
from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import yaml

DEFAULT_SCOPES = (
    "user-library-read user-top-read user-read-recently-played "
    "playlist-read-private playlist-read-collaborative playlist-modify-private"
)
# What Moodtrack asked for before it asked for collaborative playlists (issue 18).
SCOPES_BEFORE_COLLABORATIVE = (
    "user-library-read user-top-read user-read-recently-played "
    "playlist-read-private playlist-modify-private"
)
OPENAPI_PATH = Path(
    os.environ.get(
        "SPOTIFY_OPENAPI_PATH",
        Path(__file__).resolve().parent / "openapi" / "web-api.openapi.yml",
    )
)


# The stand-in ---------------------------------------------------------------------------------


@dataclass
class Sandbox:
    """The stand-in on the live server: URLs and helpers for tests."""

    base: str  # http://127.0.0.1:PORT

    @property
    def root(self) -> str:
        return f"{self.base}/spotify-sandbox"

    @property
    def api(self) -> str:
        return f"{self.root}/v1/"

    @property
    def redirect_uri(self) -> str:
        return f"{self.base}/complete/spotify/"

    def issue(self, spotify_user: str, *, scope: str = DEFAULT_SCOPES, **kwargs: Any):
        from django.conf import settings

        from spotify_sandbox import services

        return services.token_issue(
            spotify_user=spotify_user,
            client_id=settings.SPOTIFY_SANDBOX_CLIENT_ID,
            scope=scope,
            **kwargs,
        )

    def link(
        self,
        user: Any,
        spotify_user: str,
        *,
        scope: str = DEFAULT_SCOPES,
        access_expired: bool = False,
        authorized_at: dt.datetime | None = None,
        legacy: bool = False,
    ):
        """Connect `user` to stand-in listener `spotify_user`, as a completed sign-in would (keyed
        by its `account_id`; `legacy=True`: as before issue 18, keyed by its `id`)."""
        from django.utils import timezone

        from spotify.tokens import spotify_association_store

        issued = self.issue(spotify_user, scope=scope, authorized_at=authorized_at)
        now = int(timezone.now().timestamp())
        extra = {
            **issued.as_response(),
            "display_name": spotify_user,
            "auth_time": now - 7200 if access_expired else now,
        }
        if not legacy:
            extra["account_id"] = self.account_id(spotify_user)
        if access_expired:
            from spotify_sandbox import services

            services.tokens_expire(spotify_user=spotify_user)
        return spotify_association_store(user=user, uid=spotify_user, extra_data=extra)

    def fault(self, path_glob: str, status: int, **kwargs: Any):
        """A fault rule: `path_glob` is an fnmatch glob over the path below /spotify-sandbox/
        (no trailing slash), `?` and the query string, e.g. `api/token` or `v1/me/tracks*`."""
        from spotify_sandbox import services

        return services.fault_create(path_glob=path_glob, status=status, **kwargs)

    def app(self, **switches: Any):
        """Change the stand-in app's switches: owner_lapsed, rotate_refresh_tokens,
        forbidden_as_text, user_limit (services.APP_SWITCHES)."""
        from django.conf import settings

        from spotify_sandbox import services

        return services.app_state_update(client_id=settings.SPOTIFY_SANDBOX_CLIENT_ID, **switches)

    def allow_list(self) -> list[str]:
        from django.conf import settings

        from spotify_sandbox import services

        return services.allow_list(settings.SPOTIFY_SANDBOX_CLIENT_ID)

    def disallow(self, spotify_user: str) -> None:
        """Remove a listener from the app's allow-list (User Management → remove)."""
        from django.conf import settings

        from spotify_sandbox import services

        services.allow_list_remove(
            client_id=settings.SPOTIFY_SANDBOX_CLIENT_ID, spotify_user=spotify_user
        )

    def fill_allow_list(self, *spotify_users: str) -> None:
        """Put these listeners on the allow-list (e.g. five synthetic ones to fill it)."""
        from django.conf import settings

        from spotify_sandbox import services

        for spotify_user in spotify_users:
            services.allow_list_add(
                client_id=settings.SPOTIFY_SANDBOX_CLIENT_ID, spotify_user=spotify_user
            )

    def rename(self, spotify_user: str, new_id: str):
        """The listener's Spotify `id` becomes `new_id`; its `account_id` stays."""
        from spotify_sandbox import services

        return services.listener_rename(spotify_user=spotify_user, public_id=new_id)

    def account_id(self, spotify_user: str) -> str:
        from spotify_sandbox import catalogue

        person = catalogue.user(spotify_user)
        assert person is not None, spotify_user
        return person.account_id

    def code(self, spotify_user: str) -> str:
        """The listener's code the consent page asks for (Moodtrack's sign-in page shows it)."""
        from spotify_sandbox import services

        return services.listener_code(spotify_user)

    def consent(
        self,
        params: dict[str, str],
        *,
        user: str = "demo",
        action: str = "agree",
        session: requests.Session | None = None,
        code: str | None = None,
    ) -> requests.Response:
        """Open /authorize like a browser and press Agree (or Cancel) as `user`; no redirects.

        `code` is the listener code typed in: the right one unless a test gives another."""
        session = session or requests.Session()
        page = session.get(f"{self.root}/authorize", params=params, timeout=10)
        assert page.status_code == 200, page.text[:500]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, "the consent page has no CSRF token"
        form = {
            **params,
            "csrfmiddlewaretoken": token.group(1),
            "user": user,
            "action": action,
            "code": self.code(user) if code is None else code,
        }
        return session.post(
            f"{self.root}/authorize",
            data=form,
            headers={"Referer": page.url},
            allow_redirects=False,
            timeout=10,
        )

    def csrf_token(self, session: requests.Session, path: str = "/accounts/login/") -> str:
        page = session.get(self.base + path, timeout=10)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def sign_in(
        self,
        session: requests.Session,
        *,
        user: str = "demo",
        action: str = "agree",
        next_url: str = "",
        from_path: str = "/accounts/login/",
    ) -> requests.Response:
        """Press "Sign in with Spotify" (POST), consent at the stand-in as `user`, and come back.

        Returns Moodtrack's answer to /complete/spotify/ (not followed).
        """
        data = {"csrfmiddlewaretoken": self.csrf_token(session, from_path)}
        if next_url:
            data["next"] = next_url
        begin = session.post(
            f"{self.base}/login/spotify/",
            data=data,
            headers={"Referer": self.base + from_path},
            allow_redirects=False,
            timeout=10,
        )
        assert begin.status_code == 302, begin.text[:300]
        location = begin.headers["Location"]
        assert location.startswith(f"{self.root}/authorize?"), location
        params = dict(parse_qsl(urlsplit(location).query))
        back = self.consent(params, user=user, action=action, session=session)
        assert back.status_code == 302
        assert back.headers["Location"].startswith(self.redirect_uri), back.headers["Location"]
        return session.get(back.headers["Location"], allow_redirects=False, timeout=60)

    def staff_session(self, username: str = "operator") -> requests.Session:
        """A staff member signed in with a password, ready for the stand-in's control API (JSON,
        the CSRF token in `X-CSRFToken`)."""
        from accounts.tests.factories import UserFactory

        staff = UserFactory(username=username, is_staff=True)
        session = requests.Session()
        signed_in = session.post(
            f"{self.base}/accounts/login/",
            data={
                "csrfmiddlewaretoken": self.csrf_token(session),
                "username": staff.username,
                "password": "correct-horse-battery",
            },
            allow_redirects=False,
            timeout=10,
        )
        assert signed_in.status_code == 302, signed_in.text[:300]
        session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
        return session

    def session_for(self, access_token: str) -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {access_token}"
        return session


@pytest.fixture
def sandbox(live_server: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """The stand-in over real HTTP; Moodtrack's Spotify settings point at it for this test."""
    # Spotify refuses `localhost` redirect URIs: use the loopback address, as operators must.
    base = live_server.url.replace("localhost", "127.0.0.1")
    stand_in = Sandbox(base=base)
    settings.SPOTIFY_SANDBOX_ENABLED = True
    settings.SPOTIFY_ACCOUNTS_BASE_URL = stand_in.root
    settings.SPOTIFY_API_BASE_URL = stand_in.api
    settings.SPOTIFY_SANDBOX_REDIRECT_URIS = [stand_in.redirect_uri]
    settings.SOCIAL_AUTH_SPOTIFY_KEY = ""
    settings.SOCIAL_AUTH_SPOTIFY_SECRET = ""
    # Close every HTTP session the test opened: a kept-alive connection would otherwise hold a
    # live-server thread that outlives the test and its shared database connection.
    opened: list[requests.Session] = []
    original_init = requests.Session.__init__

    def tracked_init(self: requests.Session, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(requests.Session, "__init__", tracked_init)
    yield stand_in
    for session in opened:
        session.close()


# Spotify's OpenAPI description ----------------------------------------------------------------


@dataclass
class Exchange:
    method: str
    path: str
    status: int


@dataclass
class SpotifyOpenAPI:
    """Validates one HTTP exchange with the stand-in against Spotify's description."""

    raw: dict[str, Any]
    openapi: Any
    checked: list[Exchange] = field(default_factory=list)

    # -- helpers over the raw document
    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            node: Any = self.raw
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        for template, item in self.raw["paths"].items():
            if method.lower() not in item:
                continue
            template_parts = template.strip("/").split("/")
            parts = path.strip("/").split("/")
            if len(template_parts) == len(parts) and all(
                t.startswith("{") or t == p for t, p in zip(template_parts, parts, strict=True)
            ):
                return template, item[method.lower()]
        return None

    def _properties(self, schema: dict[str, Any], instance: Any) -> dict[str, Any] | None:
        schema = self.resolve(schema)
        if "oneOf" in schema and isinstance(instance, dict):
            for option in schema["oneOf"]:
                props = self._properties(option, instance) or {}
                type_schema = self.resolve(props.get("type", {}))
                if instance.get("type") in type_schema.get("enum", [instance.get("type")]):
                    return props
            return None
        props: dict[str, Any] = {}
        for part in schema.get("allOf", []):
            props.update(self._properties(part, instance) or {})
        props.update(schema.get("properties", {}))
        return props

    def deprecated_fields(self, schema: dict[str, Any], instance: Any, where: str = "") -> list:
        """Paths of fields present in `instance` that the description marks deprecated."""
        found: list[str] = []
        schema = self.resolve(schema)
        if isinstance(instance, list):
            items = schema.get("items")
            for index, element in enumerate(instance):
                if items:
                    found += self.deprecated_fields(items, element, f"{where}[{index}]")
            return found
        if not isinstance(instance, dict):
            return found
        props = self._properties(schema, instance) or {}
        for key, value in instance.items():
            if key not in props:
                continue
            sub = self.resolve(props[key])
            if sub.get("deprecated") or props[key].get("deprecated"):
                found.append(f"{where}.{key}")
            found += self.deprecated_fields(props[key], value, f"{where}.{key}")
        return found

    # -- validation of one exchange
    def validate(self, response: requests.Response, *, request_must_be_valid: bool = True) -> None:
        from openapi_core.testing import MockRequest, MockResponse

        request = response.request
        split = urlsplit(request.url)
        path = split.path.split("/spotify-sandbox", 1)[-1].rstrip("/") or "/"
        assert path.startswith("/v1/"), f"not a Web API path: {path}"
        api_path = path[len("/v1") :]
        found = self.operation(request.method, api_path)
        assert found is not None, f"{request.method} {api_path} is not in Spotify's description"
        template, operation = found
        body = request.body or b""
        mock_request = MockRequest(
            "https://api.spotify.com",
            request.method,
            path,
            args=dict(parse_qsl(split.query, keep_blank_values=True)),
            data=body if isinstance(body, bytes) else body.encode(),
            content_type=request.headers.get("Content-Type", "application/json"),
        )
        status = response.status_code
        self.checked.append(Exchange(request.method, template, status))
        if 200 <= status < 300 and request_must_be_valid:
            with warnings.catch_warnings():
                # openapi-core cannot check OAuth 2 security itself; the stand-in's tests do.
                warnings.filterwarnings("ignore", "Unsupported scheme type", UserWarning)
                self.openapi.validate_request(mock_request)
        content_type = response.headers.get("Content-Type", "application/json").split(";")[0]
        if str(status) in operation.get("responses", {}):
            mock_response = MockResponse(
                response.content, status_code=status, content_type=content_type
            )
            self.openapi.validate_response(mock_request, mock_response)
        else:
            assert status >= 400, f"{status} is not a documented answer of {template}"
        if status >= 400:
            error = response.json()["error"]
            assert error["status"] == status
            assert isinstance(error["message"], str)
            assert error["message"]
            return
        declared = operation["responses"].get(str(status), {})
        declared = self.resolve(declared)
        schema = declared.get("content", {}).get("application/json", {}).get("schema")
        if schema and response.content:
            stale = self.deprecated_fields(schema, response.json())
            assert not stale, f"deprecated fields in {template}: {stale}"


def _corrected(document: dict[str, Any]) -> dict[str, Any]:
    """Two fixes to the description before validating against it.

    1. Some deprecated fields are still listed as required (album `available_markets`); Spotify no
       longer sends them to our kind of app, so they become optional.
    2. `item`/`track` discriminate TrackObject | EpisodeObject on `type` without a mapping, so a
       validator looks for a schema named `track`; map each `type` value to its schema.
    """
    document = copy.deepcopy(document)
    schemas = document["components"]["schemas"]

    def type_values(ref: str) -> list[str]:
        schema = schemas[ref.rsplit("/", 1)[-1]]
        parts = [schema, *schema.get("allOf", [])]
        values: list[str] = []
        for part in parts:
            if "$ref" in part:
                values += type_values(part["$ref"])
            values += part.get("properties", {}).get("type", {}).get("enum", [])
        return values

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(node.get("required"), list) and isinstance(props, dict):
                node["required"] = [
                    name
                    for name in node["required"]
                    if not (isinstance(props.get(name), dict) and props[name].get("deprecated"))
                ]
                if not node["required"]:
                    del node["required"]  # OpenAPI 3.0 wants a non-empty list or none
            discriminator = node.get("discriminator")
            if isinstance(discriminator, dict) and "mapping" not in discriminator:
                discriminator["mapping"] = {
                    value: option["$ref"]
                    for option in node.get("oneOf", [])
                    if "$ref" in option
                    for value in type_values(option["$ref"])
                }
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    return document


@pytest.fixture(scope="session")
def spotify_openapi() -> SpotifyOpenAPI:
    """Spotify's OpenAPI description, loaded once per test session."""
    from openapi_core import OpenAPI

    if not OPENAPI_PATH.is_file():
        pytest.fail(f"Spotify's OpenAPI description is missing: {OPENAPI_PATH}")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with OPENAPI_PATH.open() as handle:
        raw = _corrected(yaml.load(handle, Loader=loader))  # noqa: S506
    return SpotifyOpenAPI(raw=raw, openapi=OpenAPI.from_dict(raw))


@pytest.fixture
def openapi_checked_client(
    monkeypatch: pytest.MonkeyPatch, spotify_openapi: SpotifyOpenAPI
) -> Iterator[SpotifyOpenAPI]:
    """Every response our Spotify client gets in this test is validated against the description."""
    from spotify import client as spotify

    original = spotify.client_for_token
    failures: list[str] = []

    def checked(*args: Any, **kwargs: Any):
        client = original(*args, **kwargs)

        def hook(response: requests.Response, *a: Any, **k: Any) -> None:
            try:
                spotify_openapi.validate(response)
            except Exception as error:  # noqa: BLE001 - collected and reported at the end
                failures.append(f"{response.request.method} {response.url}: {error}")

        client.session.hooks["response"].append(hook)
        return client

    monkeypatch.setattr(spotify, "client_for_token", checked)
    before = len(spotify_openapi.checked)
    yield spotify_openapi
    assert not failures, "responses that do not match Spotify's description:\n" + "\n".join(
        failures
    )
    assert len(spotify_openapi.checked) > before, "no Spotify exchange was validated"


def json_body(response: requests.Response) -> Any:
    return json.loads(response.content)


@pytest.fixture
def listener(sandbox: Sandbox) -> Any:
    """Makes a user connected to a stand-in listener (``listener("alex")``)."""
    from accounts.tests.factories import UserFactory

    def make(spotify_user: str = "demo", **kwargs: Any) -> Any:
        user = UserFactory()
        sandbox.link(user, spotify_user, **kwargs)
        return user

    return make
