"""Tests for POST /ratings/: the HTMX star widget and its plain-form fallback."""

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertTemplateUsed

from accounts.tests.factories import UserFactory
from feedback.models import Rating
from feedback.views import rating_cue
from recommendations.tests.factories import RecommendationItemFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def item(user):
    return RecommendationItemFactory(recommendation__user=user, recommendation__emotion="fear")


@pytest.mark.django_db
def test_htmx_gets_the_thanks_cue_for_the_live_region(client_logged_in: Client, item) -> None:
    response = client_logged_in.post("/ratings/", {"item": item.pk, "stars": 5}, **HTMX)

    assert response.status_code == 200
    assertTemplateUsed(response, "feedback/_cue.html")
    assertContains(response, "Thanks — we&#x27;ll play more like this.")
    assert Rating.objects.get().stars == 5


@pytest.mark.parametrize(
    ("stars", "cue"),
    [(1, "less like this"), (2, "less like this"), (3, "noted"), (4, "more like this")],
)
def test_the_cue_follows_the_stars(stars: int, cue: str) -> None:
    assert cue in rating_cue(stars)


@pytest.mark.django_db
def test_changing_the_stars_updates_the_rating(client_logged_in: Client, item) -> None:
    client_logged_in.post("/ratings/", {"item": item.pk, "stars": 5}, **HTMX)
    response = client_logged_in.post("/ratings/", {"item": item.pk, "stars": 1}, **HTMX)

    assertContains(response, "less like this")
    assert Rating.objects.get().stars == 1


@pytest.mark.django_db
def test_without_htmx_it_redirects_to_the_list_with_a_message(
    client_logged_in: Client, item
) -> None:
    response = client_logged_in.post("/ratings/", {"item": item.pk, "stars": 4}, follow=True)

    assert response.redirect_chain[-1][0] == f"/songs/{item.recommendation_id}/"
    assertContains(response, "★4")
    assertContains(response, "we&#x27;ll play more like this")


@pytest.mark.django_db
def test_a_missing_choice_is_explained_in_the_widget(client_logged_in: Client, item) -> None:
    response = client_logged_in.post("/ratings/", {"item": item.pk}, **HTMX)

    assertContains(response, "Choose from 1 to 5 stars.")
    assertContains(response, "form-error")
    assert not Rating.objects.exists()


@pytest.mark.django_db
def test_a_bad_plain_form_gets_a_friendly_page(client_logged_in: Client, item) -> None:
    response = client_logged_in.post("/ratings/", {"item": item.pk, "stars": 9})

    assert response.status_code == 400
    assertContains(response, "couldn't save that rating", status_code=400)


@pytest.mark.django_db
def test_someone_elses_item_is_not_found(client_logged_in: Client) -> None:
    other = RecommendationItemFactory(recommendation__user=UserFactory())

    response = client_logged_in.post("/ratings/", {"item": other.pk, "stars": 5}, **HTMX)

    assert response.status_code == 404
    assert not Rating.objects.exists()


@pytest.mark.django_db
def test_rating_needs_a_signed_in_user_and_post(client: Client, item) -> None:
    assert client.post("/ratings/", {"item": item.pk, "stars": 5}).status_code == 302
    client.force_login(item.recommendation.user)
    assert client.get("/ratings/").status_code == 405
