"""In real Chromium, the "real" listener's first day (issue 13, "Must show" 2): sign in through the
Spotify stand-in's consent page, watch the sync and the Last.fm look-up on the library page until
coverage passes 80 %, pick "sad" and get ten songs whose reasons name their evidence, then label a
song on the quick sort page with the keyboard and find "you sorted it as sad" in its reason.
Also: the library and quick sort pages fit a 390 px wide phone without sideways scrolling.

The sync runs inside the sign-in request (eager Celery). The Last.fm look-up is queued by it and
run by the test itself, as a worker would, so that the page's progress card is seen moving.
Needs the shared real songs (`music_moods_csv`: skipped without them, a failure under CI=true).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from accounts.models import User
from core.tests.chromium import launch_chromium
from lastfm_sandbox.testing import LastfmStandIn
from library import tags as tags_service
from library.models import LibrarySync, TagFetch, TrackMood
from library.tasks import tags_fetch
from spotify_sandbox.testing import Sandbox

# A reason names its evidence with one of these (recommendations.services.SOURCE_PHRASES).
EVIDENCE_WORDS = ("Last.fm", "playlist", "curated", "sorted", "ratings")
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

# Keeps what the Last.fm card says each time HTMX swaps it in (text, progress value and max), in
# sessionStorage: the page reloads itself when the look-up ends.
RECORD_TAG_CARD = """() => {
  sessionStorage.setItem("tagCard", "[]");
  const note = () => {
    const card = document.getElementById("tag-status");
    if (!card) return;
    const bar = card.querySelector("progress");
    const entry = {
      text: card.querySelector("[role=status]").innerText.trim(),
      value: bar && bar.hasAttribute("value") ? Number(bar.value) : null,
      max: bar ? Number(bar.max) : null,
    };
    const seen = JSON.parse(sessionStorage.getItem("tagCard"));
    const last = seen[seen.length - 1];
    if (!last || last.text !== entry.text) {
      seen.push(entry);
      sessionStorage.setItem("tagCard", JSON.stringify(seen));
    }
  };
  note();
  new MutationObserver(note).observe(document.body, {childList: true, subtree: true});
}"""


@pytest.fixture
def queued_tag_fetches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The users whose Last.fm look-up a sync queued; the test runs them (no inline run)."""
    queued: list[int] = []
    monkeypatch.setattr(tags_service, "_enqueue", queued.append)
    return queued


@pytest.fixture
def page(
    sandbox: Sandbox, lastfm: LastfmStandIn, music_moods_csv, monkeypatch: pytest.MonkeyPatch
) -> Iterator:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM work is safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(
            base_url=sandbox.base, viewport={"width": 1100, "height": 900}
        )
        # Nothing may leave the machine: Spotify's players are blocked, anything else is a failure.
        context.route(
            re.compile(r"^https://open\.spotify\.com/embed/"), lambda route: route.abort()
        )
        tab = context.new_page()
        tab.set_default_timeout(60_000)  # the sync runs inside the sign-in request
        outside: list[str] = []
        tab.on(
            "request",
            lambda request: (
                None
                if request.url.startswith(
                    (sandbox.base, "data:", "https://open.spotify.com/embed/")
                )
                else outside.append(request.url)
            ),
        )
        yield tab
        context.close()
        browser.close()
        assert outside == []


def evidence_named(reason: str) -> bool:
    """The mood part of a reason (after "in your Liked Songs · ") names where it comes from."""
    mood_part = reason.split(" · ", 1)[1] if " · " in reason else ""
    return any(word in mood_part for word in EVIDENCE_WORDS) and "exploring" not in mood_part


def fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_real_listener_gets_moods_on_day_one(
    page, sandbox: Sandbox, queued_tag_fetches: list[int]
) -> None:
    from playwright.sync_api import expect

    timings: dict[str, float] = {}
    started = time.monotonic()

    # Sign in through the stand-in's consent page as the real listener.
    page.goto("/")
    page.get_by_role("button", name="Sign in with Spotify").click()
    expect(page).to_have_url(re.compile(r"/spotify-sandbox/authorize\?"))
    page.get_by_label(re.compile(r"Robin \(real songs\)")).check()
    page.get_by_label("Listener code").fill(sandbox.code("real"))
    page.get_by_role("button", name="Agree").click()
    expect(page).to_have_url(f"{sandbox.base}/library/")
    timings["sign-in and sync"] = time.monotonic() - started

    user = User.objects.get(social_auth__extra_data__id="real")
    sync = LibrarySync.objects.get(user=user)
    assert sync.status == LibrarySync.Status.DONE, sync.message
    tracks = sync.track_count
    assert tracks > 300
    expect(page.locator("#library-status")).to_contain_text(f"{tracks} tracks in your library")
    # The sync queued the Last.fm look-up: the card says so and polls.
    assert queued_tag_fetches == [user.pk]
    card = page.locator("#tag-status")
    expect(card).to_contain_text("Song moods from Last.fm: queued.")
    before = page.locator("[data-coverage-share]").inner_text()

    # A worker runs the look-up; the card shows it moving, then done.
    page.evaluate(RECORD_TAG_CARD)
    fetch_started = time.monotonic()
    assert tags_fetch.apply(kwargs={"user_id": user.pk}).get() == TagFetch.Status.DONE
    timings["Last.fm look-up"] = time.monotonic() - fetch_started
    expect(card).to_contain_text(f"Looked up {tracks} of {tracks} songs on Last.fm.")
    seen = page.evaluate("JSON.parse(sessionStorage.getItem('tagCard'))")
    running = [
        entry
        for entry in seen
        if entry["text"].startswith("Looked up") and entry["text"].endswith("songs on Last.fm…")
    ]
    assert running, seen
    assert all(entry["max"] == tracks for entry in running), running
    assert any(0 < entry["value"] < tracks for entry in running), running

    # The page reloaded itself when the look-up ended: coverage above 80 %.
    share = page.locator("[data-coverage-share]")
    expect(share).not_to_have_text(before)
    found = re.fullmatch(r"(\d+)\s*%", share.inner_text().strip())
    assert found, share.inner_text()
    assert int(found.group(1)) > 80, share.inner_text()
    sources = page.get_by_role("list", name="Where the moods come from")
    expect(sources).to_contain_text("from Last.fm song tags")
    assert page.locator("#moods progress").get_attribute("max") == str(tracks)

    # A sad reading, picked without a photo: ten songs, no cold-start banner, reasons with evidence.
    page.goto("/mood/")
    page.locator(".capture-manual").get_by_role("button", name="Sad").click()
    expect(page).to_have_url(re.compile(r"/mood/readings/\d+/$"))
    reading_url = page.url
    panel = page.locator("#songs-panel")
    expect(
        panel.get_by_role("heading", name="Feeling sad? Songs to match your mood")
    ).to_be_visible()
    expect(panel.locator("li.song")).to_have_count(10)
    expect(panel.locator(".songs-cold-start")).to_have_count(0)
    expect(panel.locator(".songs-status")).to_contain_text("10 songs from your library, leaning")
    reasons = panel.locator(".song-reason").all_inner_texts()
    assert len(reasons) == 10
    vague = [reason for reason in reasons if not evidence_named(reason)]
    assert vague == [], reasons
    first_titles = panel.locator(".song-title").all_inner_texts()

    # Quick sort, with the keyboard: skip ("0") any song the list just showed (showing it again
    # so soon is held back), then label the song shown "sad" ("4").
    page.goto("/library/sort/")
    title = page.locator("#quick-sort-title")
    progress = page.locator(".quick-sort-progress")
    position = 1
    expect(progress).to_contain_text(f"Song {position} of")
    while (sorted_title := title.inner_text()) in first_titles:
        page.keyboard.press("0")
        expect(page.locator(".quick-sort-last")).to_have_text(f"Skipped “{sorted_title}”.")
        position += 1
        expect(progress).to_contain_text(f"Song {position} of")
    page.keyboard.press("4")
    expect(page.locator(".quick-sort-last")).to_have_text(f"Saved: “{sorted_title}” is sad.")
    expect(progress).to_contain_text(f"Song {position + 1} of")
    mine = TrackMood.objects.get(user=user, source=TrackMood.Source.SORTED)
    assert (mine.track.name, mine.mood, mine.detail) == (
        sorted_title,
        "sad",
        "you sorted it as sad",
    )

    # New picks for the same reading: the sorted song is there, and says why.
    page.goto(reading_url)
    expect(panel.locator("li.song")).to_have_count(10)
    page.get_by_role("button", name="Get new picks").click()
    song = panel.locator("li.song", has=page.locator(".song-title", has_text=sorted_title))
    expect(song).to_have_count(1)
    expect(song.locator(".song-reason")).to_contain_text("you sorted it as sad")

    # On a phone: the library and quick sort pages fit the width.
    page.set_viewport_size(PHONE)
    for path in ("/library/", "/library/sort/"):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert fits_the_width(page), (path, page.evaluate("document.documentElement.scrollWidth"))
    timings["total"] = time.monotonic() - started
    print("timings (s):", {name: round(seconds, 1) for name, seconds in timings.items()})
