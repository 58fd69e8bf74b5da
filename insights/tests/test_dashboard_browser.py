"""In real Chromium: the dashboard's charts and tables, the range filter, export, and deleting."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from collections.abc import Iterator

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from core.tests.chromium import launch_chromium
from emotions.models import MoodReading
from emotions.tests.readings_data import rate, readings_at, recommend, tracks
from insights.dashboard import EMOTION_ORDER, period_for_range

PASSWORD = "correct-horse-battery"
# Thirty readings, one a day, cycling through the emotions (so every range has a mix).
CYCLE = ("happy", "sad", "neutral", "happy", "angry", "surprise", "fear", "happy", "disgust", "sad")

pytestmark = pytest.mark.browser


@pytest.fixture
def listener(transactional_db: None) -> User:
    user = UserFactory(username="moody")
    now = timezone.now()
    readings_at(
        user, [(now - dt.timedelta(days=day, minutes=5), CYCLE[day % 10]) for day in range(30)]
    )
    readings_at(UserFactory(username="someone-else"), [(now, "angry")] * 4)
    reading = MoodReading.objects.filter(user=user).order_by("-created_at").first()
    sun, rain = tracks(["Here Comes The Sun", "Rainy Days"])
    recommendation = recommend(user, reading, [sun, rain], emotion=reading.effective_emotion)
    rate(user, recommendation.items.get(position=1), 5)
    return user


@pytest.fixture
def page(live_server, listener: User) -> Iterator:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls are still sync.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(base_url=live_server.url, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/accounts/login/?next=/dashboard/")
        page.get_by_label("Username").fill(listener.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.locator("#main").get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_url("**/dashboard/")
        yield page
        browser.close()


def expected_counts(user: User, range_key: str) -> dict[str, int]:
    """Per emotion, the readings in the range, counted from the database without the selectors."""
    period = period_for_range(range_key=range_key)
    readings = MoodReading.objects.filter(user=user)
    if period.start:
        readings = readings.filter(created_at__gte=period.start)
    counts = Counter(r.user_emotion or r.emotion for r in readings)
    return {emotion: counts.get(emotion, 0) for emotion in EMOTION_ORDER}


def table_counts(page) -> dict[str, int]:
    rows = page.locator("#distribution-table tbody tr")
    return {
        rows.nth(i).get_attribute("data-emotion"): int(rows.nth(i).locator("td.count").inner_text())
        for i in range(rows.count())
    }


def chart_points(page) -> int:
    return page.evaluate(
        """() => Chart.getChart("timeline-chart").data.datasets
                 .reduce((total, dataset) => total + dataset.data.length, 0)"""
    )


def test_the_dashboard_draws_filters_exports_and_forgets(page, listener: User, tmp_path) -> None:
    # Charts: two Chart.js canvases drawn, and a 7 x 24 SVG heat map.
    page.wait_for_function("document.body.dataset.chartsReady === '2'")
    for canvas in ("#timeline-chart", "#distribution-chart"):
        box = page.locator(canvas).bounding_box()
        assert box["width"] > 100
        assert box["height"] > 100
    assert page.locator("#heatmap rect").count() == 7 * 24
    assert page.evaluate("Chart.getChart('distribution-chart').data.datasets[0].data.length") == 7

    # The default range is 30 days: the table and the charts hold the database's numbers.
    month = expected_counts(listener, "30")
    assert sum(month.values()) == 30
    assert table_counts(page) == month
    assert chart_points(page) == 30
    assert page.get_by_test_id("stat-total").inner_text() == "30"
    heat_total = sum(
        int(cell) for cell in page.locator("#heatmap-table tbody td").all_text_contents()
    )
    assert heat_total == 30
    assert "Here Comes The Sun" in page.locator("#songs-title + p + .songs-grid").inner_text()

    # The range filter swaps the body in place (HTMX) and updates the address.
    page.get_by_role("button", name="Last 7 days").click()
    page.wait_for_url("**/dashboard/?range=7")
    page.wait_for_function("document.body.dataset.chartsReady === '2'")
    week = expected_counts(listener, "7")
    page.wait_for_function(
        f"document.querySelector('[data-testid=stat-total]').textContent === '{sum(week.values())}'"
    )
    assert table_counts(page) == week
    assert chart_points(page) == sum(week.values())
    assert page.get_by_role("button", name="Last 7 days").get_attribute("aria-current") == "true"

    # Export: a JSON download with this listener's readings, ratings and recommendations only.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export my data").click()
    path = tmp_path / "export.json"
    download_info.value.save_as(path)
    exported = json.loads(path.read_text())
    assert download_info.value.suggested_filename.startswith("moodtrack-moody-")
    assert len(exported["readings"]) == 30
    assert len(exported["ratings"]) == 1
    assert len(exported["recommendations"]) == 1
    assert "token" not in path.read_text().lower()

    # Delete one reading from the history, after confirming, and it is gone everywhere.
    victim = MoodReading.objects.filter(user=listener).order_by("-created_at").first()
    page.get_by_role("link", name="History").click()
    page.wait_for_url("**/mood/history/")
    row = page.locator(f"#reading-{victim.pk}")
    row.get_by_role("link", name="Delete").click()
    page.get_by_role("heading", name="Delete this reading?").wait_for()
    page.get_by_role("button", name="Delete the reading").click()
    page.wait_for_url("**/mood/history/")
    assert "The reading was deleted" in page.locator(".messages").inner_text()
    assert page.locator(f"#reading-{victim.pk}").count() == 0
    assert not MoodReading.objects.filter(pk=victim.pk).exists()
    assert page.get_by_text("29 readings, newest first.").is_visible()

    page.goto("/dashboard/?range=30")
    page.wait_for_function("document.body.dataset.chartsReady === '2'")
    assert page.get_by_test_id("stat-total").inner_text() == "29"
    assert table_counts(page) == expected_counts(listener, "30")
    assert chart_points(page) == 29


@pytest.mark.skipif(not os.environ.get("SCREENSHOT_DIR"), reason="set SCREENSHOT_DIR to refresh")
def test_screenshot_of_the_demo_dashboard(live_server, transactional_db: None) -> None:
    """SCREENSHOT_DIR=docs/screenshots pytest -m browser -k screenshot: the README's picture."""
    from io import StringIO

    from playwright.sync_api import sync_playwright

    from accounts.services import user_ensure_demo
    from demo import readings as demo
    from library.evidence import track_moods_sync_curated
    from library.tests.factories import curated_library

    listener, _ = user_ensure_demo()
    listener.set_password(PASSWORD)
    listener.save()
    curated_library(listener, per_mood=8)
    track_moods_sync_curated()
    demo.seed(stdout=StringIO())
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
        ).new_page()
        page.emulate_media(reduced_motion="reduce")
        page.goto("/accounts/login/?next=/dashboard/")
        page.get_by_label("Username").fill(listener.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.locator("#main").get_by_role("button", name="Sign in", exact=True).click()
        # The demo's answers add the "Did the music help?" chart to the two others.
        page.wait_for_function("Number(document.body.dataset.chartsReady) >= 3")
        page.screenshot(
            path=os.path.join(os.environ["SCREENSHOT_DIR"], "dashboard.png"), full_page=True
        )
        browser.close()
