"""Tests for the dashboard page and the summary API."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from emotions.tests.readings_data import random_moments, rate, readings_at, recommend, tracks

# Session + user, then the dashboard's own fixed set of aggregate queries.
DASHBOARD_MAX_QUERIES = 12


def now() -> dt.datetime:
    return timezone.now()


@pytest.mark.django_db
def test_the_dashboard_needs_a_signed_in_user(client: Client) -> None:
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_a_new_user_sees_how_to_start(client_logged_in: Client) -> None:
    response = client_logged_in.get("/dashboard/")

    assert response.status_code == 200
    assertTemplateUsed(response, "dashboard/dashboard.html")
    assertContains(response, "No moods yet")
    assertContains(response, "Read my mood")
    assertNotContains(response, 'id="timeline-chart"')


@pytest.mark.django_db
def test_charts_come_with_tables_that_hold_the_numbers(client_logged_in: Client, user) -> None:
    readings_at(user, [(now() - dt.timedelta(hours=1), "happy")] * 3 + [(now(), "sad")])
    readings_at(UserFactory(), [(now(), "angry")] * 5)

    response = client_logged_in.get("/dashboard/")

    assertContains(response, 'id="timeline-chart" role="img"')
    assertContains(response, 'id="distribution-chart" role="img"')
    assertContains(response, '<svg id="heatmap"')
    assertContains(response, "/static/vendor/chartjs/chart.umd.min.js")
    assert response.context["table_unit"] == "day"
    assertContains(response, "/static/dashboard/dashboard.js")
    assertNotContains(response, "cdn")
    distribution = {row["emotion"]: row["count"] for row in response.context["distribution"]}
    assert distribution["happy"] == 3
    assert distribution["sad"] == 1
    assert distribution["angry"] == 0
    assertContains(
        response,
        '<tr data-emotion="happy"><th scope="row"><span class="swatch" '
        'style="--swatch: #E69F00" aria-hidden="true"></span>Happy</th>'
        '<td class="count">3</td><td>75.0%</td></tr>',
        html=True,
    )
    data = response.context["chart_data"]
    assert len(data["timeline"]) == 4
    assert sum(data["distribution"]) == 4


@pytest.mark.django_db
def test_the_range_filter_and_its_empty_state(client_logged_in: Client, user) -> None:
    readings_at(user, [(now() - dt.timedelta(days=20), "fear")])

    week = client_logged_in.get("/dashboard/?range=7")
    month = client_logged_in.get("/dashboard/?range=30")
    nonsense = client_logged_in.get("/dashboard/?range=9999")

    assertContains(week, "No readings in this range")
    assertContains(week, 'href="?range=7" role="button"')
    assert week.context["range_key"] == "7"
    assert month.context["summary"].total == 1
    assert nonsense.context["range_key"] == "30"


@pytest.mark.django_db
def test_htmx_gets_only_the_dashboard_body(client_logged_in: Client, user) -> None:
    readings_at(user, [(now(), "happy")])

    response = client_logged_in.get("/dashboard/?range=all", headers={"HX-Request": "true"})

    assertTemplateUsed(response, "dashboard/_body.html")
    assertNotContains(response, "<html")
    assertContains(response, 'id="dashboard-body"')
    assertContains(response, 'id="dashboard-data"')


@pytest.mark.django_db
def test_songs_that_helped_are_listed(client_logged_in: Client, user) -> None:
    (reading,) = readings_at(user, [(now(), "sad")])
    (song,) = tracks(["Here Comes The Sun"])
    rate(user, recommend(user, reading, [song]).items.get(), 5)

    response = client_logged_in.get("/dashboard/")

    assertContains(response, "Songs that helped")
    assertContains(response, "Here Comes The Sun")
    assertContains(response, "https://open.spotify.com/track/spHereComesTheSun")


@pytest.mark.django_db
@pytest.mark.slow
def test_ten_thousand_readings_cost_a_bounded_number_of_queries(
    client_logged_in: Client, user, django_assert_max_num_queries
) -> None:
    readings_at(user, random_moments(10_000, days=365, now=now()))
    (song,) = tracks(["Helpful"])
    rate(user, recommend(user, None, [song]).items.get(), 5)

    for range_key in ("7", "30", "all"):
        with django_assert_max_num_queries(DASHBOARD_MAX_QUERIES):
            response = client_logged_in.get(f"/dashboard/?range={range_key}")
        assert response.status_code == 200

    summary = response.context["summary"]
    assert summary.total == 10_000
    assert summary.timeline_truncated
    assert sum(map(sum, summary.heatmap)) == 10_000
    # A year of days is tabled per month (a screen reader should not wade through 365 rows).
    assert response.context["table_unit"] == "month"
    assert 12 <= len(response.context["daily_rows"]) <= 13
    assert sum(row["total"] for row in response.context["daily_rows"]) == 10_000


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_history(
    client_logged_in: Client, user, django_assert_max_num_queries
) -> None:
    readings_at(user, random_moments(10, days=30, now=now()))
    with django_assert_max_num_queries(DASHBOARD_MAX_QUERIES):
        assert client_logged_in.get("/dashboard/?range=all").status_code == 200


# The summary API ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_summary_api_needs_authentication(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/history/summary/")
    assert response.status_code in (401, 403)
    assert "message" in response.json()


@pytest.mark.django_db
def test_the_summary_api_filters_by_dates(api_client: APIClient, user) -> None:
    readings_at(
        user,
        [
            (dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC), "happy"),
            (dt.datetime(2026, 3, 2, 23, 59, tzinfo=dt.UTC), "sad"),
            (dt.datetime(2026, 3, 3, 0, 0, tzinfo=dt.UTC), "angry"),
        ],
    )
    readings_at(UserFactory(), [(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC), "fear")])
    api_client.force_authenticate(user)

    response = api_client.get("/api/v1/history/summary/?from=2026-03-01&to=2026-03-02")

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    assert body["from"] == "2026-03-01T00:00:00+00:00"
    assert body["to"] == "2026-03-03T00:00:00+00:00"
    counts = {row["emotion"]: row["count"] for row in body["distribution"]}
    assert (counts["happy"], counts["sad"], counts["angry"], counts["fear"]) == (1, 1, 0, 0)
    assert [point["emotion"] for point in body["timeline"]] == ["happy", "sad"]
    assert api_client.get("/api/v1/history/summary/").json()["total"] == 3


@pytest.mark.django_db
def test_the_summary_api_explains_bad_dates(api_client: APIClient, user) -> None:
    api_client.force_authenticate(user)

    malformed = api_client.get("/api/v1/history/summary/?from=yesterday")
    backwards = api_client.get("/api/v1/history/summary/?from=2026-03-02&to=2026-03-01")

    assert malformed.status_code == 400
    assert "from" in malformed.json()["extra"]["fields"]
    assert backwards.status_code == 400
    assert backwards.json()["message"] == "`from` must not be after `to`."


@pytest.mark.django_db
def test_the_summary_api_is_in_the_openapi_schema(client: Client) -> None:
    schema = json.loads(
        client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content
    )
    parameters = schema["paths"]["/api/v1/history/summary/"]["get"]["parameters"]
    assert {parameter["name"] for parameter in parameters} >= {"from", "to"}
    assert "/api/v1/me/export/" in schema["paths"]
