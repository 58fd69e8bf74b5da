"""decode_image: formats, EXIF orientation, and one-line errors for what is not a usable image."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from ml.imageio import ImageDecodeError, as_rgb, decode_image
from ml.tests.conftest import encode


def test_it_decodes_a_jpeg_to_rgb_uint8(astronaut: np.ndarray) -> None:
    rgb = decode_image(encode(astronaut, quality=95))
    assert rgb.shape == (512, 512, 3)
    assert rgb.dtype == np.uint8
    assert np.abs(rgb.astype(int) - astronaut).mean() < 3


def test_it_applies_the_exif_orientation(astronaut: np.ndarray) -> None:
    # Stored turned 90° counter-clockwise, tagged Orientation 6 ("rotate 90° clockwise to view"),
    # as phone cameras do: decode_image shows it upright.
    stored = Image.fromarray(astronaut).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    rgb = decode_image(encode(stored, exif=exif.tobytes(), quality=95))
    assert rgb.shape == astronaut.shape
    assert np.abs(rgb.astype(int) - astronaut).mean() < 3


@pytest.mark.parametrize(
    ("mode", "fmt"),
    [
        ("L", "PNG"),
        ("LA", "PNG"),
        ("P", "PNG"),
        ("P", "GIF"),
        ("RGBA", "PNG"),
        ("CMYK", "JPEG"),
        ("1", "PNG"),
        ("I;16", "PNG"),
        ("I", "TIFF"),
        ("F", "TIFF"),
        ("RGB", "WEBP"),
        ("RGB", "BMP"),
    ],
)
def test_it_turns_every_mode_into_rgb(astronaut: np.ndarray, mode: str, fmt: str) -> None:
    pil = Image.fromarray(astronaut)
    if mode in ("I;16", "I", "F"):
        gray = np.asarray(pil.convert("L")).astype(np.float64)
        scale = {"I;16": 257, "I": 257, "F": 1 / 255}[mode]
        dtype = {"I;16": np.uint16, "I": np.int32, "F": np.float32}[mode]
        pil = Image.fromarray((gray * scale).astype(dtype))
        assert pil.mode == mode
    else:
        pil = pil.convert(mode)
    rgb = decode_image(encode(pil, fmt))
    assert rgb.shape == (512, 512, 3)
    assert rgb.dtype == np.uint8
    assert 40 < rgb.mean() < 220  # not blank, not blown out


def test_transparent_pixels_become_white() -> None:
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[:2, :, 3] = 255  # top half opaque red-ish, bottom half fully transparent
    rgb = decode_image(encode(rgba, "PNG"))
    assert rgb[0, 0].tolist() == [200, 0, 0]
    assert rgb[3, 3].tolist() == [255, 255, 255]


def test_an_animated_gif_gives_its_first_frame() -> None:
    frames = [Image.new("RGB", (8, 8), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    rgb = decode_image(out.getvalue())
    assert rgb.shape == (8, 8, 3)
    assert rgb[..., 0].mean() > 200
    assert rgb[..., 2].mean() < 50


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (b"hello, this is a text file\n", "not an image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
        (b"<svg width='10' height='10'></svg>", "SVG"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "HEIC"),
    ],
)
def test_it_refuses_non_images_with_one_line(data: bytes, fragment: str) -> None:
    with pytest.raises(ImageDecodeError, match=fragment) as caught:
        decode_image(data)
    assert "\n" not in str(caught.value)


def test_it_refuses_a_truncated_jpeg(astronaut: np.ndarray) -> None:
    data = encode(astronaut)
    with pytest.raises(ImageDecodeError, match="truncated or corrupt") as caught:
        decode_image(data[: len(data) // 2])
    assert "\n" not in str(caught.value)


def test_it_refuses_images_over_the_pixel_limit() -> None:
    data = encode(np.zeros((100, 200, 3), np.uint8), "PNG")
    with pytest.raises(ImageDecodeError, match="too large: 200x100"):
        decode_image(data, max_pixels=10_000)
    assert decode_image(data, max_pixels=20_000).shape == (100, 200, 3)


def test_the_default_limit_stops_a_decompression_bomb() -> None:
    # 10000x10000 of one colour compresses to a few kB and would be 300 MB decoded.
    bomb = encode(Image.new("L", (10_000, 10_000)), "PNG", optimize=True)
    assert len(bomb) < 200_000
    with pytest.raises(ImageDecodeError, match="too large"):
        decode_image(bomb)


def test_a_huge_photo_within_the_limit_decodes() -> None:
    huge = np.full((4000, 6000, 3), 128, np.uint8)
    rgb = decode_image(encode(huge, quality=70))
    assert rgb.shape == (4000, 6000, 3)


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        (np.full((2, 2), 7, np.uint8), [7, 7, 7]),
        (np.full((2, 2, 1), 7, np.uint8), [7, 7, 7]),
        (np.full((2, 2), 65535, np.uint16), [255, 255, 255]),
        (np.full((2, 2), 1.0, np.float32), [255, 255, 255]),
        (np.ones((2, 2), bool), [255, 255, 255]),
        (np.full((2, 2, 4), 255, np.uint8), [255, 255, 255]),
    ],
)
def test_as_rgb_accepts_common_arrays(array: np.ndarray, expected: list[int]) -> None:
    rgb = as_rgb(array)
    assert rgb.shape == (2, 2, 3)
    assert rgb.dtype == np.uint8
    assert rgb[0, 0].tolist() == expected


@pytest.mark.parametrize(
    "array", [np.zeros((2, 2, 2), np.uint8), np.zeros((0, 3), np.uint8), np.zeros((2, 2), np.int64)]
)
def test_as_rgb_refuses_what_is_not_an_image(array: np.ndarray) -> None:
    with pytest.raises(ImageDecodeError):
        as_rgb(array)
