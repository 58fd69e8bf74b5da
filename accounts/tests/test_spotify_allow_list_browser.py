"""Real Chromium, the whole OAuth dance through the stand-in as a 6th listener of a Development
Mode app (issue 18): Spotify lets them agree, then refuses `/me`, and Moodtrack shows the
allow-list page (HTTP 403) — at desktop size for a visitor, at 390x844 for staff (with the
operator's links) — with no serious or critical axe-core violation and no sideways scrolling."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory
from core.tests.chromium import axe_problems, chromium_for_module, sideways_problems
from spotify_sandbox.testing import Sandbox
from tests.test_accessibility_browser import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIVE = [f"synthetic-{n}" for n in range(1, 6)]
TITLE = "This Spotify account isn't on this app's allow-list"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with chromium_for_module() as browser:
        yield browser


def _consent_as_sam(page: Any, sandbox: Sandbox) -> Any:
    """At the stand-in's consent page: Sam, Sam's code, Agree; returns Moodtrack's answer."""
    from playwright.sync_api import expect

    expect(page).to_have_url(re.compile(r"/spotify-sandbox/authorize\?"))
    page.get_by_label(re.compile("Sam Okafor")).check()
    page.get_by_label("Listener code").fill(sandbox.code("sam"))
    with page.expect_response(re.compile(r"/complete/spotify/")) as answer:
        page.get_by_role("button", name="Agree").click()
    return answer.value


def _open(chromium: Any, sandbox: Sandbox, viewport: dict[str, int]) -> tuple[Any, Any, list]:
    context = chromium.new_context(base_url=sandbox.base, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(30_000)
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith((sandbox.base, "data:")) else outside.append(request.url)
        ),
    )
    return context, page, outside


def test_a_sixth_listener_gets_the_allow_list_page(chromium, sandbox: Sandbox) -> None:
    from playwright.sync_api import expect

    sandbox.fill_allow_list(*FIVE)
    context, page, outside = _open(chromium, sandbox, DESKTOP)
    try:
        page.goto("/")
        page.get_by_role("button", name="Sign in with Spotify").click()
        answer = _consent_as_sam(page, sandbox)

        assert answer.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
        expect(page.get_by_role("alert")).to_contain_text("only the people its operator has added")
        expect(page.get_by_role("heading", name="What the operator must do")).to_be_visible()
        expect(page.locator("main")).to_contain_text("User Management")
        expect(page.locator("main")).to_contain_text("5 users at most")
        expect(page.get_by_role("heading", name="For operators")).to_have_count(0)
        assert axe_problems(page, "allow-list page, desktop") == []
        assert not User.objects.exists()
    finally:
        context.close()
    assert outside == []


def test_staff_on_a_phone_get_the_page_with_the_operators_links(chromium, sandbox: Sandbox) -> None:
    from playwright.sync_api import expect

    sandbox.fill_allow_list(*FIVE)
    staff = UserFactory(username="operator", is_staff=True)
    context, page, outside = _open(chromium, sandbox, PHONE)
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(staff.username)
        page.get_by_label("Password").fill("correct-horse-battery")
        page.locator("form").filter(has=page.get_by_label("Password")).get_by_role(
            "button", name=re.compile("Sign in", re.I)
        ).click()
        page.goto("/accounts/profile/")
        page.get_by_role("button", name=re.compile("Spotify")).first.click()
        answer = _consent_as_sam(page, sandbox)

        assert answer.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
        operators = page.get_by_role("region", name="For operators")
        expect(operators).to_be_visible()
        expect(
            operators.get_by_role("link", name=re.compile("Development Mode and Extended Quota"))
        ).to_be_visible()
        expect(operators).to_contain_text("docs/SPOTIFY.md")
        problems = axe_problems(page, "allow-list page, 390x844")
        problems += sideways_problems(page, "allow-list page, 390x844")
        assert problems == []
        assert not staff.social_auth.exists()
    finally:
        context.close()
    assert outside == []
