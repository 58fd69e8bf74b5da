"""GET /api/v1/me/: who is signed in."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory


@pytest.mark.django_db
def test_me_returns_the_signed_in_users_id_username_and_display_name(
    api_client: APIClient,
) -> None:
    listener = UserFactory(username="mara", first_name="Mara", last_name="Lind")
    api_client.force_authenticate(listener)

    response = api_client.get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json() == {"id": listener.pk, "username": "mara", "display_name": "Mara Lind"}


@pytest.mark.django_db
def test_without_a_name_the_display_name_is_the_username(client: Client) -> None:
    listener = UserFactory(username="jonah")
    client.force_login(listener)  # the browser's session works too

    assert client.get("/api/v1/me/").json()["display_name"] == "jonah"


@pytest.mark.django_db
def test_me_needs_a_signed_in_caller(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/me/")

    assert response.status_code in (401, 403)
    assert set(response.json()) == {"message", "extra"}


@pytest.mark.django_db
def test_me_is_in_the_openapi_schema(client: Client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    operation = schema["paths"]["/api/v1/me/"]["get"]
    assert operation["operationId"] == "me_retrieve"
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    fields = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    assert set(fields) == {"id", "username", "display_name"}
