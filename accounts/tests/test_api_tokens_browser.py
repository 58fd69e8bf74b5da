"""In real Chromium (issue 14, Must show 3, the token part): a listener makes an API token on the
profile page at phone width, reads the key off the page, and a `requests` session with
`Authorization: Token <key>` uploads a photo, polls it and gets its recommendations; revoking it
on the page shuts the script out."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.test import Client

from accounts.models import ApiToken, User
from core.tests.chromium import launch_chromium
from emotions.tests import images
from emotions.tests.conftest import tiny_model_file  # noqa: F401 - a fixture
from library.evidence import track_moods_sync_curated
from library.tests.factories import curated_library

PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def listener(transactional_db: None) -> User:
    """A listener with a small curated library (four songs per mood)."""
    user = User.objects.create(username="listener")
    curated_library(user, per_mood=4)
    track_moods_sync_curated()
    return user


@pytest.fixture
def model(settings, tiny_model_file: Path) -> Path:  # noqa: F811
    shipped = Path(settings.BASE_DIR) / "ml" / "weights" / "emotion_cnn.keras"
    settings.EMOTION_MODEL_PATH = shipped if shipped.is_file() else tiny_model_file
    return settings.EMOTION_MODEL_PATH


@pytest.fixture
def page(live_server, listener: User, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """A Chromium page at 390x844, signed in as the listener."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    client = Client()
    client.force_login(listener)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(base_url=live_server.url, viewport=PHONE)
        host = live_server.url.split("://", 1)[1].split(":")[0]
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "domain": host,
                    "path": "/",
                }
            ]
        )
        page = context.new_page()
        page.set_default_timeout(30_000)
        yield page
        browser.close()


def screenshot(page, name: str) -> None:
    """Kept when SCREENSHOT_DIR is set (e.g. docs/screenshots)."""
    if folder := os.environ.get("SCREENSHOT_DIR"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / name, full_page=True)


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_a_token_from_the_profile_page_drives_the_api(
    page, live_server, listener: User, model: Path, private_media: Path
) -> None:
    page.goto("/accounts/profile/")
    section = page.get_by_role("article").filter(has=page.get_by_role("heading", name="API tokens"))
    section.get_by_label("Token name").fill("phone script")
    section.get_by_role("button", name="Create token").click()

    # The key, once, with its warning, readable at 390 px.
    key_box = page.locator("#new-token-key")
    key_box.wait_for()
    key = key_box.inner_text().strip()
    assert re.fullmatch(r"mt_[0-9a-f]{10}_[A-Za-z0-9_-]{43}", key)
    assert page.get_by_text("it will not be shown again").is_visible()
    assert page.get_by_role("heading", name="Your new token “phone script”").is_visible()
    assert no_sideways_scroll(page)
    screenshot(page, "api-token-created-390.png")
    box = key_box.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    listed = page.locator(".token-list li", has_text="phone script")
    assert listed.count() == 1
    assert ApiToken.objects.get(user=listener).prefix in listed.inner_text()

    # A script with the key: upload, poll, recommend.
    api = requests.Session()
    api.headers["Authorization"] = f"Token {key}"
    base = f"{live_server.url}/api/v1"
    uploaded = api.post(
        f"{base}/readings/",
        files={"image": ("me.jpg", images.astronaut_jpeg(), "image/jpeg")},
        data={"source": "upload"},
        timeout=120,
    )
    assert uploaded.status_code == 202, uploaded.text
    reading = uploaded.json()
    deadline = time.monotonic() + 120
    while reading["status"] in ("pending", "processing"):
        assert time.monotonic() < deadline, "the reading never finished"
        time.sleep(0.5)
        reading = api.get(reading["url"], timeout=30).json()
    assert reading["status"] == "done"
    assert reading["effective_emotion"]

    before = api.get(f"{base}/recommendations/", params={"reading": reading["id"]}, timeout=30)
    assert before.json()["count"] == 0  # nothing made yet (README)
    made = api.post(f"{base}/recommendations/", json={"reading": reading["id"]}, timeout=60)
    assert made.status_code == 201, made.text
    songs = made.json()["items"]
    assert len(songs) == 10
    assert all(song["reason"] for song in songs)
    after = api.get(f"{base}/recommendations/", params={"reading": reading["id"]}, timeout=30)
    assert after.json()["results"][0]["id"] == made.json()["id"]

    # The page now says when it was used, and never shows the key again.
    page.goto("/accounts/profile/")
    assert key not in page.content()
    used = page.locator(".token-list li", has_text="phone script").inner_text()
    assert "Last used" in used
    assert "never" not in used
    screenshot(page, "api-token-list-390.png")

    # Revoke, with a confirmation step; the script is refused from then on.
    page.get_by_role("link", name=re.compile(r"Revoke the token “phone script”")).click()
    page.get_by_role("heading", name="Revoke the token “phone script”?").wait_for()
    assert no_sideways_scroll(page)
    screenshot(page, "api-token-revoke-390.png")
    page.get_by_role("button", name="Revoke token").click()
    page.get_by_text("The token “phone script” is revoked").wait_for()
    assert page.get_by_text("You have no API tokens.").is_visible()
    refused = api.get(f"{base}/readings/", timeout=30)
    assert refused.status_code == 401
