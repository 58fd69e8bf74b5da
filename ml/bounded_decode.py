"""Decode an upload to a small 8-bit RGB frame with bounded memory, whatever its header claims.

`decode_image` (ml.imageio) decodes at full size and converts the whole image at once: a 170 KB
PNG of 6320x6320 RGBA costs ~1.3 GB that way (docs/RELIABILITY.md, security finding 2). Here:

1. Read size, mode and format from the header (Pillow's lazy open) and refuse the image if the
   pixel buffer Pillow would allocate (`decode_cost`) is over `max_decode_bytes`. JPEGs are first
   `draft`ed: libjpeg decodes them at 1/2, 1/4 or 1/8 scale, so a big photo is never full size.
2. Load, then convert to 8-bit RGB and box-`reduce` tile by tile (about a megapixel each), so no
   full-size float, 16-bit, RGBA or RGB temporary exists besides the decoder's own buffer.
3. Resize the reduced frame down to `max_side` if it is larger, and apply EXIF orientation.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from ml.imageio import BACKGROUND, ImageDecodeError, opened_image

# Bytes per pixel of Pillow's in-memory modes (RGB is stored as 4 bytes, like RGBA).
_ONE_BYTE_MODES = frozenset({"1", "L", "P"})
_TWO_BYTE_PREFIX = "I;16"
_HIGH_DEPTH_PREFIXES = ("I", "F")  # I, I;16*, I;32*, F, F;32*: scaled to 8 bits by their maximum
_ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})
# Decoders that hold a second copy of the frame while decoding (measured in
# tests/test_upload_memory.py): libwebp returns the frame as bytes before Pillow copies it, and
# libtiff reads a whole strip or tile (often the whole image) into its own buffer.
_COPYING_DECODERS = {"WEBP": 3, "TIFF": 2}
# Pixels per tile when converting and reducing (a couple of MB of temporaries at most).
_TILE_PIXELS = 1 << 18
# EXIF orientation -> the transpose that makes the image upright (as ImageOps.exif_transpose).
_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_EXIF_ORIENTATION = 0x0112


@dataclass(frozen=True)
class DecodedFrame:
    """An upright HxWx3 uint8 frame no larger than asked, and what the file said it was."""

    rgb: np.ndarray
    original_size: tuple[int, int]
    original_mode: str
    image_format: str


def bytes_per_pixel(mode: str) -> int:
    if mode in _ONE_BYTE_MODES:
        return 1
    if mode.startswith(_TWO_BYTE_PREFIX):
        return 2
    return 4


def _jpeg_coefficient_bytes(image: Image.Image, original_size: tuple[int, int]) -> int:
    """A progressive JPEG keeps every DCT coefficient (2 bytes) of the full-size image in memory
    until the last scan, whatever the output scale: per component, its share of the pixels."""
    width, height = original_size
    layers = getattr(image, "layer", None) or [("", 1, 1, 0)] * len(image.getbands())
    h_max = max(layer[1] for layer in layers) or 1
    v_max = max(layer[2] for layer in layers) or 1
    samples = sum(width * height * layer[1] * layer[2] / (h_max * v_max) for layer in layers)
    return int(samples * 2)


def decode_cost(image: Image.Image, original_size: tuple[int, int] | None = None) -> int:
    """Bytes the decoder will hold for `image` (opened, drafted, not loaded): the pixel buffer,
    times the decoders' own copies, plus a progressive JPEG's coefficients (of `original_size`,
    the size before `draft`)."""
    width, height = image.size
    cost = width * height * bytes_per_pixel(image.mode)
    image_format = image.format or ""
    if image_format == "TIFF" and not any(
        tile[0] == "libtiff" for tile in getattr(image, "tile", [])
    ):
        return cost  # uncompressed TIFF: read straight into the pixel buffer
    cost *= _COPYING_DECODERS.get(image_format, 1)
    if image_format in ("JPEG", "MPO") and image.info.get("progressive"):
        cost += _jpeg_coefficient_bytes(image, original_size or image.size)
    return cost


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def _target_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _high_depth_top(image: Image.Image, boxes: list[tuple[int, int, int, int]]) -> float:
    """The largest value in a 16/32-bit or float image, tile by tile (NaN counts as 0)."""
    top = 0.0
    for box in boxes:
        tile = np.asarray(image.crop(box))
        if tile.dtype.kind == "f":
            tile = np.nan_to_num(tile, nan=0.0, posinf=0.0, neginf=0.0)
        top = max(top, float(tile.max(initial=0)))
    return top


def _gray8(tile: np.ndarray, top: float) -> np.ndarray:
    """A high-depth tile -> uint8, scaled as ml.imageio does for the whole image."""
    if tile.dtype.kind == "f":
        values = np.nan_to_num(tile.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
        scaled = values * 255.0 if top <= 1.0 else values * np.float32(255.0 / top)
        return np.clip(scaled, 0, 255).astype(np.uint8)
    values = tile.astype(np.int64)
    if top <= 255:
        return np.clip(values, 0, 255).astype(np.uint8)
    if top <= 65535:
        return np.clip(values // 257, 0, 255).astype(np.uint8)
    return np.clip(values * 255 // int(top), 0, 255).astype(np.uint8)


def _rgb_tile(tile: Image.Image, *, high_depth_top: float | None) -> np.ndarray:
    """One tile of any mode -> HxWx3 uint8 (transparency composited over white)."""
    if high_depth_top is not None:
        gray = _gray8(np.asarray(tile), high_depth_top)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if tile.mode in _ALPHA_MODES or (tile.mode == "P" and "transparency" in tile.info):
        rgba = np.asarray(tile.convert("RGBA"))
        alpha = rgba[:, :, 3:4].astype(np.uint16)
        rgb = rgba[:, :, :3].astype(np.uint16)
        return ((rgb * alpha + BACKGROUND * (255 - alpha) + 127) // 255).astype(np.uint8)
    return np.asarray(tile.convert("RGB"))


def _tiles(width: int, height: int, factor: int) -> list[tuple[int, int, int, int]]:
    """Boxes covering the image, each side a multiple of `factor` (but the last ones)."""
    side = max(1, math.isqrt(_TILE_PIXELS) // factor) * factor
    tile_width = min(width, side)
    tile_height = min(height, max(factor, (_TILE_PIXELS // tile_width) // factor * factor))
    return [
        (x, y, min(width, x + tile_width), min(height, y + tile_height))
        for y in range(0, height, tile_height)
        for x in range(0, width, tile_width)
    ]


def _reduced_rgb(image: Image.Image, factor: int) -> np.ndarray:
    """The loaded image as 8-bit RGB, box-averaged by `factor`, built tile by tile."""
    width, height = image.size
    boxes = _tiles(width, height, factor)
    high_depth = image.mode.startswith(_HIGH_DEPTH_PREFIXES)
    top = _high_depth_top(image, boxes) if high_depth else None
    out = np.empty((-(-height // factor), -(-width // factor), 3), dtype=np.uint8)
    for box in boxes:
        rgb = _rgb_tile(image.crop(box), high_depth_top=top)
        if factor > 1:
            rgb = np.asarray(Image.fromarray(rgb).reduce(factor))
        x, y = box[0] // factor, box[1] // factor
        out[y : y + rgb.shape[0], x : x + rgb.shape[1]] = rgb
    return out


def _orientation(image: Image.Image) -> int:
    # A malformed EXIF block should not cost the user their photo: keep it as stored.
    with contextlib.suppress(Exception):
        return int(image.getexif().get(_EXIF_ORIENTATION) or 1)
    return 1


def _too_large(width: int, height: int, mode: str, cost: int, limit: int) -> ImageDecodeError:
    return ImageDecodeError(
        f"the image is too large to read: {width}x{height} pixels ({mode}) need "
        f"{_megabytes(cost)} of memory to decode, the limit is {_megabytes(limit)} "
        "(saved as a JPEG it would fit)"
    )


def decode_bounded(
    data: bytes, *, max_side: int, max_pixels: int, max_decode_bytes: int
) -> DecodedFrame:
    """Decode image bytes into an upright RGB uint8 frame whose long side is at most `max_side`.

    Refuses (ImageDecodeError) what `ml.imageio.decode_image` refuses, and any image whose
    decode would hold more than `max_decode_bytes` (see `decode_cost`). Animated images give
    their first frame.
    """
    with opened_image(data, max_pixels=max_pixels) as image:
        width, height = image.size
        original_mode = image.mode
        if image.format in ("JPEG", "MPO"):
            image.draft(image.mode, _target_size(width, height, max_side))
        cost = decode_cost(image, (width, height))
        if cost > max_decode_bytes:
            raise _too_large(width, height, original_mode, cost, max_decode_bytes)
        image.load()

    try:
        orientation = _orientation(image)
        loaded_width, loaded_height = image.size
        # A whole factor leaving the long side between 1x and 2x max_side (box-averaged), resized
        # to max_side below: at worst ~20 MB of frame, and only when the decoded image is small.
        factor = max(1, max(loaded_width, loaded_height) // max_side)
        rgb = _reduced_rgb(image, factor)
    except (OSError, ValueError, TypeError) as exc:
        raise ImageDecodeError(f"the image could not be converted to RGB ({exc})") from None
    finally:
        image.close()  # the full-size buffer goes now, before the resize below

    reduced_height, reduced_width = rgb.shape[:2]
    size = _target_size(reduced_width, reduced_height, max_side)
    if size != (reduced_width, reduced_height):
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    if orientation in _ORIENTATION:
        rgb = np.asarray(Image.fromarray(rgb).transpose(_ORIENTATION[orientation]))
    return DecodedFrame(
        rgb=np.ascontiguousarray(rgb),
        original_size=(width, height),
        original_mode=original_mode,
        image_format=image.format or "unknown",
    )
