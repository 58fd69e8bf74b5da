"""Tests for the upload checks: every bad input gets a message a person understands."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from core.exceptions import ApplicationError
from emotions.tests import images
from emotions.validation import STORED_MAX_SIDE, validate_image_upload


def rejected(data: bytes, name: str = "photo.jpg") -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        validate_image_upload(images.upload(data, name))
    assert caught.value.status_code == 400
    assert caught.value.extra["field"] == "image"
    return caught.value


def decoded(jpeg: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"))


def test_it_asks_for_a_photo_when_there_is_none() -> None:
    with pytest.raises(ApplicationError, match="Choose a photo"):
        validate_image_upload(None)


def test_it_rejects_an_empty_file() -> None:
    error = rejected(b"")
    assert error.message.startswith("That file is empty.")
    assert error.extra["code"] == "empty_file"


def test_it_rejects_text_with_an_image_extension() -> None:
    error = rejected(images.NOT_AN_IMAGE, "holiday.jpg")
    assert error.message.startswith("We couldn't read that file")
    assert "JPEG, PNG" in error.message
    assert error.extra["code"] == "not_an_image"


def test_it_rejects_a_truncated_jpeg() -> None:
    whole = images.astronaut_jpeg()

    error = rejected(whole[: len(whole) // 2])

    assert "damaged or incomplete" in error.message
    assert error.extra["code"] == "corrupt_image"


@pytest.mark.parametrize(
    ("data", "name", "word"),
    [(images.SVG, "face.svg", "SVG"), (images.PDF, "face.pdf", "PDF")],
)
def test_it_names_unsupported_formats(data: bytes, name: str, word: str) -> None:
    error = rejected(data, name)
    assert error.message.startswith(f"{word} ")
    assert "not supported" in error.message
    assert error.extra["code"] == "unsupported_format"


def test_it_rejects_formats_outside_the_allow_list() -> None:
    error = rejected(images.encode(images.astronaut_rgb(), "ICO"), "face.ico")
    assert error.message.startswith("ICO images aren't supported")


def test_it_rejects_a_file_over_the_default_size_limit_before_reading_it() -> None:
    error = rejected(b"\xff\xd8" + b"\x00" * (10 * 1024 * 1024))
    assert error.message.startswith("That photo is too big (10 MB); the limit is 10 MB.")
    assert error.extra["code"] == "file_too_large"


def test_the_size_limit_is_a_setting(settings) -> None:
    settings.READING_MAX_UPLOAD_BYTES = 20_000
    error = rejected(images.astronaut_jpeg())
    assert "too big (" in error.message
    assert "the limit is 20 KB." in error.message
    assert error.extra["code"] == "file_too_large"


def test_it_rejects_a_decompression_bomb_without_decoding_it() -> None:
    bomb = images.decompression_bomb_png(10_000)
    assert len(bomb) < 100_000  # 100 megapixels in a few kilobytes

    error = rejected(bomb, "bomb.png")

    assert "10000x10000 pixels is 100 megapixels, the limit is 40" in error.message
    assert error.extra["code"] == "too_many_pixels"


def test_it_rejects_huge_dimensions_from_the_header() -> None:
    error = rejected(images.png_header_only(65_000, 65_000), "huge.png")
    assert "too large" in error.message
    assert error.extra["code"] == "too_many_pixels"


def test_the_pixel_limit_is_a_setting(settings) -> None:
    settings.READING_MAX_PIXELS = 100_000
    error = rejected(images.astronaut_jpeg())
    assert "512x512 pixels" in error.message


@pytest.mark.parametrize(("width", "height"), [(1, 1), (60_000, 1), (47, 600)])
def test_it_rejects_images_too_small_to_show_a_face(width: int, height: int) -> None:
    data = images.encode(np.zeros((height, width, 3), np.uint8), "PNG")

    error = rejected(data, "tiny.png")

    assert f"too small ({width}x{height} pixels)" in error.message
    assert error.extra["code"] == "too_small"


def test_a_good_jpeg_is_stored_as_a_metadata_free_jpeg() -> None:
    result = validate_image_upload(images.upload(images.astronaut_jpeg()))

    assert (result.width, result.height, result.original_format) == (512, 512, "JPEG")
    stored = Image.open(io.BytesIO(result.jpeg))
    assert stored.format == "JPEG"
    assert not stored.getexif()


def test_a_cmyk_jpeg_becomes_rgb() -> None:
    result = validate_image_upload(images.upload(images.cmyk_jpeg()))

    stored = decoded(result.jpeg)
    assert stored.shape == (512, 512, 3)
    assert np.abs(stored.astype(int) - images.astronaut_rgb()).mean() < 12


def test_an_exif_rotated_portrait_is_stored_upright() -> None:
    result = validate_image_upload(images.upload(images.exif_rotated_portrait_jpeg()))

    assert (result.width, result.height) == (384, 512)
    upright = images.astronaut_rgb()[:, 64:448]
    assert np.abs(decoded(result.jpeg).astype(int) - upright).mean() < 12


def test_an_animated_gif_gives_its_first_frame() -> None:
    result = validate_image_upload(images.upload(images.animated_gif(), "loop.gif", "image/gif"))

    assert result.frame_count == 2
    assert result.original_format == "GIF"
    assert decoded(result.jpeg).std() > 30  # the astronaut, not the plain grey second frame


def test_transparency_is_flattened_on_white() -> None:
    result = validate_image_upload(images.upload(images.rgba_png(), "face.png", "image/png"))

    assert decoded(result.jpeg)[:30, :30].mean() > 245


def test_a_large_photo_is_stored_smaller() -> None:
    big = images.encode(np.asarray(Image.fromarray(images.astronaut_rgb()).resize((4096, 3072))))

    result = validate_image_upload(images.upload(big))

    assert (result.width, result.height) == (STORED_MAX_SIDE, STORED_MAX_SIDE * 3 // 4)
