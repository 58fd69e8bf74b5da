"""Security round 2, finding 7: a demo visitor's data is theirs alone, face thumbnails included.

All "Try the demo" visitors used to share one account that keeps face thumbnails, so a second
visitor downloaded the first one's face. Each visitor now gets an account of their own
(demo/visitors.py); this drives two visitors through "Try the demo" and checks, page by page,
that the second sees, exports and deletes nothing of the first.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image

from emotions.models import MoodReading
from library.tasks import library_sync

READING_LINK = re.compile(r"/mood/(?:readings|history)/(\d+)/")


@pytest.fixture(autouse=True)
def _no_library_sync(monkeypatch) -> None:
    """The visitors' library syncs are queued, not run (no stand-in server here)."""
    monkeypatch.setattr(library_sync, "delay", lambda user_id: None)


def _visitor() -> tuple[Client, int]:
    """A browser that pressed "Try the demo", and the id of the account it got."""
    browser = Client()
    response = browser.post("/accounts/demo/")
    assert response.status_code == 302
    return browser, int(browser.session["_auth_user_id"])


def _face_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (48, 48), (200, 150, 120)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _ids(user_id: int) -> set[int]:
    return set(MoodReading.objects.filter(user_id=user_id).values_list("pk", flat=True))


@pytest.mark.django_db
@pytest.mark.usefixtures("private_media")
def test_a_second_visitor_cannot_see_export_or_delete_the_first_ones_history() -> None:
    first, first_id = _visitor()
    # The first visitor's latest reading keeps a face thumbnail, as an upload does.
    latest = MoodReading.objects.filter(user_id=first_id).latest("created_at")
    latest.thumbnail.save("face.jpg", ContentFile(_face_jpeg()), save=True)
    face = f"/mood/readings/{latest.pk}/thumbnail/"
    assert first.get(face).status_code == 200  # the owner sees it
    assert str(latest.pk) in first.get("/mood/history/").content.decode()

    second, second_id = _visitor()

    # The face and the reading's pages: as if they did not exist.
    for path in (
        face,
        f"/mood/readings/{latest.pk}/",
        f"/mood/readings/{latest.pk}/status/",
        f"/api/v1/readings/{latest.pk}/",
        f"/mood/history/{latest.pk}/delete/",
    ):
        assert second.get(path).status_code == 404, path
    first_ids, second_ids = _ids(first_id), _ids(second_id)
    assert second_id != first_id
    assert first_ids
    assert second_ids
    assert not first_ids & second_ids

    # The history page and the readings API list only the second visitor's own readings.
    page = second.get("/mood/history/").content.decode()
    listed = {int(pk) for pk in READING_LINK.findall(page)}
    assert listed
    assert listed <= second_ids
    api_ids = {row["id"] for row in second.get("/api/v1/readings/").json()["results"]}
    assert api_ids
    assert api_ids <= second_ids
    summary = second.get("/api/v1/history/summary/").json()
    assert summary["total"] == len(second_ids)
    assert {point["id"] for point in summary["timeline"]} <= second_ids

    # Both exports hold the second visitor's readings only.
    for path in ("/mood/history/export/", "/api/v1/me/export/"):
        exported = json.loads(second.get(path).content)
        assert {row["id"] for row in exported["readings"]} == second_ids, path

    # Deleting one reading or everything touches only the second visitor's own.
    assert second.post(f"/mood/history/{latest.pk}/delete/").status_code == 404
    assert second.post(f"/mood/readings/{latest.pk}/delete/").status_code == 404
    assert second.delete(f"/api/v1/readings/{latest.pk}/").status_code == 404
    second.post("/mood/history/delete/")

    assert _ids(first_id) == first_ids
    assert not _ids(second_id)
    assert first.get(face).status_code == 200
    assert first.get(face).getvalue() == _face_jpeg()
