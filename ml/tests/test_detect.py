"""Face detection: real photos in every input form, EXIF rotation, tiny and huge images."""

from __future__ import annotations

import io
from collections.abc import Callable

import cv2
import numpy as np
import pytest
from PIL import Image

from ml.detect import FaceDetector, HaarDetector, detect_faces, merge_duplicates
from ml.imageio import decode_image
from ml.tests.conftest import ASTRONAUT_FACE, centre, encode

# These start TensorFlow (MTCNN or the classifier): minutes, not a hang, on a busy 2-core machine.
pytestmark = pytest.mark.timeout(900)


def assert_astronaut_face(boxes: list, scale: float = 1.0, offset: tuple = (0, 0)) -> None:
    """Exactly the astronaut's face, where it is, about its size."""
    assert len(boxes) == 1, boxes
    expected = tuple(v * scale for v in ASTRONAUT_FACE)
    (cx, cy), (ex, ey) = centre(boxes[0]), centre(expected)
    assert abs(cx - ex - offset[0]) < 0.15 * expected[2]
    assert abs(cy - ey - offset[1]) < 0.15 * expected[3]
    assert 0.7 < boxes[0][2] / expected[2] < 1.4


def test_it_finds_the_astronaut(astronaut: np.ndarray) -> None:
    assert_astronaut_face(detect_faces(astronaut))


def test_a_cat_is_not_a_face(chelsea: np.ndarray) -> None:
    assert detect_faces(chelsea) == []


def test_it_finds_the_face_in_a_photo_stored_sideways_with_an_exif_tag(
    astronaut: np.ndarray,
) -> None:
    stored = Image.fromarray(astronaut).transpose(Image.Transpose.ROTATE_270)
    exif = Image.Exif()
    exif[0x0112] = 8  # "rotate 90° counter-clockwise to view"
    data = encode(stored, exif=exif.tobytes(), quality=92)
    assert_astronaut_face(detect_faces(decode_image(data)))
    # Without honouring the tag, the same pixels hold a face lying on its side.
    sideways = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    assert FaceDetector(fallback=False).detect(sideways) == []


@pytest.mark.parametrize("mode", ["L", "LA", "RGBA", "P", "CMYK", "I;16"])
def test_it_finds_the_face_whatever_the_colour_mode(astronaut: np.ndarray, mode: str) -> None:
    pil = Image.fromarray(astronaut)
    if mode == "I;16":
        pil = Image.fromarray(np.asarray(pil.convert("L")).astype(np.uint16) * 257)
    else:
        pil = pil.convert(mode)
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    assert_astronaut_face(detect_faces(decode_image(encode(pil, fmt))))


@pytest.mark.parametrize(
    "convert",
    [
        lambda a: cv2.cvtColor(a, cv2.COLOR_RGB2GRAY),
        lambda a: cv2.cvtColor(a, cv2.COLOR_RGB2GRAY)[:, :, None],
        lambda a: np.dstack([a, np.full(a.shape[:2], 255, np.uint8)]),
        lambda a: a.astype(np.uint16) * 257,
        lambda a: a.astype(np.float32) / 255,
    ],
    ids=["gray", "gray-1ch", "rgba", "uint16", "float"],
)
def test_it_accepts_arrays_of_every_kind(
    astronaut: np.ndarray, convert: Callable[[np.ndarray], np.ndarray]
) -> None:
    assert_astronaut_face(detect_faces(convert(astronaut)))


@pytest.mark.parametrize("shape", [(1, 1, 3), (1, 1), (5, 7, 3), (30, 2, 3), (2, 3000, 3)])
def test_tiny_and_thin_images_have_no_faces(shape: tuple) -> None:
    assert detect_faces(np.full(shape, 128, np.uint8)) == []


def test_it_finds_the_face_in_a_huge_photo(astronaut: np.ndarray) -> None:
    canvas = np.full((4000, 6000, 3), (60, 80, 100), np.uint8)
    big = cv2.resize(astronaut, (2048, 2048), interpolation=cv2.INTER_CUBIC)
    canvas[1000:3048, 2500:4548] = big
    assert_astronaut_face(detect_faces(canvas), scale=4.0, offset=(2500, 1000))


def test_it_finds_a_tilted_face_through_the_mtcnn_fallback(astronaut: np.ndarray) -> None:
    matrix = cv2.getRotationMatrix2D((256, 256), 30, 1.0)
    tilted = cv2.warpAffine(astronaut, matrix, (512, 512), borderMode=cv2.BORDER_REFLECT)
    assert FaceDetector(fallback=False).detect(tilted) == []
    boxes = FaceDetector().detect(tilted)
    assert len(boxes) == 1
    # The face centre turns with the image.
    cx, cy = centre(ASTRONAUT_FACE)
    ex, ey = matrix @ np.array([cx, cy, 1.0])
    bx, by = centre(boxes[0])
    assert abs(bx - ex) < 20
    assert abs(by - ey) < 20


def test_both_detectors_frame_the_face_alike(astronaut: np.ndarray) -> None:
    haar = FaceDetector(fallback=False).detect(astronaut)[0]
    from ml.detect import MtcnnDetector

    mtcnn_boxes, _ = MtcnnDetector().detect(astronaut)
    assert len(mtcnn_boxes) == 1
    m = mtcnn_boxes[0]
    assert abs(m[2] - haar[2]) < 0.15 * haar[2]
    assert np.hypot(*np.subtract(centre(tuple(m)), centre(haar))) < 0.1 * haar[2]


def test_several_faces_come_largest_first(astronaut: np.ndarray) -> None:
    canvas = np.full((700, 1100, 3), 90, np.uint8)
    canvas[100:612, 20:532] = astronaut
    small = cv2.resize(astronaut, (384, 384), interpolation=cv2.INTER_AREA)
    canvas[200:584, 650:1034] = small
    boxes = FaceDetector(haar=HaarDetector(max_side=1100)).detect(canvas)
    assert len(boxes) == 2
    assert boxes[0][2] * boxes[0][3] > boxes[1][2] * boxes[1][3]
    assert boxes[0][0] < 532 < boxes[1][0]


def test_merge_duplicates_keeps_the_best_of_nested_boxes() -> None:
    boxes = np.array([[10, 10, 100, 100], [30, 30, 40, 40], [300, 300, 50, 50], [12, 8, 98, 104]])
    scores = np.array([20, 3, 9, 10])
    kept = merge_duplicates(boxes.astype(float), scores)
    assert kept.tolist() == [[10, 10, 100, 100], [300, 300, 50, 50]]
