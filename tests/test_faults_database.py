"""Fault: the database goes away mid-request (a PostgreSQL restart, see the drill).

API clients get 503 JSON with Retry-After, not Django's HTML 500 page; the drill
scripts/drills/postgres_restart.py shows everything succeeds again once the server is back.
"""

import pytest
from django.db import OperationalError
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory


def _database_down(*args: object, **kwargs: object) -> None:
    raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.django_db
def test_an_api_call_during_a_database_outage_gets_503_json(monkeypatch) -> None:
    monkeypatch.setattr("emotions.apis.reading_list", _database_down)
    api = APIClient()
    api.force_authenticate(UserFactory())

    response = api.get("/api/v1/readings/")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json() == {
        "message": "The service is briefly unavailable. Please try again in a moment.",
        "extra": {"code": "database_unavailable"},
    }


@pytest.mark.django_db
def test_other_errors_are_left_to_the_usual_handling(monkeypatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("emotions.apis.reading_list", broken)
    api = APIClient()
    api.force_authenticate(UserFactory())

    with pytest.raises(RuntimeError):
        api.get("/api/v1/readings/")
