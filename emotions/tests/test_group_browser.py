"""In real Chromium on a phone (390x844): a group photo's result shows every face, the room's mood
card with its chart, passes axe-core (there and at 1280x800), fits the screen, and "Play for the
room" moves the songs to the room's mood and back."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory
from core.tests.chromium import axe_problems, chromium_for_module
from emotions.models import MoodReading
from emotions.tests.factories import MoodReadingFactory

PASSWORD = "correct-horse-battery"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    with chromium_for_module() as browser:
        yield browser


@pytest.fixture
def listener(transactional_db: None) -> User:
    return UserFactory(username="listener")


@pytest.fixture
def phone(live_server, chromium, listener: User) -> Iterator:
    """A phone-sized Chromium page, signed in through the sign-in form."""
    context = chromium.new_context(
        base_url=live_server.url, viewport=PHONE, reduced_motion="reduce", is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)  # this machine may be busy
    page.goto("/accounts/login/?next=/mood/")
    page.get_by_label("Username").fill(listener.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("#main").get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/mood/$"))
    yield page
    context.close()


def test_a_group_photo_on_a_phone_shows_the_room_and_plays_for_it(
    phone, listener: User, tmp_path: Path
) -> None:
    reading = MoodReadingFactory(user=listener, group_photo=True)
    phone.goto(f"/mood/readings/{reading.pk}/")

    assert phone.locator(".frame-map rect.face-box").count() == 3
    faces = [" ".join(text.split()) for text in phone.locator(".face-list li").all_inner_texts()]
    assert faces == ["1 Face 1: Sad 70%", "2 Face 2: Happy 82%", "3 Face 3: Happy 82%"]
    card = phone.get_by_role("region", name="The room feels happy")
    assert card.is_visible()
    phone.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('room-chart'))"
    )
    chart = phone.locator("canvas#room-chart").bounding_box()
    assert chart["width"] > 250
    assert chart["height"] > 150
    assert chart["x"] >= 0
    assert chart["x"] + chart["width"] <= PHONE["width"]
    card.get_by_text("Show the room as a table").click()
    assert card.locator("tbody tr").count() == 7
    card.get_by_text("Show the room as a table").click()  # closed again, for the screenshots
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_problems(phone, "phone") == []
    screenshots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)  # e.g. docs/screenshots
    screenshots.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=screenshots / "result-group-phone.png", full_page=True)

    phone.set_viewport_size(DESKTOP)  # and on a desktop, side by side
    assert axe_problems(phone, "desktop") == []
    phone.screenshot(path=screenshots / "result-group.png", full_page=True)
    phone.set_viewport_size(PHONE)

    phone.get_by_role("button", name="Play for the room").click()
    phone.locator('h1 .emotion-word[data-emotion="happy"]').wait_for()
    assert "The room feels happy" in phone.get_by_role("heading", level=1).inner_text()
    assert (
        "Songs now follow the room's mood: happy."
        in phone.locator("#reading-announcer").inner_text()
    )
    reading.refresh_from_db()
    assert (reading.mood_source, reading.effective_emotion) == ("group", "happy")

    phone.get_by_role("button", name="Songs for face 1 instead").click()
    phone.locator('h1 .emotion-word[data-emotion="sad"]').wait_for()
    assert axe_problems(phone, "face 1's songs") == []  # the swapped-in panel too
    reading.refresh_from_db()
    assert (reading.mood_source, reading.effective_emotion) == (
        MoodReading.MoodSource.FACE,
        "sad",
    )
