"""In real Chromium: two visitors who "Try the demo" are two listeners, each with their own data."""

from __future__ import annotations

import re

import pytest

from core.tests.chromium import launch_chromium
from emotions.models import MoodReading
from library.models import LibraryEntry, LibrarySync

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_two_visitors_get_their_own_listeners_and_one_deleting_leaves_the_other(
    live_server, sandbox, monkeypatch
) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        # Two visitors: separate contexts share no cookies, as two people on two machines.
        pages = []
        for _ in range(2):
            context = browser.new_context(base_url=sandbox.base)
            context.route(re.compile(r"^https://.*"), lambda route: route.abort())
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.goto("/accounts/login/")
            page.get_by_role("button", name="Try the demo").click()
            page.get_by_text("demo listener of your own").wait_for()
            pages.append(page)
        alice, bob = pages

        me = [page.request.get("/api/v1/me/").json() for page in pages]
        assert me[0]["id"] != me[1]["id"]
        assert all(who["username"].startswith("demo-") for who in me)
        counts = [MoodReading.objects.filter(user_id=who["id"]).count() for who in me]
        assert min(counts) > 20
        # Each library was synced from the visitor's own stand-in account.
        for who in me:
            assert LibrarySync.objects.get(user_id=who["id"]).status == LibrarySync.Status.DONE
            assert LibraryEntry.objects.filter(user_id=who["id"]).count() >= 300

        # Alice deletes all her history.
        alice.goto("/mood/history/delete/")
        alice.get_by_role("button", name="Delete all my history").click()
        alice.get_by_text("Your history is deleted").wait_for()

        assert not MoodReading.objects.filter(user_id=me[0]["id"]).exists()
        assert MoodReading.objects.filter(user_id=me[1]["id"]).count() == counts[1]
        # Bob's page and API still show his history; Alice's API shows none.
        assert bob.request.get("/api/v1/readings/").json()["count"] == counts[1]
        assert alice.request.get("/api/v1/readings/").json()["count"] == 0
        bob.goto("/mood/history/")
        assert bob.locator("table tbody tr").count() > 0

        # Signing out says so.
        bob.goto("/")
        bob.get_by_role("button", name=re.compile("Sign out", re.IGNORECASE)).click()
        bob.get_by_text("You are signed out.").wait_for()
        browser.close()
