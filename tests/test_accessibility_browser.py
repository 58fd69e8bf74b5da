"""In real Chromium, axe-core (WCAG 2.0/2.1 A and AA) finds no serious or critical violation on
any HTML page of the README's endpoint table, signed out, as a listener and as staff, at desktop
(1280x800) and phone (390x844) sizes; and no page scrolls sideways at 390 or 320 px. The capture
page is checked twice: as loaded and with the (fake) webcam on and playing.

The site's Content-Security-Policy forbids injected script tags, so the vendored axe source
(static/vendor/axe-core/, `make vendor`) is evaluated in the page through the DevTools protocol.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.curators import curators_group_ensure
from accounts.models import User
from accounts.services import api_token_create
from accounts.tests.factories import UserFactory
from core.tests.chromium import axe_problems, chromium_for_module, sideways_problems
from emotions.models import MoodReading
from emotions.tests.factories import MoodReadingFactory
from emotions.tests.readings_data import rate, readings_at, recommend, tracks
from library.evidence import track_moods_sync_curated
from library.models import LibrarySync
from library.tests.factories import LibraryEntryFactory, TrackFactory, curated_library
from recommendations.models import Recommendation

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 640}
SPOTIFY = re.compile(r"^https://(open|embed)\.spotify\.com/.*")  # no network in tests


@dataclass(frozen=True)
class Page:
    """A page to check: its path, and how to bring it into the state that matters."""

    path: str
    ready: Callable[[Any], None] = lambda page: None


def _dashboard_ready(page: Any) -> None:
    page.wait_for_function("document.body.dataset.chartsReady === '2'")
    page.evaluate(
        "document.querySelectorAll('#dashboard-body details').forEach(d => d.open = true)"
    )


def _songs_ready(page: Any) -> None:
    page.locator("#songs-panel li.song").first.wait_for()


def _camera_ready(page: Any) -> None:
    """The capture page with the (fake) webcam on and its video playing."""
    page.get_by_role("button", name="Turn on camera").click()
    page.locator('#capture[data-state="live"]').wait_for()
    page.wait_for_function("() => document.getElementById('camera-video').videoWidth > 0")


def _swagger_ready(page: Any) -> None:
    """Swagger UI drawn, with one operation opened (its parameters and responses shown)."""
    page.locator(".swagger-ui .opblock").first.wait_for()
    page.locator(".swagger-ui .opblock-post .opblock-summary-control").first.click()
    page.locator(".swagger-ui .opblock.is-open .responses-table").first.wait_for()


def _check(browser: Any, base_url: str, session: str | None, pages: list[Page]) -> list[str]:
    """axe at desktop and phone size, reflow at 390 and 320 px; every problem as one line."""
    problems: list[str] = []
    for viewport, run_axe in ((DESKTOP, True), (PHONE, True), (SMALL_PHONE, False)):
        context = browser.new_context(base_url=base_url, viewport=viewport, reduced_motion="reduce")
        try:
            if session:
                host = base_url.split("://", 1)[1].split(":")[0]
                context.add_cookies(
                    [{"name": "sessionid", "value": session, "domain": host, "path": "/"}]
                )
            context.route(SPOTIFY, lambda route: route.abort())
            page = context.new_page()
            page.set_default_timeout(15_000)
            for target in pages:
                where = f"{target.path} at {viewport['width']}x{viewport['height']}"
                response = page.goto(target.path)
                assert response is not None
                assert response.ok, f"{where}: HTTP {response.status}"
                assert page.url == base_url + target.path, f"{where}: redirected to {page.url}"
                target.ready(page)
                if run_axe:
                    problems += axe_problems(page, where)
                if viewport["width"] <= PHONE["width"]:
                    problems += sideways_problems(page, where)
        finally:
            context.close()
    return problems


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    # A fake webcam (Chromium's test pattern), allowed without a prompt, for the capture page.
    with chromium_for_module(
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"
    ) as browser:
        yield browser


def _session(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


@pytest.fixture
def listener(transactional_db: None) -> User:
    """A month of readings with rated songs, a synced library (some songs of unknown mood, for
    the quick sort), and a done reading whose songs come from the library."""
    user = UserFactory(username="listener")
    now = timezone.now()
    moods = ("happy", "sad", "neutral", "angry", "surprise", "fear", "disgust")
    readings = readings_at(
        user, [(now - dt.timedelta(days=day, hours=day % 9), moods[day % 7]) for day in range(30)]
    )
    helped = recommend(user, readings[0], tracks(["Here Comes The Sun", "Rainy Days"]))
    rate(user, helped.items.get(position=1), 5)
    curated_library(user, per_mood=6)
    track_moods_sync_curated()
    for n in range(6):
        LibraryEntryFactory(
            user=user,
            track=TrackFactory(name=f"A Song Nobody Sorted Yet {n}", tag_cluster=n % 3),
            recent=True,
        )  # and in genre families, for the library page's bars
    LibrarySync.objects.update_or_create(
        user=user,
        defaults={
            "status": LibrarySync.Status.DONE,
            "track_count": 36,
            "last_success_at": now,
            "finished_at": now,
        },
    )
    return user


def test_signed_out_pages_are_accessible_and_reflow(chromium, live_server) -> None:
    pages = [
        Page("/"),
        Page("/accounts/login/"),
        Page("/accounts/spotify/reconnect/"),
        Page("/api/docs/", _swagger_ready),
    ]
    problems = _check(chromium, live_server.url, None, pages)
    assert not problems, "\n".join(problems)


def test_listener_pages_are_accessible_and_reflow(chromium, live_server, listener: User) -> None:
    reading = MoodReadingFactory(user=listener, done=True, emotion="sad")
    recommendation = Recommendation.objects.filter(user=listener).earliest("pk")
    token = api_token_create(user=listener, name="My script").token
    pages = [
        Page("/"),
        Page("/mood/"),
        Page("/mood/", _camera_ready),
        Page(f"/mood/readings/{reading.pk}/", _songs_ready),
        Page(f"/songs/reading/{reading.pk}/", _songs_ready),
        Page(f"/songs/{recommendation.pk}/"),
        Page("/mood/history/"),
        Page(f"/mood/history/{reading.pk}/delete/"),
        Page("/mood/history/delete/"),
        Page("/dashboard/", _dashboard_ready),
        Page("/library/"),
        Page("/library/sort/"),
        Page("/accounts/profile/"),
        Page(f"/accounts/profile/tokens/{token.pk}/revoke/"),
        Page("/accounts/spotify/reconnect/"),
        Page("/accounts/spotify/permissions/?next=/library/"),
    ]
    problems = _check(chromium, live_server.url, _session(listener), pages)
    assert MoodReading.objects.filter(user=listener).count() == 31
    assert not problems, "\n".join(problems)


def test_staff_pages_are_accessible_and_reflow(chromium, live_server, transactional_db) -> None:
    curator = UserFactory(username="curator", is_staff=True)
    curator.groups.add(curators_group_ensure())
    pages = [
        Page("/admin/"),
        Page("/admin/library/moodplaylist/"),
        Page("/admin/library/moodplaylist/import/"),
        Page("/admin/recommendations/emotionmoodrule/"),
        Page("/admin/library/trackmood/"),
    ]
    problems = _check(chromium, live_server.url, _session(curator), pages)
    assert not problems, "\n".join(problems)
