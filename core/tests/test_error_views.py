"""Security round 2, finding 8: every /api/ path answers errors as `{message, extra}` JSON.

Under production settings (DEBUG off) an unexpected exception in an API view used to answer
Django's HTML 500 page, and an unknown /api/ path the HTML 404 page. The handlers in
core/error_views.py (config/urls.py) answer JSON under /api/ and the pages elsewhere.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory

from accounts.models import User
from core import error_views


@pytest.fixture
def production_like(settings) -> None:
    settings.DEBUG = False  # what production runs; Django's technical pages are off


@pytest.fixture
def caller(client: Client, user: User, production_like: None) -> Client:
    client.force_login(user)
    client.raise_request_exception = False  # the response a visitor gets, not the exception
    return client


def _boom(**kwargs: object) -> None:
    raise RuntimeError("a bug")


@pytest.mark.django_db
def test_a_crash_in_an_api_view_answers_json(caller: Client, monkeypatch) -> None:
    monkeypatch.setattr("insights.apis.dashboard_summary", _boom)

    response = caller.get("/api/v1/history/summary/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"message": error_views.SERVER_ERROR_MESSAGE, "extra": {}}
    assert "a bug" not in response.content.decode()  # nothing of the exception leaks


@pytest.mark.django_db
def test_a_crash_in_a_page_answers_the_html_page(caller: Client, monkeypatch) -> None:
    monkeypatch.setattr("insights.views.dashboard.dashboard_summary", _boom)

    response = caller.get("/dashboard/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/nope", "/api/v1/readings/x/"])
def test_an_unknown_api_path_answers_json_404(caller: Client, path: str) -> None:
    response = caller.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"message": "Not found.", "extra": {}}


@pytest.mark.django_db
def test_an_unknown_api_path_answers_json_to_anonymous_callers(
    client: Client, production_like: None
) -> None:
    response = client.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response.json()["message"] == "Not found."


@pytest.mark.django_db
def test_an_unknown_page_answers_the_html_404(caller: Client) -> None:
    response = caller.get("/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_a_suspicious_api_request_answers_json_400(client: Client, production_like) -> None:
    response = client.get("/api/v1/me/", HTTP_HOST="evil.example")  # DisallowedHost

    assert response.status_code == 400
    assert response.json() == {"message": error_views.BAD_REQUEST_MESSAGE, "extra": {}}


@pytest.mark.django_db
def test_a_suspicious_page_request_answers_html_400(client: Client, production_like) -> None:
    response = client.get("/dashboard/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_permission_denied_outside_drf_answers_json_under_api() -> None:
    factory = RequestFactory()

    api = error_views.permission_denied(factory.get("/api/v1/me/"), PermissionDenied())
    page = error_views.permission_denied(factory.get("/dashboard/"), PermissionDenied())

    assert api.status_code == page.status_code == 403
    assert api["Content-Type"] == "application/json"
    assert page["Content-Type"].startswith("text/html")


def test_the_handlers_are_installed() -> None:
    from config import urls

    assert urls.handler400 == "core.error_views.bad_request"
    assert urls.handler403 == "core.error_views.permission_denied"
    assert urls.handler404 == "core.error_views.page_not_found"
    assert urls.handler500 == "core.error_views.server_error"
