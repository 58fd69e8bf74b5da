"""In real Chromium: rate songs, see the stars again in the next list, answer "How do you feel
now?" when it appears, and find the answer on the dashboard's match/lift panel; the stars move
with the arrow keys and save only on Enter, Space or a click; Space and Enter both switch between
match and lift; the new parts pass axe and reflow at 390x844."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from core.tests.chromium import axe_problems, chromium_for_module, sideways_problems
from emotions.tests.factories import MoodReadingFactory
from emotions.tests.readings_data import recommend, tracks
from feedback.models import MoodAfter, Rating
from library.evidence import track_moods_sync_curated
from library.tests.factories import curated_library
from recommendations.models import Recommendation

pytestmark = pytest.mark.browser

SPOTIFY = re.compile(r"^https://(open|embed)\.spotify\.com/.*")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with chromium_for_module() as browser:
        yield browser


@pytest.fixture
def open_page(chromium: Any, live_server: Any, user: User) -> Iterator[Any]:
    """`open_page(viewport)`: a signed-in page of a fresh context (closed after the test)."""
    client = Client()
    client.force_login(user)
    host = live_server.url.split("://", 1)[1].split(":")[0]
    contexts: list[Any] = []

    def open_page(viewport: dict[str, int] = DESKTOP, **options: Any) -> Any:
        context = chromium.new_context(base_url=live_server.url, viewport=viewport, **options)
        contexts.append(context)
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
        context.route(SPOTIFY, lambda route: route.abort())
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def rated_tracks(user: User) -> dict[str, int]:
    return {
        rating.track.spotify_id: rating.stars
        for rating in Rating.objects.filter(user=user).select_related("track")
    }


def test_rate_see_the_stars_again_answer_and_see_it_on_the_dashboard(
    open_page: Any, user: User
) -> None:
    # A small library, so the next list of ten is bound to bring rated songs back.
    curated_library(user, per_mood=3)
    track_moods_sync_curated()
    reading = MoodReadingFactory(user=user, done=True, emotion="sad")
    page = open_page()
    page.clock.install()
    page.goto(f"/mood/readings/{reading.pk}/")
    page.locator("#songs-title", has_text="Feeling sad? Songs to match your mood").wait_for()
    songs = page.locator("#songs-panel li.song")
    assert songs.count() == 10
    first_list = Recommendation.objects.get(user=user)

    # Rate three songs: arrows then Enter, arrows then Space, and a click.
    ids = [songs.nth(n).get_attribute("data-track") for n in range(3)]
    songs.nth(0).locator('input[name="stars"][value="1"]').focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert rated_tracks(user) == {}  # the arrows moved the focus and saved nothing
    page.keyboard.press("Enter")
    songs.nth(0).locator(".rating-cue", has_text="Thanks — we'll play more like this.").wait_for()
    songs.nth(1).locator('input[name="stars"][value="1"]').focus()
    page.keyboard.press("End")
    page.keyboard.press(" ")
    songs.nth(1).locator(".rating-cue", has_text="Thanks").wait_for()
    songs.nth(2).locator('label[for$="-2"]').click()
    songs.nth(2).locator(".rating-cue", has_text="Thanks — we'll play less like this.").wait_for()
    assert rated_tracks(user) == {ids[0]: 4, ids[1]: 5, ids[2]: 2}

    # The next list shows the stars of every rated song it brings back, without a new rating.
    page.get_by_role("button", name="Get new picks").click()
    page.wait_for_function(
        "() => ![...document.querySelectorAll('#songs-panel .rating-cue')]"
        ".some((cue) => cue.textContent.includes('Thanks'))"
    )
    assert Recommendation.objects.filter(user=user).count() == 2
    again = {
        track: stars
        for track, stars in rated_tracks(user).items()
        if page.locator(f"#songs-panel li.song[data-track='{track}']").count()
    }
    assert again, "the next list brought no rated song back"
    for track, stars in again.items():
        song = page.locator(f"#songs-panel li.song[data-track='{track}']")
        assert song.locator('input[name="stars"]:checked').get_attribute("value") == str(stars)
        assert song.locator(".rating-cue").inner_text() == (
            f"You rated it ★{stars} in an earlier list."
        )
        # The stars are drawn filled: the checked star's label has the "rated" colour.
        colour = song.locator(f'label[for$="-{stars}"]').evaluate("e => getComputedStyle(e).color")
        assert colour == "rgb(176, 109, 0)"
    assert Rating.objects.filter(user=user).count() == 3

    # "How do you feel now?" waits until the list has been open a while, then appears below
    # the songs without taking the focus.
    prompt = page.locator("#mood-after")
    assert prompt.is_hidden()
    page.get_by_role("button", name="Get new picks").focus()
    page.clock.fast_forward("03:05")
    prompt.wait_for(state="visible")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Get new picks"
    announce = page.locator("[data-mood-after-announce]")
    assert "How do you feel now?" in announce.inner_text()

    prompt.get_by_role("button", name="Neutral").click()
    status = prompt.locator(".mood-after-answer")
    status.filter(has_text="You feel neutral now: better than the sad mood").wait_for()
    assert prompt.get_by_role("button", name="Neutral").get_attribute("aria-pressed") == "true"
    # Changed to happy: still one answer, for the list on screen.
    prompt.get_by_role("button", name="Happy").click()
    page.locator("#mood-after .mood-after-answer", has_text="You feel happy now").wait_for()
    answer = MoodAfter.objects.get(user=user)
    latest = Recommendation.objects.filter(user=user).latest("created_at", "id")
    assert latest != first_list
    assert (answer.recommendation, answer.emotion, answer.emotion_before, answer.strategy) == (
        latest,
        "happy",
        "sad",
        "match",
    )

    # The dashboard's match/lift panel counts it, with the honest note.
    page.clock.resume()
    page.goto("/dashboard/")
    page.wait_for_function("() => document.body.dataset.chartsReady === '3'")
    panel = page.locator("section.mood-after-panel")
    assert panel.get_by_role("heading", name="Did the music help?").is_visible()
    match_row = panel.locator("#mood-after-table tr[data-strategy='match']")
    assert match_row.locator("td").all_inner_texts() == ["1 (100.0%)", "0 (0.0%)", "0 (0.0%)", "1"]
    assert (
        "Too few answers to say yet (4 more needed)."
        in panel.locator("li[data-strategy='match']").inner_text()
    )
    assert panel.locator("canvas#mood-after-chart").get_attribute("role") == "img"


def test_space_and_enter_both_switch_strategy_and_arrows_never_save(
    open_page: Any, user: User
) -> None:
    curated_library(user, per_mood=3)
    track_moods_sync_curated()
    reading = MoodReadingFactory(user=user, done=True, emotion="sad")
    page = open_page()
    page.goto(f"/songs/reading/{reading.pk}/")
    heading = page.locator("#songs-title")
    heading.filter(has_text="Songs to match your mood").wait_for()

    def swapped_to(strategy: str) -> None:
        # The new panel's heading takes the focus (autofocus, as HTMX settles the swap): wait for
        # that before focusing the next control, or the key would land on the heading.
        from playwright.sync_api import expect

        heading.filter(has_text=f"Songs to {strategy} your mood").wait_for()
        expect(heading).to_be_focused()

    page.locator(".strategy-switch a[href$='strategy=lift']").focus()
    page.keyboard.press("Enter")
    swapped_to("lift")
    page.locator(".strategy-switch a[href$='strategy=match']").focus()
    page.keyboard.press(" ")
    swapped_to("match")
    page.locator(".strategy-switch a[href$='strategy=lift']").focus()
    page.keyboard.press(" ")
    swapped_to("lift")
    lift = page.locator(".strategy-switch a[href$='strategy=lift']")
    assert lift.get_attribute("aria-current") == "true"

    # Every arrow key, Home and End move along the stars; none of them saves.
    song = page.locator("#songs-panel li.song").first
    song.locator('input[name="stars"][value="3"]').focus()
    focused = []
    for key in ("ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp", "Home", "End", "ArrowRight"):
        page.keyboard.press(key)
        focused.append(page.evaluate("document.activeElement.value"))
    assert focused == ["4", "5", "4", "3", "1", "5", "5"]
    hint = song.locator(".rating-cue").evaluate("e => getComputedStyle(e, '::after').content")
    assert hint == '"Enter or Space saves"'
    page.wait_for_timeout(300)
    assert not Rating.objects.exists()
    assert song.locator('input[name="stars"]:checked').count() == 0
    # Tab leaves this song's stars in one step (one Tab stop for the group), Shift+Tab comes back.
    track = song.get_attribute("data-track")
    where = "document.activeElement.closest('li.song')?.dataset.track"
    page.keyboard.press("Tab")
    assert page.evaluate(where) != track
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(where) == track
    assert page.evaluate("document.activeElement.name") == "stars"
    page.keyboard.press(" ")
    song.locator(".rating-cue", has_text="Thanks").wait_for()
    assert Rating.objects.get().stars == int(page.evaluate("document.activeElement.value"))


def test_the_prompt_and_the_panel_pass_axe_and_reflow_on_a_phone(
    open_page: Any, user: User
) -> None:
    reading = MoodReadingFactory(user=user, done=True, emotion="sad")
    asked = recommend(user, reading, tracks(["Song A", "Song B"]))
    answered = recommend(user, reading, tracks(["Song C"]), emotion="angry")
    # Answered 20 minutes ago; the latest list, 10 minutes old, still waits for an answer.
    Recommendation.objects.filter(pk=answered.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=20)
    )
    Recommendation.objects.filter(pk=asked.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=10)
    )
    answered.refresh_from_db()
    for strategy, after in (("match", "happy"), ("lift", "sad")):
        made = recommend(user, None, tracks([f"{strategy} song"]))
        Recommendation.objects.filter(pk=made.pk).update(strategy=strategy)
        MoodAfter.objects.create(
            recommendation=made, user=user, emotion=after, emotion_before="sad", strategy=strategy
        )
    MoodAfter.objects.create(
        recommendation=answered, user=user, emotion="neutral", emotion_before="angry"
    )
    problems: list[str] = []
    for viewport in (DESKTOP, PHONE):
        page = open_page(viewport, reduced_motion="reduce")
        for path, ready in (
            (f"/songs/{asked.pk}/", "#mood-after:not([hidden]) button[value='happy']"),
            (f"/songs/{answered.pk}/", "#mood-after .mood-after-answer"),
            ("/dashboard/", "#mood-after-table"),
        ):
            where = f"{path} at {viewport['width']}x{viewport['height']}"
            page.goto(path)
            page.locator(ready).wait_for()
            if path == "/dashboard/":
                page.wait_for_function("() => document.body.dataset.chartsReady === '3'")
                assert page.locator(".mood-after-pending a").get_attribute("href") == (
                    f"/songs/{asked.pk}/#mood-after"
                )
            problems += axe_problems(page, where)
            problems += sideways_problems(page, where)
        if viewport is PHONE:
            # The seven feelings wrap on a phone: every one is on screen at its full width.
            page.goto(f"/songs/{asked.pk}/")
            boxes = page.locator("#mood-after .mood-after-options button").evaluate_all(
                "bs => bs.map(b => b.getBoundingClientRect().right)"
            )
            assert len(boxes) == 7
            assert max(boxes) <= PHONE["width"]
    assert not problems, "\n".join(problems)
