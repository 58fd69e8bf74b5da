"""Face detection (BlazeFace on LiteRT): real photos in every input form, EXIF rotation, tilted,
small, tiny and huge images, several faces, keypoints and the anchor decoding."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest
from PIL import Image

from ml.detect import BlazeFaceDetector, Face, detect_faces, ssd_anchors, weighted_nms
from ml.imageio import decode_image
from ml.tests.conftest import ASTRONAUT_FACE, centre, encode


def assert_astronaut_face(boxes: list, scale: float = 1.0, offset: tuple = (0, 0)) -> None:
    """Exactly the astronaut's face, where it is, about its size."""
    assert len(boxes) == 1, boxes
    expected = tuple(v * scale for v in ASTRONAUT_FACE)
    (cx, cy), (ex, ey) = centre(boxes[0]), centre(expected)
    assert abs(cx - ex - offset[0]) < 0.15 * expected[2]
    assert abs(cy - ey - offset[1]) < 0.15 * expected[3]
    assert 0.7 < boxes[0][2] / expected[2] < 1.4


def rotate(image: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), borderMode=cv2.BORDER_REFLECT), matrix


def test_the_anchors_are_mediapipes() -> None:
    short = ssd_anchors(128, (8, 16, 16, 16), True)
    full = ssd_anchors(192, (4,), False)
    assert short.shape == (896, 2)  # 16x16x2 + 8x8x6, what the short-range model outputs
    assert full.shape == (2304, 2)  # 48x48x1
    np.testing.assert_allclose(short[0], (1 / 32, 1 / 32))
    np.testing.assert_allclose(short[-1], (15 / 16, 15 / 16))
    assert (short[:512:2] == short[1:512:2]).all()  # two anchors per cell at stride 8


def test_weighted_suppression_merges_overlaps_and_keeps_the_rest() -> None:
    coords = np.array(
        [[0, 0, 10, 10, 5, 5], [1, 1, 11, 11, 6, 6], [50, 50, 60, 60, 55, 55]], np.float64
    )
    kept = weighted_nms(coords, np.array([0.9, 0.9, 0.7]))
    assert len(kept) == 2
    np.testing.assert_allclose(kept[0][0], [0.5, 0.5, 10.5, 10.5, 5.5, 5.5])
    assert kept[0][1] == 0.9
    assert kept[1][1] == 0.7


def test_it_finds_the_astronaut_with_eyes_nose_and_mouth(astronaut: np.ndarray) -> None:
    faces = BlazeFaceDetector().find(astronaut)
    assert len(faces) == 1
    face = faces[0]
    assert_astronaut_face([face.box])
    assert face.score > 0.7
    (left, right), nose, mouth = face.keypoints[:2], face.keypoints[2], face.keypoints[3]
    x, y, w, h = face.box
    assert x < left[0] < right[0] < x + w  # the first keypoint is the eye on the image's left
    assert left[1] < nose[1] < mouth[1] < y + h  # eyes above nose above mouth
    assert abs(face.angle) < 10


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


@pytest.mark.parametrize("angle", [-30, -15, 15, 30])
def test_it_finds_a_tilted_face_and_measures_the_tilt(astronaut: np.ndarray, angle: int) -> None:
    upright = BlazeFaceDetector().find(astronaut)[0]
    tilted, matrix = rotate(astronaut, angle)
    faces = BlazeFaceDetector().find(tilted)
    assert len(faces) == 1
    # The face centre turns with the image...
    ex, ey = matrix @ np.array([*centre(upright.box), 1.0])
    bx, by = centre(faces[0].box)
    assert abs(bx - ex) < 20
    assert abs(by - ey) < 20
    # ...and so does the eye line (a positive cv2 angle turns the picture counter-clockwise).
    assert faces[0].angle == pytest.approx(upright.angle - angle, abs=16)


def test_a_small_face_is_found_by_the_full_range_model(astronaut: np.ndarray) -> None:
    """A 40 px face in a 640x480 frame: too small for the short-range model alone."""
    frame = np.full((480, 640, 3), (70, 90, 110), np.uint8)
    frame[260:470, 380:590] = cv2.resize(astronaut, (210, 210), interpolation=cv2.INTER_AREA)
    assert BlazeFaceDetector("short").find(frame) == []
    faces = BlazeFaceDetector().find(frame)
    assert len(faces) == 1
    (cx, cy), (fx, fy) = centre(faces[0].box), centre(ASTRONAUT_FACE)
    side = ASTRONAUT_FACE[2] * 210 / 512  # 39 px
    assert abs(cx - (380 + fx * 210 / 512)) < 0.35 * side
    assert abs(cy - (260 + fy * 210 / 512)) < 0.35 * side


def test_several_faces_come_largest_first(astronaut: np.ndarray) -> None:
    canvas = np.full((700, 1100, 3), 90, np.uint8)
    canvas[100:612, 20:532] = astronaut
    small = cv2.resize(astronaut, (384, 384), interpolation=cv2.INTER_AREA)
    canvas[200:584, 650:1034] = small
    boxes = BlazeFaceDetector().detect(canvas)
    assert len(boxes) == 2
    assert boxes[0][2] * boxes[0][3] > boxes[1][2] * boxes[1][3]
    assert centre(boxes[0])[0] < 532 < centre(boxes[1])[0]


def test_no_more_than_max_faces(astronaut: np.ndarray) -> None:
    tile = astronaut[20:276, 100:356]  # 256x256 around the face
    canvas = np.vstack([np.hstack([tile] * 4)] * 3)  # 12 faces, 1024x768
    assert len(BlazeFaceDetector(max_faces=20).find(canvas)) >= 10
    assert len(BlazeFaceDetector().find(canvas)) == 8  # MAX_FACES


def test_a_face_without_keypoints_is_level() -> None:
    assert Face((0, 0, 10, 10), 1.0).angle == 0.0
    assert Face((0, 0, 10, 10), 1.0, ((0, 0), (10, 10))).angle == pytest.approx(45.0)


def test_an_unknown_model_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown BlazeFace model"):
        BlazeFaceDetector("long")


def _group_photo(width: int, height: int, big: int, small: int) -> np.ndarray:
    """Two copies of the astronaut on a plain wall: one near the camera, one far away."""
    from skimage import data

    astronaut = data.astronaut()
    frame = np.full((height, width, 3), 205, np.uint8)
    frame[:big, 20 : 20 + big] = np.asarray(Image.fromarray(astronaut).resize((big, big)))
    y = (height - small) // 2
    far = np.asarray(Image.fromarray(astronaut).resize((small, small)))
    frame[y : y + small, width - small - 40 : width - 40] = far
    return frame


def test_tiles_cover_the_frame_with_overlap() -> None:
    from ml.detect import tiles

    for width, height in [(1600, 900), (4000, 3000), (900, 480), (801, 2000)]:
        covered = np.zeros((height, width), bool)
        for x, y, side in tiles(width, height):
            assert 0 <= x <= width - side
            assert 0 <= y <= height - side
            covered[y : y + side, x : x + side] = True
        assert covered.all()


@pytest.mark.parametrize(
    ("width", "height", "big", "small"), [(1600, 900, 800, 300), (2000, 1500, 1000, 350)]
)
def test_a_far_face_in_a_large_group_photo_is_found(width, height, big, small) -> None:
    frame = _group_photo(width, height, big, small)

    faces = BlazeFaceDetector().find(frame)
    without_tiles = BlazeFaceDetector(tile_above=0).find(frame)

    assert len(without_tiles) == 1  # the far face is under 1/15 of the long side: lost at 192 px
    assert len(faces) == 2
    near, far = faces
    assert near.box[0] < width / 2 < far.box[0]  # the far face is the one on the right
    assert far.box[2] < near.box[2]


@pytest.mark.parametrize("name", ["coffee", "rocket", "chelsea", "horse", "coins"])
def test_tiling_large_photos_without_faces_finds_none(name) -> None:
    from skimage import data

    image = np.asarray(Image.fromarray(getattr(data, name)()).convert("RGB"))
    large = cv2.resize(image, (image.shape[1] * 3, image.shape[0] * 3))
    assert max(large.shape[:2]) > 800  # tiled

    assert BlazeFaceDetector().find(large) == []


def test_webcam_frames_are_not_tiled() -> None:
    frame = _group_photo(640, 480, 300, 120)
    calls: list[tuple[int, ...]] = []
    detector = BlazeFaceDetector()
    run = detector._run
    detector._run = lambda stage, rgb: calls.append(rgb.shape) or run(stage, rgb)  # type: ignore[method-assign]

    detector.find(frame)

    assert all(shape[:2] == (480, 640) for shape in calls)
