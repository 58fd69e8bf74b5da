"""In real Chromium: a curator imports a Spotify playlist in the admin, sets its mood, and a
listener whose library holds those songs now gets them recommended for that mood."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from accounts.curators import curators_group_ensure
from accounts.models import User
from accounts.tests.factories import UserFactory
from library.models import LibraryEntry, MoodPlaylist, Track
from recommendations.services import recommendation_create
from spotify_sandbox import catalogue
from spotify_sandbox.testing import Sandbox

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct-horse-battery"
FOCUS = catalogue.PLAYLISTS["demo-focus"]  # 60 tracks; the stand-in user "demo" owns it
OTHERS = [catalogue.PLAYLISTS["demo-run"], catalogue.PLAYLISTS["demo-rain"]]

pytestmark = pytest.mark.browser


@pytest.fixture
def curator(sandbox: Sandbox, transactional_db: None) -> User:
    user = UserFactory(username="curator", is_staff=True)
    user.groups.add(curators_group_ensure())
    sandbox.link(user, "demo")
    return user


@pytest.fixture
def listener(transactional_db: None) -> User:
    """A listener whose library holds the Focus songs and 75 others, none with a known mood."""
    user = UserFactory(username="listener")
    for spec in (FOCUS, *OTHERS):
        for index in spec.track_indices:
            song = catalogue.track(index)
            track, _ = Track.objects.get_or_create(
                spotify_id=song.id, defaults={"name": song.name, "artist_names": "?"}
            )
            LibraryEntry.objects.get_or_create(user=user, track=track, defaults={"liked": True})
    return user


@pytest.fixture
def page(sandbox: Sandbox, curator: User) -> Iterator:
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_context(base_url=sandbox.base).new_page()
        page.set_default_timeout(20_000)
        # The import runs inside the request here (eager Celery): give the navigation time.
        page.set_default_navigation_timeout(120_000)
        page.goto("/admin/login/?next=/admin/")
        page.get_by_label("Username").fill(curator.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/admin/")
        yield page
        browser.close()


def focus_share(user: User, emotion: str) -> tuple[int, list[str]]:
    """How many of the ten songs recommended for `emotion` come from the Focus playlist."""
    focus_ids = {catalogue.track(index).id for index in FOCUS.track_indices}
    recommendation = recommendation_create(user=user, emotion=emotion, strategy="match", seed=11)
    items = list(recommendation.items.select_related("track").order_by("position"))
    return sum(item.track.spotify_id in focus_ids for item in items), [i.reason for i in items]


def test_a_curated_import_changes_what_a_listener_hears(page, listener: User) -> None:
    # Before: nothing is known about the listener's songs' moods, so "neutral" (match -> calm)
    # gets an exploratory mix.
    before, _ = focus_share(listener, "neutral")
    assert before < 10

    # The curator imports the playlist by its URL (a first guess at the mood: sad) ...
    page.get_by_role("link", name="Mood playlists").first.click()
    page.get_by_role("link", name="Import from Spotify").click()
    page.get_by_label("Spotify playlist").fill(f"https://open.spotify.com/playlist/{FOCUS.id}")
    page.get_by_label("Mood").select_option("sad")
    page.get_by_role("button", name="Import").click()
    page.wait_for_url("**/change/")
    progress = page.locator("#import-progress")
    progress.filter(has_text="Imported 60 tracks").wait_for()
    assert "Import of" in page.locator(".messagelist").inner_text()
    assert page.locator("#entries-group tr.has_original").count() == 60

    # ... and sets its mood to calm with the bulk action on the list.
    page.get_by_role("link", name="Mood playlists").first.click()
    row = page.locator("#result_list tbody tr", has_text="Focus")
    assert row.locator("td.field-track_count").inner_text() == "60"
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label="Set mood to Calm")
    page.get_by_role("button", name="Go").click()
    page.locator(".messagelist").filter(has_text="1 playlist now calm").wait_for()
    assert MoodPlaylist.objects.get(spotify_playlist_id=FOCUS.id).mood == "calm"

    # After: the listener's "neutral" songs are the curated calm ones, and say why.
    after, reasons = focus_share(listener, "neutral")
    assert after == 10
    assert all("curated calm" in reason for reason in reasons)
    # A mood whose rule targets something else does not get them pushed up.
    sad, _ = focus_share(listener, "sad")
    assert sad < after
