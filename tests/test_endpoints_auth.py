"""Every URL the project serves: who may call it, whose objects it touches, and CSRF on its forms.

The routes are read from the URL resolver, so a new endpoint is checked without anyone
remembering to add it here; a route that takes an object id must also have an entry in
OBJECT_ENDPOINTS below, or `test_every_object_endpoint_is_checked_for_ownership` fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from social_django.models import UserSocialAuth

from accounts.models import ApiToken, User
from accounts.services import api_token_create
from accounts.tests.factories import UserFactory
from emotions.models import MoodReading
from emotions.tests.factories import MoodReadingFactory
from feedback.models import Rating
from library.tests.factories import LibraryEntryFactory
from recommendations.tests.factories import RecommendationFactory, RecommendationItemFactory

# Not part of the application surface checked here: Django's admin (staff-only by Django),
# the API schema and docs (public by design), static/media, and the Spotify and Last.fm stand-ins
# (fake third parties, off in production).
SKIPPED_PREFIXES = (
    "admin/",
    "spotify-sandbox/",
    "lastfm-sandbox/",
    "static/",
    "media/",
    "api/schema/",
    "api/docs/",
)

# Routes anyone may call. Everything else must send an anonymous visitor to sign in (HTML)
# or answer 401/403 (API).
PUBLIC_ROUTES = {
    "landing",
    "healthz",
    "favicon",  # a redirect to the static icon
    "login",
    "logout",
    "demo-login",
    # Explains a Spotify sign-in that expired (invalid_grant) and offers the button; no data.
    "library:spotify-reconnect",
    "social:begin",
    "social:complete",
    "social:idp_launch",
    "social:app_launch",
}

# Views Django or social-auth exempt from CSRF on purpose (OAuth redirects back with GET/POST
# from the provider, carrying `state`, which social-auth checks).
CSRF_EXEMPT_ROUTES = {
    "social:complete",
    "social:app_launch",
    "social:idp_launch",
}

SAMPLE_ARGUMENTS = {"int": "1", "str": "spotify", "slug": "spotify", "path": "spotify"}
CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    route: str
    name: str

    @property
    def int_kwargs(self) -> list[str]:
        return [m["name"] for m in CONVERTER.finditer(self.route) if m["kind"] == "int"]

    def sample_url(self) -> str:
        def fill(match: re.Match[str]) -> str:
            return SAMPLE_ARGUMENTS[match["kind"] or "str"]

        return "/" + CONVERTER.sub(fill, self.route)

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = f"{namespace}{pattern.name}" if pattern.name else route
            yield Route(route=route, name=name)


def application_routes() -> list[Route]:
    """Every route of the application, from the resolver (skipping SKIPPED_PREFIXES)."""
    return [
        route
        for route in _walk(get_resolver().url_patterns)
        if not route.route.startswith(SKIPPED_PREFIXES) and not route.route.startswith("^")
    ]


ROUTES = application_routes()
PRIVATE_ROUTES = [route for route in ROUTES if route.name not in PUBLIC_ROUTES]


def _login_redirect(response: Any) -> bool:
    login = reverse(settings.LOGIN_URL)
    return response.status_code == 302 and response.headers["Location"].startswith(login)


def _refused(route: Route, response: Any) -> bool:
    if route.is_api:
        return response.status_code in (401, 403)
    return _login_redirect(response)


def test_the_public_allow_list_names_real_routes() -> None:
    assert PUBLIC_ROUTES - {route.name for route in ROUTES} == set()


def test_the_walk_finds_the_applications_routes() -> None:
    names = {route.name for route in ROUTES}

    assert {"emotions:capture", "emotions:reading", "insights:dashboard"} <= names
    assert len(PRIVATE_ROUTES) >= 10


@pytest.mark.django_db
@pytest.mark.parametrize("route", PRIVATE_ROUTES, ids=lambda route: route.name)
def test_anonymous_visitors_are_refused(client: Client, route: Route) -> None:
    url = route.sample_url()

    got = client.get(url)
    posted = client.post(url)

    assert _refused(route, got), f"GET {url} answered {got.status_code} to an anonymous visitor"
    # A GET-only view may answer 405 before asking who is calling; it still exposes nothing.
    assert _refused(route, posted) or posted.status_code == 405, (
        f"POST {url} answered {posted.status_code} to an anonymous visitor"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route", [r for r in PRIVATE_ROUTES if r.is_api], ids=lambda route: route.name
)
def test_the_api_refuses_anonymous_writes(api_client: Any, route: Route) -> None:
    url = route.sample_url()

    for method in ("post", "put", "patch", "delete"):
        response = getattr(api_client, method)(url, {}, format="json")
        assert response.status_code in (401, 403, 405), f"{method.upper()} {url}"


# ------------------------------------------------------------------------------
# CSRF
# ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route",
    [r for r in ROUTES if r.name not in CSRF_EXEMPT_ROUTES],
    ids=lambda route: route.name,
)
def test_a_post_without_the_csrf_token_is_refused(route: Route) -> None:
    """Signed in by session, a forged cross-site POST (no token) is refused on every route."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())

    response = client.post(route.sample_url(), {"stars": 5, "item": 1, "emotion": "happy"})

    assert response.status_code == 403, f"POST {route.sample_url()} -> {response.status_code}"


@pytest.mark.django_db
def test_the_sign_in_form_needs_the_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "x", "password": "y"})

    assert response.status_code == 403


# ------------------------------------------------------------------------------
# Object-level access: user A can't touch user B's things
# ------------------------------------------------------------------------------


@dataclass
class World:
    """Two users; `owner` has one of everything, `intruder` is signed in and tries to use it."""

    owner: User
    intruder: User
    reading: MoodReading
    recommendation: Any
    item: Any
    rating: Rating
    association: UserSocialAuth
    api_token: ApiToken

    def ids(self) -> dict[str, int]:
        return {
            "reading": self.reading.pk,
            "recommendation": self.recommendation.pk,
            "item": self.item.pk,
            "rating": self.rating.pk,
        }


@dataclass(frozen=True)
class Attempt:
    method: str
    kwargs: Callable[[World], dict[str, int]]
    data: Callable[[World], dict[str, Any]] = lambda world: {}
    query: str = ""


def _reading(world: World) -> dict[str, int]:
    return {"pk": world.reading.pk}


# URL name -> what the intruder tries. Every route with an integer argument must be here.
OBJECT_ENDPOINTS: dict[str, list[Attempt]] = {
    "emotions:reading": [Attempt("get", _reading)],
    "emotions:status": [Attempt("get", _reading)],
    "emotions:thumbnail": [Attempt("get", _reading)],
    "emotions:correct": [Attempt("post", _reading, lambda w: {"emotion": "sad"})],
    "emotions:mood_source": [Attempt("post", _reading, lambda w: {"mood_source": "face"})],
    "emotions:delete": [Attempt("post", _reading)],
    "insights:history_delete": [Attempt("get", _reading), Attempt("post", _reading)],
    "recommendations:for_reading": [
        Attempt("get", lambda w: {"reading_id": w.reading.pk}, query="?strategy=lift"),
        Attempt("post", lambda w: {"reading_id": w.reading.pk}, lambda w: {"strategy": "lift"}),
    ],
    "recommendations:detail": [Attempt("get", lambda w: {"pk": w.recommendation.pk})],
    "recommendations:save": [Attempt("post", lambda w: {"pk": w.recommendation.pk})],
    "recommendations:mood_after": [
        Attempt("post", lambda w: {"pk": w.recommendation.pk}, lambda w: {"emotion": "sad"})
    ],
    "recommendations:mood_after_snapshot": [Attempt("post", lambda w: {"pk": w.recommendation.pk})],
    "mood-after-detail": [Attempt("get", lambda w: {"recommendation_id": w.recommendation.pk})],
    "emotions_api:reading-detail": [
        Attempt("get", lambda w: {"reading_id": w.reading.pk}),
        Attempt("patch", lambda w: {"reading_id": w.reading.pk}, lambda w: {"emotion": "sad"}),
        Attempt("delete", lambda w: {"reading_id": w.reading.pk}),
    ],
    "rating-detail": [
        Attempt("get", lambda w: {"rating_id": w.rating.pk}),
        Attempt("patch", lambda w: {"rating_id": w.rating.pk}, lambda w: {"stars": 1}),
        Attempt("delete", lambda w: {"rating_id": w.rating.pk}),
    ],
    "library:api-token-revoke": [
        Attempt("get", lambda w: {"pk": w.api_token.pk}),
        Attempt("post", lambda w: {"pk": w.api_token.pk}),
    ],
    # social-auth's disconnect looks the association up among the caller's own only.
    "social:disconnect_individual": [
        Attempt("post", lambda w: {"backend": "spotify", "association_id": w.association.pk})
    ],
}

# Routes that take the object in the body instead of the URL.
BODY_OBJECT_ENDPOINTS: dict[str, list[Attempt]] = {
    "feedback:rate": [Attempt("post", lambda w: {}, lambda w: {"item": w.item.pk, "stars": 1})],
    "rating-create": [Attempt("post", lambda w: {}, lambda w: {"item": w.item.pk, "stars": 1})],
    "mood-after-create": [
        Attempt(
            "post",
            lambda w: {},
            lambda w: {"recommendation": w.recommendation.pk, "emotion": "sad"},
        )
    ],
    "recommendation-list": [
        Attempt("post", lambda w: {}, lambda w: {"reading": w.reading.pk}),
        Attempt("get", lambda w: {}, query="?reading={reading}"),
    ],
}


@pytest.fixture
def world(db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    storage = FileSystemStorage(location=tmp_path / "private")
    for name in ("image", "thumbnail"):
        monkeypatch.setattr(MoodReading._meta.get_field(name), "storage", storage)
    owner, intruder = UserFactory(), UserFactory()
    thumbnail = storage.save(f"thumbs/{owner.pk}/secret.jpg", ContentFile(b"\xff\xd8owner-face"))
    reading = MoodReadingFactory(user=owner, done=True, thumbnail=thumbnail)
    recommendation = RecommendationFactory(user=owner, reading=reading, emotion="happy")
    item = RecommendationItemFactory(recommendation=recommendation)
    LibraryEntryFactory(user=owner, track=item.track)
    rating = Rating.objects.create(
        user=owner, track=item.track, item=item, emotion="happy", strategy="match", stars=5
    )
    association = UserSocialAuth.objects.create(
        user=owner, provider="spotify", uid="owner-spotify-id", extra_data={}
    )
    api_token = api_token_create(user=owner, name="owner's script").token
    return World(owner, intruder, reading, recommendation, item, rating, association, api_token)


def _call(client: Client, attempt: Attempt, url: str, world: World, *, api: bool) -> Any:
    data = attempt.data(world)
    url += attempt.query.format(**world.ids())
    if attempt.method == "get":
        return client.get(url, data)
    if api:
        return getattr(client, attempt.method)(url, data, content_type="application/json")
    return getattr(client, attempt.method)(url, data)


def _assert_untouched(world: World) -> None:
    reading = MoodReading.objects.get(pk=world.reading.pk)
    assert reading.user_emotion == ""
    assert Rating.objects.get(pk=world.rating.pk).stars == 5
    assert not Rating.objects.filter(user=world.intruder).exists()
    assert world.recommendation.__class__.objects.filter(pk=world.recommendation.pk).exists()
    assert UserSocialAuth.objects.filter(pk=world.association.pk, user=world.owner).exists()
    assert ApiToken.objects.get(pk=world.api_token.pk).revoked_at is None


def _route_by_name() -> dict[str, Route]:
    return {route.name: route for route in ROUTES}


def test_every_object_endpoint_is_checked_for_ownership() -> None:
    with_ids = {
        route.name
        for route in ROUTES
        if route.int_kwargs and route.name not in PUBLIC_ROUTES and route.name
    }

    assert with_ids - set(OBJECT_ENDPOINTS) == set(), "add these routes to OBJECT_ENDPOINTS"


def _object_cases() -> list[tuple[str, Attempt]]:
    present = _route_by_name()
    cases = [
        (name, attempt)
        for registry in (OBJECT_ENDPOINTS, BODY_OBJECT_ENDPOINTS)
        for name, attempts in registry.items()
        for attempt in attempts
        if name in present
    ]
    return cases


@pytest.mark.parametrize(
    ("name", "attempt"),
    _object_cases(),
    ids=[f"{name}-{attempt.method}" for name, attempt in _object_cases()],
)
def test_a_user_cannot_reach_another_users_objects(
    client: Client, world: World, name: str, attempt: Attempt
) -> None:
    client.force_login(world.intruder)
    route = _route_by_name()[name]
    url = reverse(name, kwargs=attempt.kwargs(world))

    response = _call(client, attempt, url, world, api=route.is_api)

    if name == "recommendation-list" and attempt.method == "get":
        # A filter, not a lookup: it answers with the intruder's own (none), never the owner's.
        assert response.status_code == 200
        assert response.json()["results"] == []
    elif name == "social:disconnect_individual":
        # social-auth answers with a redirect whatever happened; what matters is the row.
        assert response.status_code in (302, 403, 404)
    else:
        assert response.status_code in (403, 404, 405), (
            f"{attempt.method.upper()} {url} answered {response.status_code} to another user"
        )
    assert b"owner-face" not in response.content
    _assert_untouched(world)


def test_the_owner_can_reach_their_own_objects(client: Client, world: World) -> None:
    """The same requests from the owner succeed, so the refusals above are about ownership."""
    client.force_login(world.owner)

    assert (
        client.get(reverse("emotions:reading", kwargs={"pk": world.reading.pk})).status_code == 200
    )
    thumbnail = client.get(reverse("emotions:thumbnail", kwargs={"pk": world.reading.pk}))
    assert thumbnail.status_code == 200
    assert b"owner-face" in b"".join(thumbnail.streaming_content)
    detail = client.get(f"/api/v1/readings/{world.reading.pk}/")
    assert detail.status_code == 200
    rating = client.get(f"/api/v1/ratings/{world.rating.pk}/")
    assert rating.status_code == 200


def test_the_export_and_summary_hold_only_the_callers_data(client: Client, world: World) -> None:
    own = MoodReadingFactory(user=world.intruder, done=True)
    client.force_login(world.intruder)

    export = client.get("/api/v1/me/export/")
    html_export = client.get(reverse("insights:history_export"))
    summary = client.get("/api/v1/history/summary/")

    for response in (export, html_export):
        assert response.status_code == 200
        data = response.json()
        assert [reading["id"] for reading in data["readings"]] == [own.pk]
        assert data.get("recommendations", []) == []
        assert world.owner.username.encode() not in response.content
    assert summary.status_code == 200
    assert world.owner.username.encode() not in summary.content
    library = client.get("/api/v1/library/")
    assert library.status_code == 200
    assert library.json()["count"] == 0
