"""`HEAD` is answered wherever `GET` is (monitors and link checkers send it), and every page has a
favicon: `<link rel="icon">` and `/favicon.ico`."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from accounts.models import User
from tests.test_endpoints_auth import ROUTES, Route

# Social-auth's OAuth steps talk to the provider; they are not pages to check here.
CHECKED = [route for route in ROUTES if not route.name.startswith("social:")]


@pytest.mark.django_db
@pytest.mark.parametrize("route", CHECKED, ids=lambda route: route.name)
def test_head_is_answered_wherever_get_is(user: User, route: Route) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    url = route.sample_url()

    get = client.get(url)
    head = client.head(url)

    assert head.status_code == get.status_code, f"GET {get.status_code}, HEAD {head.status_code}"
    assert head.content == b""


@pytest.mark.django_db
def test_head_of_the_landing_page_is_200(client: Client) -> None:
    assert client.head("/").status_code == 200


@pytest.mark.django_db
def test_favicon_ico_leads_to_the_static_icon(client: Client) -> None:
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("/core/favicon.ico")
    assert client.head("/favicon.ico").status_code == 301
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content if icon.streaming else [icon.content])[:4] == (
        b"\x00\x00\x01\x00"  # the ICO header
    )


@pytest.mark.django_db
def test_every_page_links_its_icon(client: Client) -> None:
    html = client.get("/").content.decode()

    assert '<link rel="icon" href="/static/core/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="icon" href="/static/core/favicon.ico"' in html
    assert finders.find("core/favicon.svg")
    assert finders.find("core/favicon.ico")
