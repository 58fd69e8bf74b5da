"""Keyboard only, in real Chromium: take a reading, correct it, switch strategy with Space and
rate a song with the arrow keys and Enter; after each step the focus is in the part of the page
that changed (the songs panel), with a focus ring a sighted keyboard user can see."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client

from accounts.models import User
from core.tests.chromium import launch_chromium
from emotions.models import MoodReading
from emotions.tests.factories import MoodReadingFactory
from feedback.models import Rating
from library.evidence import track_moods_sync_curated
from library.tests.factories import curated_library

pytestmark = pytest.mark.browser

# What the focused element shows: a visually hidden radio shows its ring on its star (the label).
FOCUS_RING = """() => {
  let element = document.activeElement;
  if (!element || element === document.body) return null;
  if (element.matches('input.visually-hidden') && element.labels && element.labels.length) {
    element = element.labels[0];
  }
  const style = getComputedStyle(element);
  return {
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== 'none',
    describe: `${element.tagName}#${element.id} ${(element.textContent || '').trim().slice(0, 40)}`,
  };
}"""


@pytest.fixture
def page(live_server, user: User, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """A signed-in Chromium page; Spotify's embeds are blocked (no network in tests)."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    client = Client()
    client.force_login(user)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 800}
        )
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


@pytest.fixture
def library(user: User) -> None:
    curated_library(user, per_mood=6)
    track_moods_sync_curated()


def tab_to(page, selector: str, *, key: str = "Tab", limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches `selector`."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("(s) => !!document.activeElement?.matches(s)", selector):
            return
    raise AssertionError(f"{key} never reached {selector}")


def focus_in(page, selector: str) -> bool:
    return page.evaluate("(s) => !!document.activeElement?.closest(s)", selector)


def assert_visible_focus(page) -> None:
    # The songs panel brings its own stylesheets: judge the ring once they apply.
    page.wait_for_function(
        "() => [...document.querySelectorAll('link[rel=stylesheet]')].every((link) => link.sheet)"
    )
    ring = page.evaluate(FOCUS_RING)
    assert ring is not None, "the focus fell to the page body"
    assert ring["outline"] or ring["shadow"], f"no visible focus ring on {ring['describe']}"


def wait_for_heading_focus(page, text: str) -> None:
    page.locator("#songs-title", has_text=text).wait_for()
    page.wait_for_function("() => document.activeElement?.id === 'songs-title'")
    assert focus_in(page, "#songs-panel")
    assert_visible_focus(page)


def test_a_reading_with_the_keyboard_alone(page, user: User, library: None) -> None:
    # Take a reading: Tab to "Sad" on the capture page and press Enter.
    page.goto("/mood/")
    tab_to(page, ".capture-manual button.mood-option[value='sad']")
    assert_visible_focus(page)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/mood/readings/\d+/$"))
    reading = MoodReading.objects.get(user=user)
    assert (reading.source, reading.user_emotion) == ("manual", "sad")
    page.locator("#songs-title", has_text="Feeling sad? Songs to match your mood").wait_for()

    # The songs panel is in the Tab order, right after the reading.
    tab_to(page, "#songs-panel a, #songs-panel button, #songs-panel input")
    assert_visible_focus(page)

    # Correct the mood: back to "Happy" in the correction form, Enter. The focus moves on to the
    # new songs' heading (not the body), and the next Tab stays in the songs panel.
    tab_to(page, "form.correction button[value='happy']", key="Shift+Tab")
    assert_visible_focus(page)
    page.keyboard.press("Enter")
    wait_for_heading_focus(page, "Feeling happy? Songs to match your mood")
    reading.refresh_from_db()
    assert reading.user_emotion == "happy"
    page.keyboard.press("Tab")
    assert focus_in(page, "#songs-panel .strategy-switch")
    assert_visible_focus(page)

    # Switch strategy with Space: the link does not scroll the page, it acts like a button.
    tab_to(page, "#songs-panel .strategy-switch a[href$='strategy=lift']")
    assert_visible_focus(page)
    scrolled = page.evaluate("window.scrollY")
    page.keyboard.down(" ")
    page.wait_for_timeout(300)  # a scroll would have started (and smooth scrolling moved) by now
    assert page.evaluate("window.scrollY") == scrolled
    page.keyboard.up(" ")
    wait_for_heading_focus(page, "Feeling happy? Songs to lift your mood")
    lift = page.locator("#songs-panel .strategy-switch a[href$='strategy=lift']")
    assert lift.get_attribute("aria-current") == "true"

    # Rate a song: Tab to its stars, move with the arrow keys, confirm with Enter; no page load.
    page.evaluate("window.notReloaded = true")
    tab_to(page, "#songs-panel input[name='stars']")
    rated = page.evaluate("document.activeElement.closest('li.song').dataset.track")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    song = page.locator(f"#songs-panel li.song[data-track='{rated}']")
    song.locator(".rating-cue", has_text="Thanks").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.notReloaded") is True
    assert page.evaluate("document.activeElement.value") == "4"
    assert focus_in(page, f"#songs-panel li.song[data-track='{rated}'] .star-rating")
    assert_visible_focus(page)
    rating = Rating.objects.get(user=user)  # exactly one
    assert (rating.stars, rating.item.track.spotify_id, rating.emotion) == (4, rated, "happy")


def test_undoing_a_correction_keeps_the_focus_in_the_songs(page, user: User, library: None) -> None:
    reading = MoodReadingFactory(user=user, done=True, emotion="sad")
    page.goto(f"/mood/readings/{reading.pk}/")
    page.locator("#songs-title", has_text="Feeling sad?").wait_for()

    tab_to(page, "form.correction button[value='angry']")
    page.keyboard.press("Enter")
    wait_for_heading_focus(page, "Feeling angry?")

    tab_to(page, "form.correction button[value='']", key="Shift+Tab")
    assert_visible_focus(page)
    page.keyboard.press("Enter")
    wait_for_heading_focus(page, "Feeling sad?")
    reading.refresh_from_db()
    assert reading.user_emotion == ""
    page.keyboard.press("Tab")
    assert focus_in(page, "#songs-panel")
