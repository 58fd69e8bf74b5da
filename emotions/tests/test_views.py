"""Tests for the capture page, the result page and its polling partial, and the thumbnail."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects
from rest_framework.throttling import ScopedRateThrottle

from accounts.models import User
from emotions.models import MoodReading
from emotions.tests import images
from emotions.tests.conftest import stored_files
from emotions.tests.factories import MoodReadingFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def page(reading: MoodReading) -> str:
    return f"/mood/readings/{reading.pk}/"


def status(reading: MoodReading) -> str:
    return f"/mood/readings/{reading.pk}/status/"


# The capture page


@pytest.mark.django_db
def test_the_capture_page_needs_a_signed_in_user(client: Client) -> None:
    response = client.get("/mood/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_capture_page_offers_camera_upload_and_a_mood_picker(client_logged_in: Client) -> None:
    response = client_logged_in.get("/mood/")

    assert response.status_code == 200
    assertContains(response, "<h1>Read my mood</h1>", html=True)
    assertContains(response, 'id="camera-video"')
    assertContains(response, "Take snapshot")
    assertContains(response, 'enctype="multipart/form-data"')
    assertContains(response, 'name="image"')
    assertContains(response, 'data-api-url="/api/v1/readings/"')
    assertContains(response, "No camera? Pick how you feel")
    assertContains(response, 'name="emotion"', count=7)
    assertContains(response, "/static/emotions/webcam.js")
    assertContains(response, "up to 10 MB")
    assertContains(response, 'aria-current="page"')  # the nav knows where we are


@pytest.mark.django_db
def test_without_javascript_an_upload_redirects_to_the_result_page(
    client_logged_in: Client, user: User
) -> None:
    response = client_logged_in.post(
        "/mood/", {"image": images.upload(images.astronaut_jpeg()), "source": "upload"}
    )

    reading = MoodReading.objects.get()
    assertRedirects(response, page(reading))
    assert (reading.user, reading.source, reading.status) == (user, "upload", "pending")


@pytest.mark.django_db
def test_a_bad_upload_shows_the_reason_on_the_capture_page(
    client_logged_in: Client, private_media: Path
) -> None:
    response = client_logged_in.post(
        "/mood/", {"image": images.upload(images.PDF, "cv.pdf", "application/pdf")}
    )

    assert response.status_code == 400
    assertContains(response, 'role="alert"', status_code=400)
    assertContains(response, "PDF documents are not supported", status_code=400)
    assert not MoodReading.objects.exists()
    assert stored_files(private_media) == []


@pytest.mark.django_db
def test_picking_a_mood_without_a_camera_makes_a_done_reading(
    client_logged_in: Client,
) -> None:
    response = client_logged_in.post("/mood/", {"emotion": "surprise"})

    reading = MoodReading.objects.get()
    assertRedirects(response, page(reading))
    assert (reading.source, reading.status, reading.user_emotion) == ("manual", "done", "surprise")
    assertContains(client_logged_in.get(page(reading)), "You feel")


@pytest.mark.django_db
def test_the_html_upload_shares_the_upload_budget(
    client_logged_in: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "uploads", "1/hour")
    photo = images.astronaut_jpeg()

    first = client_logged_in.post("/mood/", {"image": images.upload(photo)})
    second = client_logged_in.post("/mood/", {"image": images.upload(photo)})

    assert first.status_code == 302
    assert second.status_code == 429
    assertContains(second, "uploaded a lot of photos", status_code=429)
    # The 429 page says in words when, and offers picking a mood by hand meanwhile.
    assertContains(second, "You can upload again in about an hour.", status_code=429)
    assertContains(second, "Pick your mood by hand instead", status_code=429)
    assert int(second.headers["Retry-After"]) > 3500
    assert client_logged_in.post("/mood/", {"emotion": "happy"}).status_code == 302


@pytest.mark.django_db
def test_a_rejected_html_upload_does_not_use_up_the_budget(
    client_logged_in: Client, monkeypatch: pytest.MonkeyPatch, private_media: Path
) -> None:
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "uploads", "1/hour")
    pdf = images.upload(images.PDF, "cv.pdf", "application/pdf")

    rejected = client_logged_in.post("/mood/", {"image": pdf})
    accepted = client_logged_in.post("/mood/", {"image": images.upload(images.astronaut_jpeg())})

    assert rejected.status_code == 400
    assert accepted.status_code == 302


# The result page


@pytest.mark.django_db
def test_a_pending_reading_polls_its_status_every_second(
    client_logged_in: Client, user: User
) -> None:
    reading = MoodReadingFactory(user=user)

    response = client_logged_in.get(page(reading))

    assertContains(response, "Analysing your photo")
    assertContains(response, f'hx-get="{status(reading)}"')
    assertContains(response, 'hx-trigger="every 1s"')
    assertContains(response, 'aria-live="polite"')
    assertContains(response, "<progress")


@pytest.mark.django_db
def test_a_long_wait_polls_gently_and_says_so(client_logged_in: Client, user: User) -> None:
    reading = MoodReadingFactory(user=user, status=MoodReading.Status.PROCESSING)
    MoodReading.objects.filter(pk=reading.pk).update(
        created_at=timezone.now() - timedelta(minutes=2)
    )

    response = client_logged_in.get(status(reading), **HTMX)

    assertContains(response, 'hx-trigger="every 5s"')
    assertContains(response, "taking longer than usual")


@pytest.mark.django_db
def test_the_status_partial_stops_polling_once_the_reading_is_final(
    client_logged_in: Client, user: User
) -> None:
    reading = MoodReadingFactory(user=user)
    assertContains(client_logged_in.get(status(reading), **HTMX), "every 1s")

    MoodReading.objects.filter(pk=reading.pk).update(**_done_fields())
    response = client_logged_in.get(status(reading), **HTMX)

    assertNotContains(response, 'hx-trigger="every')
    assertNotContains(response, "<html")
    assertContains(response, 'id="probability-chart"')
    assertContains(response, 'hx-swap-oob="innerHTML"')
    assertContains(response, "Your reading is ready: happy.")


def _done_fields() -> dict:
    done = MoodReadingFactory.build(done=True)
    return {
        field: getattr(done, field)
        for field in (
            "status",
            "emotion",
            "confidence",
            "probabilities",
            "faces",
            "face_count",
            "image_width",
            "image_height",
        )
    }


@pytest.mark.django_db
def test_without_htmx_the_status_url_leads_to_the_page(
    client_logged_in: Client, user: User
) -> None:
    reading = MoodReadingFactory(user=user)
    assertRedirects(client_logged_in.get(status(reading)), page(reading))


@pytest.mark.django_db
def test_a_done_reading_shows_words_confidence_chart_table_faces_and_correction(
    client_logged_in: Client, user: User
) -> None:
    reading = MoodReadingFactory(user=user, done=True)
    reading.thumbnail.save("face.jpg", ContentFile(images.astronaut_jpeg()), save=True)

    response = client_logged_in.get(page(reading))

    assertContains(response, "You look")
    assertContains(response, 'data-emotion="happy">happy</strong>')
    assertContains(response, "<strong>82%</strong> confident")
    assertContains(response, 'id="probability-chart"')
    assertContains(response, 'id="probability-data"')
    assertContains(response, "/static/vendor/chartjs/chart.umd.min.js")
    assertContains(
        response, '<tr class="primary"><th scope="row">Happy</th><td>82.0%</td></tr>', html=True
    )
    assertContains(response, '<th scope="row">', count=7)
    assertContains(response, f'src="/mood/readings/{reading.pk}/thumbnail/"')
    assertContains(response, 'viewBox="216 86 208 208"')  # the thumbnail's crop
    assertContains(response, 'viewBox="0 0 640 480"')  # the frame map
    assertContains(response, '<rect class="face-box primary" x="250" y="120"')
    assertContains(response, "Not right? It")
    assertContains(response, 'hx-post="/mood/readings/', count=1)
    assertNotContains(response, 'hx-trigger="every')
    assertNotContains(response, "not sure")


@pytest.mark.django_db
def test_an_uncertain_reading_says_so(client_logged_in: Client, user: User) -> None:
    reading = MoodReadingFactory(user=user, done=True, uncertain=True, confidence=0.31)

    assertContains(client_logged_in.get(page(reading)), "only 31% confident")


@pytest.mark.django_db
def test_with_nothing_kept_the_boxes_are_still_drawn(client_logged_in: Client, user: User) -> None:
    user.image_retention = User.ImageRetention.NOTHING
    user.save()
    reading = MoodReadingFactory(user=user, done=True)

    response = client_logged_in.get(page(reading))

    assertNotContains(response, "/thumbnail/")
    assertContains(response, 'class="frame-map"')
    assertContains(response, "No image was kept, as you asked.")


@pytest.mark.django_db
def test_a_corrected_reading_leads_with_the_users_word(
    client_logged_in: Client, user: User
) -> None:
    reading = MoodReadingFactory(user=user, done=True, user_emotion="sad")

    response = client_logged_in.get(page(reading))

    assertContains(response, "You feel")
    assertContains(response, 'data-emotion="sad">sad</strong>')
    assertContains(response, "You corrected the model, which read <strong>happy</strong>")
    assertContains(response, "Undo my correction")


@pytest.mark.django_db
def test_no_face_explains_with_tips_and_a_retry(client_logged_in: Client, user: User) -> None:
    reading = MoodReadingFactory(user=user, status=MoodReading.Status.NO_FACE, source="webcam")

    response = client_logged_in.get(page(reading))

    assertContains(response, "We couldn't find a face")
    assertContains(response, "in this snapshot")
    assertContains(response, "Light from the front.")
    assertContains(response, '<a href="/mood/" role="button">Try again</a>', html=True)
    assertNotContains(response, "probability-chart")


@pytest.mark.django_db
def test_a_failed_reading_shows_its_message_and_a_retry(
    client_logged_in: Client, user: User
) -> None:
    reading = MoodReadingFactory(
        user=user, status=MoodReading.Status.FAILED, error_message="The model is unavailable."
    )

    response = client_logged_in.get(page(reading))

    assertContains(response, "We couldn't read this photo")
    assertContains(response, "The model is unavailable.")
    assertContains(response, "Try again")


@pytest.mark.django_db
def test_the_songs_panel_loads_for_a_final_reading_with_the_users_strategy(
    client_logged_in: Client, user: User
) -> None:
    user.default_strategy = User.Strategy.LIFT
    user.save()
    reading = MoodReadingFactory(user=user, done=True)

    response = client_logged_in.get(page(reading))

    assertContains(response, f'hx-get="/songs/reading/{reading.pk}/?strategy=lift"')
    assertContains(response, 'hx-trigger="load"')
    pending = MoodReadingFactory(user=user)
    assertNotContains(client_logged_in.get(page(pending)), "/songs/reading/")


@pytest.mark.django_db
def test_someone_elses_reading_is_404_everywhere(client_logged_in: Client) -> None:
    other = MoodReadingFactory(done=True)
    other.thumbnail.save("face.jpg", ContentFile(images.astronaut_jpeg()), save=True)

    for url in (page(other), status(other), f"{page(other)}thumbnail/"):
        assert client_logged_in.get(url, **HTMX).status_code == 404
    assert client_logged_in.post(f"{page(other)}correct/", {"emotion": "sad"}).status_code == 404
    assert client_logged_in.post(f"{page(other)}delete/").status_code == 404
    assert MoodReading.objects.filter(pk=other.pk, user_emotion="").exists()


# Thumbnail, correction and deletion


@pytest.mark.django_db
def test_the_owner_gets_the_thumbnail_privately(client_logged_in: Client, user: User) -> None:
    reading = MoodReadingFactory(user=user, done=True)
    jpeg = images.astronaut_jpeg()
    reading.thumbnail.save("face.jpg", ContentFile(jpeg), save=True)

    response = client_logged_in.get(f"{page(reading)}thumbnail/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert b"".join(response.streaming_content) == jpeg


@pytest.mark.django_db
def test_a_reading_without_a_thumbnail_has_none_to_serve(
    client_logged_in: Client, user: User
) -> None:
    reading = MoodReadingFactory(user=user, done=True)
    assert client_logged_in.get(f"{page(reading)}thumbnail/").status_code == 404


@pytest.mark.django_db
def test_correcting_with_htmx_returns_the_updated_panel(
    client_logged_in: Client, user: User
) -> None:
    reading = MoodReadingFactory(user=user, done=True)

    response = client_logged_in.post(f"{page(reading)}correct/", {"emotion": "fear"}, **HTMX)

    assert response.status_code == 200
    assertContains(response, 'id="reading-panel"')
    assertContains(response, 'data-emotion="fear">afraid</strong>')
    assertNotContains(response, "<html")
    reading.refresh_from_db()
    assert reading.user_emotion == "fear"


@pytest.mark.django_db
def test_correcting_with_htmx_moves_the_focus_on_to_the_new_songs(
    client_logged_in: Client, user: User
) -> None:
    reading = MoodReadingFactory(user=user, done=True)
    shown = client_logged_in.get(f"{page(reading)}status/", **HTMX)

    response = client_logged_in.post(f"{page(reading)}correct/", {"emotion": "fear"}, **HTMX)

    # The focus waits on "Finding songs…" (not the body), and the songs' heading takes it.
    assertContains(response, 'tabindex="-1" autofocus')
    assertContains(response, "?strategy=match&amp;focus=1")
    assertContains(response, "Your mood is now afraid")
    assertNotContains(shown, "autofocus")
    assertNotContains(shown, "focus=1")


@pytest.mark.django_db
def test_correcting_without_javascript_redirects_back(client_logged_in: Client, user: User) -> None:
    reading = MoodReadingFactory(user=user, done=True)

    assertRedirects(
        client_logged_in.post(f"{page(reading)}correct/", {"emotion": "sad"}), page(reading)
    )
    bad = client_logged_in.post(f"{page(reading)}correct/", {"emotion": "meh"}, follow=True)
    assertContains(bad, "Pick one of the moods.")
    reading.refresh_from_db()
    assert reading.user_emotion == "sad"


@pytest.mark.django_db
def test_deleting_from_the_result_page(
    client_logged_in: Client, user: User, private_media: Path, django_capture_on_commit_callbacks
) -> None:
    reading = MoodReadingFactory(user=user, done=True)
    reading.thumbnail.save("face.jpg", ContentFile(images.astronaut_jpeg()), save=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_logged_in.post(f"{page(reading)}delete/", follow=True)

    assertRedirects(response, "/mood/")
    assertContains(response, "The reading and its images were deleted.")
    assert not MoodReading.objects.exists()
    assert stored_files(private_media) == []
