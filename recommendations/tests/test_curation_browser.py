"""In real Chromium: a curator imports a Spotify playlist in the admin (pasting its link, or
picking it from their own playlists), sets its mood, and a listener whose library holds those
songs now gets them recommended for that mood; the import's status box and fields agree."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from accounts.curators import curators_group_ensure
from accounts.models import User
from accounts.tests.factories import UserFactory
from core.tests.chromium import launch_chromium
from library.models import LibraryEntry, MoodPlaylist, Track
from recommendations import curation
from recommendations.services import recommendation_create
from spotify_sandbox import catalogue
from spotify_sandbox.testing import Sandbox

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
        browser = launch_chromium(playwright)
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
    page.get_by_label("Or paste a playlist link").fill(
        f"https://open.spotify.com/playlist/{FOCUS.id}"
    )
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


def test_a_curator_imports_a_playlist_by_picking_it_from_the_list(page, curator: User) -> None:
    rain = catalogue.PLAYLISTS["demo-rain"]  # 35 sad songs; the stand-in listener demo owns it
    page.get_by_role("link", name="Mood playlists").first.click()
    page.get_by_role("link", name="Import from Spotify").click()

    choices = page.get_by_label("Your playlist")
    listed = choices.locator("option").all_inner_texts()
    assert "Rainy Day (35 tracks)" in listed
    assert "Road Trip (30 tracks, collaborative)" in listed
    assert not any("Party" in text for text in listed)  # only followed: not importable
    choices.select_option(label="Rainy Day (35 tracks)")
    page.get_by_label("Mood").select_option("sad")
    page.get_by_role("button", name="Import").click()

    page.wait_for_url("**/change/")
    progress = page.locator("#import-progress")
    progress.filter(has_text="Imported 35 tracks").wait_for()
    assert progress.locator('[data-field="status_display"]').inner_text() == "Imported"
    assert page.locator(".field-import_status .readonly").inner_text() == "Imported"
    assert (
        page.locator(".field-import_message .readonly")
        .inner_text()
        .startswith("Imported 35 tracks")
    )
    assert page.get_by_label("Name:").input_value() == "Rainy Day"
    assert page.locator("#entries-group tr.has_original").count() == 35
    playlist = MoodPlaylist.objects.get(spotify_playlist_id=rain.id)
    assert (playlist.mood, playlist.import_status) == ("sad", "done")


def test_the_status_box_and_the_fields_agree_while_an_import_runs(page, curator: User) -> None:
    playlist = MoodPlaylist.objects.create(
        name="Focus",
        mood="calm",
        spotify_playlist_id=FOCUS.id,
        import_status="queued",
        import_message="Waiting for a worker to start the import.",
    )
    page.goto(f"/admin/library/moodplaylist/{playlist.pk}/change/")
    status_field = page.locator(".field-import_status .readonly")
    message_field = page.locator(".field-import_message .readonly")
    assert status_field.inner_text() == "Queued"

    # A worker picks it up: the box and the fields follow, without a reload.
    curation._set_import_state(playlist.pk, "running", "Read 50 of 60 tracks so far.")
    message_field.filter(has_text="Read 50 of 60 tracks so far.").wait_for()
    assert status_field.inner_text() == "Importing"
    assert page.locator('#import-progress [data-field="status_display"]').inner_text() == (
        "Importing"
    )

    # It ends: the page reloads with the tracks, box and fields both saying so.
    curation.mood_playlist_import(playlist_id=playlist.pk, user_id=curator.pk)
    page.locator("#entries-group tr.has_original").nth(59).wait_for()
    assert status_field.inner_text() == "Imported"
    assert page.locator('#import-progress [data-field="status_display"]').inner_text() == (
        "Imported"
    )
    assert (
        message_field.inner_text()
        == page.locator('#import-progress [data-field="message"]').inner_text()
    )
