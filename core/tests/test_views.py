"""Tests for the landing page, the placeholders, error pages and the API docs."""

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed


@pytest.mark.django_db
def test_landing_page_explains_the_product_with_a_call_to_action(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assertTemplateUsed(response, "core/landing.html")
    assertContains(response, '<main id="main"')
    assertContains(response, 'href="#main"')
    assertContains(response, "Sign in to start")
    assertContains(response, 'role="status"')
    assertContains(response, "/static/vendor/htmx/htmx.min.js")
    assertNotContains(response, "cdn")


@pytest.mark.django_db
def test_landing_page_offers_the_next_step_to_a_signed_in_user(client_logged_in: Client) -> None:
    response = client_logged_in.get("/")

    assertContains(response, "Read my mood")
    assertContains(response, "Sign out")
    assertNotContains(response, "Sign in to start")
    assertNotContains(response, ">Admin<")


@pytest.mark.django_db
def test_staff_see_the_admin_link(client: Client, user) -> None:
    user.is_staff = True
    user.save()
    client.force_login(user)

    assertContains(client.get("/"), ">Admin<")


@pytest.mark.django_db
def test_placeholders_need_a_signed_in_user(client: Client, client_logged_in: Client) -> None:
    assert Client().get("/mood/").status_code == 302
    response = client_logged_in.get("/dashboard/")
    assert response.status_code == 200
    assertContains(response, 'aria-current="page"')


@pytest.mark.django_db
def test_unknown_pages_get_the_friendly_404(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assertTemplateUsed(response, "404.html")
    assertContains(response, "Page not found", status_code=404)


def test_the_500_page_renders_without_a_request_context() -> None:
    from django.template.loader import get_template

    html = get_template("500.html").render({})
    assert "Something went wrong on our side" in html


@pytest.mark.django_db
def test_openapi_schema_and_self_hosted_docs(client: Client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Moodtrack API"

    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assertContains(docs, "/static/drf_spectacular_sidecar/swagger-ui-dist/")
    assertNotContains(docs, "cdn.jsdelivr")
