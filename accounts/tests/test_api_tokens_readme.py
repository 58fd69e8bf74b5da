"""The README's "Using the API with a token" commands, run as written (bash, curl, jq) against a
live server: upload a photo with a token, poll it, make and list its recommendations."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import api_token_create
from emotions.tests import images
from emotions.tests.conftest import tiny_model_file  # noqa: F401 - a fixture
from emotions.tests.factories import MoodReadingFactory
from library.evidence import track_moods_sync_curated
from library.tests.factories import curated_library

README = Path(settings.BASE_DIR) / "README.md"
MARKER = "<!-- api-token-example:"


def readme_example() -> str:
    """The shell block right after the marker comment in the README."""
    text = README.read_text()
    after = text[text.index(MARKER) :]
    match = re.search(r"```sh\n(.*?)```", after, re.S)
    assert match, "the README's token example has no ```sh block"
    return match.group(1)


@pytest.fixture
def model_path(settings, tiny_model_file: Path) -> Path:  # noqa: F811
    """The shipped model when it is there, else an untrained one of the same shape."""
    shipped = Path(settings.BASE_DIR) / "ml" / "weights" / "emotion_cnn.keras"
    settings.EMOTION_MODEL_PATH = shipped if shipped.is_file() else tiny_model_file
    return settings.EMOTION_MODEL_PATH


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq on PATH"
)
def test_the_readme_example_runs_as_written(
    live_server, model_path: Path, private_media: Path, tmp_path: Path
) -> None:
    user = User.objects.create(username="scripter")
    curated_library(user, per_mood=4)
    track_moods_sync_curated()
    key = api_token_create(user=user, name="readme").key
    script = readme_example()
    assert "http://127.0.0.1:8000" in script
    assert "mt_…" in script
    script = script.replace("http://127.0.0.1:8000", live_server.url).replace("mt_…", key)
    (tmp_path / "me.jpg").write_bytes(images.astronaut_jpeg())

    run = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.strip().splitlines()
    reading = user.readings.get()
    assert lines[0] == f"reading {reading.pk}: done"
    songs = lines[1:-1]
    assert len(songs) == 10
    assert all(re.match(r"^\d+\. .+ — .+: .+", song) for song in songs), songs
    assert lines[-1] == "1"  # the list made in step 3
    assert reading.recommendations.count() == 1


@pytest.mark.django_db
def test_a_readings_recommendations_are_listed_only_once_made(user: User) -> None:
    """What the README says of GET ?reading=N: empty until a POST makes a list."""
    curated_library(user, per_mood=3)
    track_moods_sync_curated()
    reading = MoodReadingFactory(user=user, done=True, emotion="sad")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user, name='x').key}")
    url = f"/api/v1/recommendations/?reading={reading.pk}"

    assert api.get(url).json()["count"] == 0
    made = api.post("/api/v1/recommendations/", {"reading": reading.pk}, format="json")
    assert made.status_code == 201
    assert made.json()["reading"] == reading.pk
    listed = api.get(url).json()
    assert listed["count"] == 1
    assert listed["results"][0]["id"] == made.json()["id"]
