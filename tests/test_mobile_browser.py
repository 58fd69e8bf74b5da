"""In real Chromium on a phone (390x844, and 320 px wide): the capture page shows its action and
its progress without scrolling, and the history and library pages never scroll sideways."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from core.tests.chromium import WIDEST, chromium_for_module
from emotions.models import MoodReading
from emotions.tests.factories import MoodReadingFactory
from emotions.tests.readings_data import readings_at, recommend, tracks
from library.tests.factories import LibraryEntryFactory, TrackFactory

PASSWORD = "correct-horse-battery"
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 800}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    with chromium_for_module() as browser:
        yield browser


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def listener(transactional_db: None) -> User:
    """A listener with a page of history (songs, ratings) and a library with long names."""
    user = UserFactory(username="a-listener-with-a-rather-long-name")
    now = timezone.now()
    moods = ["happy", "sad", "neutral", "surprise", "angry"]
    readings = readings_at(user, [(now - dt.timedelta(hours=h), moods[h % 5]) for h in range(12)])
    songs = tracks(
        [
            "Supercalifragilisticexpialidocious (Extended Orchestral Reprise, Remastered 2019)",
            "Rainy Days and Mondays Always Get Me Down",
        ]
    )
    recommend(user, readings[0], songs, emotion="happy")
    for n in range(12):
        LibraryEntryFactory(
            user=user,
            track=TrackFactory(
                name=f"An Unusually Long Song Title Without Many Breaks Number{n:02d}Extended",
                artist_names="The Extraordinarily Verbose Orchestra, Featuring Everybody",
                album_name="Greatest Hits of the Nineteen-Seventies, Volume Seventeen (Deluxe)",
            ),
            top_short=True,
            recent=True,
        )
    return user


def _signed_in(chromium, live_server, user: User, viewport: dict[str, int]):
    context = chromium.new_context(
        base_url=live_server.url, viewport=viewport, reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("#main").get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
    return context, page


def _in_first_screen(page, selector: str) -> bool:
    """The element is visible and wholly inside the viewport at scroll 0."""
    box = page.locator(selector).first.bounding_box()
    viewport = page.viewport_size
    return (
        box is not None
        and box["width"] > 0
        and box["y"] >= 0
        and box["y"] + box["height"] <= viewport["height"]
        and box["x"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_capture_page_shows_its_action_and_progress_without_scrolling(
    chromium, live_server, listener: User, viewport: dict[str, int], screenshots: Path
) -> None:
    context, page = _signed_in(chromium, live_server, listener, viewport)
    try:
        page.goto("/mood/")
        assert page.evaluate("window.scrollY") == 0
        page.screenshot(path=str(screenshots / f"capture-{viewport['width']}.png"))
        # Something to tap at once: the upload's file chooser and the first mood to pick.
        assert _in_first_screen(page, "#drop-zone")
        assert _in_first_screen(page, ".mood-option")
        if viewport == PHONE:
            assert _in_first_screen(page, "#upload-submit")
        # The status region is there from the start (so it is announced), near the top.
        status = page.locator("[role=status]#capture-status")
        assert status.get_attribute("aria-live") == "polite"
        page.evaluate("document.getElementById('capture-progress').hidden = false")
        page.screenshot(path=str(screenshots / f"capture-progress-{viewport['width']}.png"))
        assert _in_first_screen(page, "#capture-progress")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, SMALL_PHONE], ids=["390", "320"])
@pytest.mark.parametrize("path", ["/mood/history/", "/library/"])
def test_history_and_library_pages_never_scroll_sideways_on_a_phone(
    chromium, live_server, listener: User, viewport: dict[str, int], path: str, screenshots: Path
) -> None:
    context, page = _signed_in(chromium, live_server, listener, viewport)
    try:
        page.goto(path)
        name = path.strip("/").replace("/", "-")
        page.screenshot(path=str(screenshots / f"{name}-{viewport['width']}.png"), full_page=True)
        fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert fits, page.evaluate(WIDEST)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_reading_being_analysed_shows_its_progress_without_scrolling(
    chromium, live_server, listener: User, viewport: dict[str, int], screenshots: Path
) -> None:
    reading = MoodReadingFactory(user=listener, status=MoodReading.Status.PROCESSING)
    context, page = _signed_in(chromium, live_server, listener, viewport)
    try:
        page.goto(f"/mood/readings/{reading.pk}/")
        page.screenshot(path=str(screenshots / f"reading-{viewport['width']}.png"))
        assert (
            page.locator("#reading-announcer[role=status]").get_attribute("aria-live") == "polite"
        )
        assert _in_first_screen(page, "#reading-title")
        assert _in_first_screen(page, ".analysis-step")
        assert _in_first_screen(page, ".analysis-progress")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()
