"""In real Chromium: a reading's page shows songs, switches strategy and learns from stars."""

import re
from collections.abc import Iterator

import pytest
from django.test import Client

from core.tests.chromium import launch_chromium
from emotions.tests.factories import MoodReadingFactory
from feedback.models import Rating
from library.evidence import track_moods_sync_curated
from library.tests.factories import curated_library

pytestmark = pytest.mark.browser


@pytest.fixture
def page(live_server, user, monkeypatch) -> Iterator:
    """A signed-in Chromium page; Spotify's embeds are blocked (no network in tests)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    client = Client()
    client.force_login(user)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(base_url=live_server.url)
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
        context.route(re.compile(r"^https://open\.spotify\.com/.*"), lambda route: route.abort())
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def song_titles(page) -> list[str]:
    return page.locator("#songs-panel .song-title").all_inner_texts()


def test_songs_switch_strategy_and_learn_from_a_rating(page, user) -> None:
    curated_library(user, per_mood=6)
    track_moods_sync_curated()
    reading = MoodReadingFactory(user=user, done=True, emotion="sad")

    page.goto(f"/mood/readings/{reading.pk}/")

    # The result page loads the panel: ten songs from the library, each with a reason.
    heading = page.locator("#songs-title")
    heading.filter(has_text="Feeling sad? Songs to match your mood").wait_for()
    songs = page.locator("#songs-panel li.song")
    assert songs.count() == 10
    match_titles = song_titles(page)
    assert sum(title.startswith("Sad song") for title in match_titles) == 6
    reasons = page.locator("#songs-panel .song-reason").all_inner_texts()
    assert all("in your Liked Songs" in reason for reason in reasons)
    assert "curated sad" in reasons[0]

    # Lift swaps the panel in place, with calm then happy songs.
    page.get_by_role("button", name="Lift my mood").click()
    heading.filter(has_text="Songs to lift your mood").wait_for()
    lift_titles = song_titles(page)
    assert lift_titles != match_titles
    assert not any(title.startswith("Sad song") for title in lift_titles)
    assert page.get_by_role("button", name="Lift my mood").get_attribute("aria-current") == "true"

    # Rate the lowest happy song five stars with the keyboard, without a page load.
    low = max(i for i, title in enumerate(lift_titles) if title.startswith("Happy song"))
    assert low >= 6  # below the calm songs
    target = songs.nth(low)
    rated_title = lift_titles[low]
    page.evaluate("window.notReloaded = true")
    target.locator('input[name="stars"][value="1"]').focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")  # moves the focus only; Enter rates
    page.keyboard.press("Enter")
    cue = target.locator(".rating-cue")
    cue.filter(has_text="Thanks — we'll play more like this.").wait_for()
    assert cue.get_attribute("aria-live") == "polite"
    assert page.evaluate("window.notReloaded") is True
    rating = Rating.objects.get(user=user)
    assert (rating.stars, rating.track.name, rating.emotion) == (5, rated_title, "sad")

    # Asking again ranks the loved song higher and says why.
    page.get_by_role("button", name="Get new picks").click()
    page.locator("#songs-panel .rating-cue", has_text="Thanks").wait_for(state="detached")
    again = song_titles(page)
    assert again.index(rated_title) < low
    reason = songs.nth(again.index(rated_title)).locator(".song-reason").inner_text()
    assert "you rated it ★5 when sad" in reason
