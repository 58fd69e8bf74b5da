"""In real Chromium: sign in, take a webcam snapshot of a face (a fake camera playing the
astronaut), see "happy" and the probability chart; upload a file when the camera is refused."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory
from core.tests.chromium import chromium_for_module
from emotions.models import MoodReading
from emotions.services import emotion_model_status
from emotions.tests import images
from emotions.tests.conftest import stored_files
from emotions.tests.factories import MoodReadingFactory

PASSWORD = "correct-horse-battery"
# Inference runs inline in the live server (eager tasks), with the model loaded beforehand.
RESULT_TIMEOUT_MS = 120_000

pytestmark = pytest.mark.browser


def write_y4m(path: Path, rgb: np.ndarray, frames: int = 8, fps: int = 15) -> Path:
    """A YUV4MPEG2 (4:2:0, BT.601 studio range) video that shows `rgb` still, for Chromium's
    fake camera; the frame's sides must be even."""
    r, g, b = (rgb[:, :, i].astype(np.float64) / 255.0 for i in range(3))
    y = 16 + 65.481 * r + 128.553 * g + 24.966 * b
    cb = 128 - 37.797 * r - 74.203 * g + 112.0 * b
    cr = 128 + 112.0 * r - 93.786 * g - 18.214 * b

    def plane(values: np.ndarray) -> bytes:
        return np.clip(np.rint(values), 0, 255).astype(np.uint8).tobytes()

    def subsampled(values: np.ndarray) -> np.ndarray:
        return (
            values[0::2, 0::2] + values[1::2, 0::2] + values[0::2, 1::2] + values[1::2, 1::2]
        ) / 4

    height, width = rgb.shape[:2]
    frame = b"FRAME\n" + plane(y) + plane(subsampled(cb)) + plane(subsampled(cr))
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(frame)
    return path


@pytest.fixture(scope="module")
def face_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The astronaut's smiling face pasted on a 640x480 frame, as a still video."""
    folder = tmp_path_factory.mktemp("camera")
    return write_y4m(folder / "face.y4m", images.on_canvas(images.astronaut_rgb(), 640, 480))


@pytest.fixture(scope="module")
def chromium(face_video: Path) -> Iterator:
    with chromium_for_module(
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={face_video}",
    ) as browser:
        yield browser


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where screenshots go: SCREENSHOT_DIR (e.g. docs/screenshots) or this test's folder."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def listener(transactional_db: None) -> User:
    return UserFactory(username="listener")


@pytest.fixture
def page(live_server, chromium, listener: User) -> Iterator:
    """A Chromium page signed in through the sign-in form."""
    # Reduced motion: the chart draws at once, so screenshots show it finished.
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1100, "height": 900}, reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(30_000)  # this machine may be busy
    page.goto("/accounts/login/?next=/mood/")
    page.get_by_label("Username").fill(listener.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("#main").get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/mood/$"))
    yield page
    context.close()


def wait_for_result(page) -> MoodReading:
    page.wait_for_url(
        re.compile(r"/mood/readings/\d+/$"), wait_until="commit", timeout=RESULT_TIMEOUT_MS
    )
    page.locator("#reading-panel:not([aria-busy])").wait_for(timeout=RESULT_TIMEOUT_MS)
    reading_id = int(re.search(r"/mood/readings/(\d+)/", page.url).group(1))
    return MoodReading.objects.get(pk=reading_id)


def wait_for_chart(page) -> None:
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('probability-chart'))"
    )
    assert page.locator("canvas#probability-chart").is_visible()
    box = page.locator("canvas#probability-chart").bounding_box()
    assert box["width"] > 200
    assert box["height"] > 100


def warm_up_model() -> None:
    """Load the model in this process (the live server's) before the browser waits on it."""
    status = emotion_model_status(load=True)
    assert status["ok"], status["error"]


def test_a_webcam_snapshot_of_a_smiling_face_reads_happy(
    shipped_model: Path, page, screenshots: Path, private_media: Path
) -> None:
    warm_up_model()
    page.get_by_role("button", name="Turn on camera").click()
    page.locator('#capture[data-state="live"]').wait_for()
    page.wait_for_function("() => document.getElementById('camera-video').videoWidth > 0")
    page.wait_for_timeout(300)  # let a few frames through, for the screenshot
    page.screenshot(path=screenshots / "capture.png", full_page=True)

    page.get_by_role("button", name="Take snapshot").click()
    reading = wait_for_result(page)

    assert (reading.source, reading.status, reading.face_count) == ("webcam", "done", 1)
    assert reading.emotion == "happy"
    heading = page.get_by_role("heading", level=1)
    assert "You look happy" in heading.inner_text()
    assert page.locator(".emotion-word").inner_text() == "happy"
    wait_for_chart(page)
    assert page.locator(".thumb-wrap img").evaluate("img => img.naturalWidth") == 160
    assert page.locator(".thumb-overlay rect.face-box").count() == 1
    page.screenshot(path=screenshots / "result.png", full_page=True)
    # The snapshot itself is gone; the face thumbnail is all that is kept.
    assert stored_files(private_media) == [reading.thumbnail.name]


def test_with_the_camera_refused_a_file_upload_is_read(
    page, settings, tiny_model_file: Path, screenshots: Path
) -> None:
    shipped = Path(settings.BASE_DIR) / "ml" / "weights" / "emotion_cnn.keras"
    settings.EMOTION_MODEL_PATH = shipped if shipped.is_file() else tiny_model_file
    warm_up_model()
    page.add_init_script(
        "navigator.mediaDevices.getUserMedia = () =>"
        " Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));"
    )
    page.reload()

    page.get_by_role("button", name="Turn on camera").click()
    page.locator('#capture[data-state="denied"]').wait_for()
    assert "upload a photo instead" in page.locator("#camera-message").inner_text()
    page.screenshot(path=screenshots / "capture-camera-denied.png", full_page=True)

    page.locator("#image-input").set_input_files(
        files=[{"name": "me.jpg", "mimeType": "image/jpeg", "buffer": images.astronaut_jpeg()}]
    )
    page.get_by_role("button", name="Read my mood").click()
    reading = wait_for_result(page)

    assert (reading.source, reading.status) == ("upload", "done")
    assert (
        page.locator(".emotion-word").inner_text()
        == {
            "angry": "angry",
            "disgust": "disgusted",
            "fear": "afraid",
            "happy": "happy",
            "sad": "sad",
            "surprise": "surprised",
            "neutral": "neutral",
        }[reading.emotion]
    )
    wait_for_chart(page)
    page.get_by_text("Show as a table").click()
    assert page.locator(".probability-table tbody tr").count() == 7

    # "Not right? It's …": the correction swaps the panel in place.
    page.get_by_role("button", name="Sad").click()
    page.locator('.emotion-word[data-emotion="sad"]').wait_for()
    reading.refresh_from_db()
    assert reading.user_emotion == "sad"


def test_a_bad_file_is_explained_and_no_face_offers_a_retry(
    page, listener: User, screenshots: Path
) -> None:
    page.locator("#image-input").set_input_files(
        files=[{"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": images.NOT_AN_IMAGE}]
    )
    page.get_by_role("button", name="Read my mood").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "We couldn't read that file" in alert.inner_text()
    assert not MoodReading.objects.exists()

    reading = MoodReadingFactory(user=listener, status="no_face", source="webcam")
    page.goto(f"/mood/readings/{reading.pk}/")
    assert "We couldn't find a face" in page.get_by_role("heading", level=1).inner_text()
    page.screenshot(path=screenshots / "result-no-face.png", full_page=True)
    page.get_by_role("button", name="Try again").click()
    page.wait_for_url(re.compile(r"/mood/$"))
