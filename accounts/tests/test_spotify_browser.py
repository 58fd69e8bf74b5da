"""Real Chromium: landing → Sign in with Spotify → stand-in consent → signed in, library synced."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from core.tests.chromium import launch_chromium
from library.models import LibrarySync
from spotify_sandbox.testing import Sandbox

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def page(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM reads are safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(base_url=sandbox.base)
        tab = context.new_page()
        tab.set_default_timeout(60_000)  # the library sync runs inside the sign-in request
        # Nothing may leave the machine: every request goes to the live server.
        outside: list[str] = []
        tab.on(
            "request",
            lambda request: (
                None
                if request.url.startswith((sandbox.base, "data:"))
                else outside.append(request.url)
            ),
        )
        yield tab
        context.close()
        browser.close()
        assert outside == []


def test_sign_in_with_spotify_then_the_library_is_synced(page, sandbox: Sandbox) -> None:
    from playwright.sync_api import expect

    page.goto("/")
    expect(page.get_by_role("note", name="Demo mode")).to_be_visible()
    page.get_by_role("button", name="Sign in with Spotify").click()

    # The stand-in's consent page.
    expect(page).to_have_url(re.compile(r"/spotify-sandbox/authorize\?"))
    expect(page.get_by_role("heading", name="Moodtrack wants to connect")).to_be_visible()
    page.get_by_label(re.compile("Demo Listener")).check()
    page.get_by_label("Listener code").fill(sandbox.code("demo"))
    page.get_by_role("button", name="Agree").click()

    # Back on Moodtrack, signed in, on the library page with the synced library.
    expect(page).to_have_url(f"{sandbox.base}/library/")
    sync = LibrarySync.objects.get()
    assert sync.status == LibrarySync.Status.DONE
    assert sync.track_count > 300
    expect(page.get_by_role("heading", name=f"{sync.track_count} tracks")).to_be_visible()
    expect(page.locator("#library-status")).to_contain_text(
        f"{sync.track_count} tracks in your library"
    )
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("row").nth(1)).to_be_visible()
