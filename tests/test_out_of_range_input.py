"""Security round 2, finding 8: out-of-range dates and ids are a 400 with a sentence, never a 500.

`?to=9999-12-31` overflowed Python's date when the summary added a day to make its range, and
`?reading=9223372036854775808` overflowed SQLite's INTEGER in the driver; both answered an HTML
500. The bounds live in core.validation; path ids (`<int:pk>`) are checked over every route.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.models import User
from core.validation import DATE_RANGE_MESSAGE, ID_RANGE_MESSAGE, MAX_ID
from recommendations.tests.factories import RecommendationFactory
from tests.test_endpoints_auth import CONVERTER, ROUTES, SAMPLE_ARGUMENTS, Route

TOO_BIG = str(MAX_ID + 1)  # 9223372036854775808: one past the largest 64-bit integer
HUGE = "9" * 30


@pytest.fixture
def caller(client: Client, user: User) -> Client:
    client.force_login(user)
    client.raise_request_exception = False  # a crash is a 500 response, as a visitor sees it
    return client


def _field_errors(response) -> dict[str, list[str]]:
    body = response.json()
    assert body["message"] == "Validation error."
    return body["extra"]["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("to=9999-12-31", "to"),  # the probe: one day more overflows `date`
        ("from=9999-12-31", "from"),
        ("from=0001-01-01", "from"),
        ("from=0001-01-01&to=0001-01-01", "from"),
        ("to=1899-12-31", "to"),
    ],
)
def test_summary_dates_out_of_range_are_a_400_with_a_sentence(
    caller: Client, query: str, field: str
) -> None:
    response = caller.get(f"/api/v1/history/summary/?{query}")

    assert response.status_code == 400
    assert _field_errors(response)[field] == [DATE_RANGE_MESSAGE]
    assert DATE_RANGE_MESSAGE == "Dates must be between 1900-01-01 and 9999-12-30."


@pytest.mark.django_db
def test_summary_dates_at_the_bounds_are_answered(caller: Client) -> None:
    response = caller.get("/api/v1/history/summary/?from=1900-01-01&to=9999-12-30")

    assert response.status_code == 200
    assert response.json()["total"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("value", [TOO_BIG, HUGE, "0", "-1"])
def test_a_reading_filter_out_of_range_is_a_400_with_a_sentence(caller: Client, value) -> None:
    response = caller.get(f"/api/v1/recommendations/?reading={value}")

    assert response.status_code == 400
    assert _field_errors(response)["reading"] == [ID_RANGE_MESSAGE]


@pytest.mark.django_db
def test_the_largest_id_is_simply_not_found(caller: Client, user: User) -> None:
    RecommendationFactory(user=user)

    response = caller.get(f"/api/v1/recommendations/?reading={MAX_ID}")

    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/recommendations/", {"reading": int(TOO_BIG)}, "reading"),
        ("/api/v1/ratings/", {"item": int(TOO_BIG), "stars": 4}, "item"),
    ],
)
def test_ids_in_a_body_out_of_range_are_a_400_with_a_sentence(
    caller: Client, url: str, body: dict, field: str
) -> None:
    response = caller.post(url, body, content_type="application/json")

    assert response.status_code == 400
    assert _field_errors(response)[field] == [ID_RANGE_MESSAGE]


@pytest.mark.django_db
def test_a_rating_form_with_an_id_out_of_range_says_so(caller: Client) -> None:
    response = caller.post("/ratings/", {"item": TOO_BIG, "stars": "4"})

    assert response.status_code == 400
    assert ID_RANGE_MESSAGE in response.content.decode()


@pytest.mark.django_db
def test_a_quick_sort_answer_for_an_id_out_of_range_is_not_found(caller: Client) -> None:
    response = caller.post("/library/sort/", {"track": TOO_BIG, "mood": "happy"})

    assert response.status_code == 404


def _with_ids(route: Route, value: str) -> str:
    def fill(match: re.Match[str]) -> str:
        return value if match["kind"] == "int" else SAMPLE_ARGUMENTS[match["kind"] or "str"]

    return "/" + CONVERTER.sub(fill, route.route)


ID_ROUTES = [route for route in ROUTES if route.int_kwargs]


def test_there_are_routes_with_ids_to_check() -> None:
    assert len(ID_ROUTES) >= 10


@pytest.mark.django_db
@pytest.mark.parametrize("route", ID_ROUTES, ids=lambda route: route.name)
@pytest.mark.parametrize("value", [TOO_BIG, HUGE])
def test_a_path_id_out_of_range_is_not_found_never_a_crash(
    caller: Client, route: Route, value: str
) -> None:
    url = _with_ids(route, value)
    # social-auth's disconnect finds no such link and sends the visitor back to their profile.
    expected = (302, 404, 405) if route.name.startswith("social:") else (404, 405)

    for method in ("get", "post", "patch", "delete"):
        response = getattr(caller, method)(url, content_type="application/json")
        assert response.status_code in expected, f"{method.upper()} {url}"
