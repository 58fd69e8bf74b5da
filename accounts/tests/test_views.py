"""Tests for local sign-in, sign-out and the demo sign-in."""

import pytest
from django.test import Client, override_settings
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import User


@pytest.mark.django_db
def test_the_login_page_is_labelled_and_offers_the_demo(client: Client) -> None:
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assertContains(response, '<label for="id_username">Username</label>', html=True)
    assertContains(response, '<label for="id_password">Password</label>', html=True)
    assertContains(response, "Try the demo")


@pytest.mark.django_db
@override_settings(DEMO_MODE=False)
def test_without_demo_mode_there_is_no_demo_button(client: Client) -> None:
    assertNotContains(client.get("/accounts/login/"), "Try the demo")
    assert client.post("/accounts/demo/").status_code == 404
    assert not User.objects.filter(is_demo=True).exists()


@pytest.mark.django_db
def test_staff_sign_in_with_a_password_and_sign_out_with_post(client: Client, user) -> None:
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": "correct-horse-battery"}
    )
    assertRedirects(response, "/")
    assert client.get("/").context["user"] == user

    assert client.get("/accounts/logout/").status_code == 405
    assertRedirects(client.post("/accounts/logout/"), "/")
    assert not client.get("/").context["user"].is_authenticated


@pytest.mark.django_db
def test_a_wrong_password_shows_an_accessible_error(client: Client, user) -> None:
    response = client.post("/accounts/login/", {"username": user.username, "password": "nope"})

    assert response.status_code == 200
    assertContains(response, 'role="alert"')
    assertContains(response, 'aria-invalid="true"')
    assert not response.context["user"].is_authenticated


@pytest.mark.django_db
def test_the_demo_button_signs_in_a_demo_listener_of_ones_own(client: Client) -> None:
    response = client.post("/accounts/demo/", follow=True)

    assertRedirects(response, "/")
    signed_in = response.context["user"]
    assert signed_in.username.startswith("demo-")  # demo/tests/test_visitors.py: the rest
    assert signed_in.is_demo
    assertContains(response, "demo listener of your own")


@pytest.mark.django_db
def test_signing_out_says_so(client: Client, user) -> None:
    client.force_login(user)

    response = client.post("/accounts/logout/", follow=True)

    assertRedirects(response, "/")
    assertContains(response, "You are signed out.")
    assert not response.context["user"].is_authenticated
    # Only once, and not for someone who was not signed in.
    assertNotContains(client.post("/accounts/logout/", follow=True), "You are signed out.")


@pytest.mark.django_db
def test_the_demo_sign_in_is_post_only_with_csrf() -> None:
    client = Client(enforce_csrf_checks=True)

    assert client.get("/accounts/demo/").status_code == 405
    assert client.post("/accounts/demo/").status_code == 403


@pytest.mark.django_db
def test_the_admin_is_at_slash_admin(client: Client, user) -> None:
    assert client.get("/admin/").status_code == 302
    user.is_staff = True
    user.is_superuser = True
    user.save()
    client.force_login(user)
    assertContains(client.get("/admin/accounts/user/"), user.username)
