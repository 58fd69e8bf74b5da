"""Image decoding for uploads and frames: bytes -> EXIF-upright RGB uint8, with readable errors."""

from __future__ import annotations

import contextlib
import io
import struct
import warnings
from collections.abc import Iterator

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

DEFAULT_MAX_PIXELS = 40_000_000
# Transparent areas are shown on white, as a browser would show them.
BACKGROUND = 255
_HIGH_DEPTH_MODES = {"I", "I;16", "I;16L", "I;16B", "I;16N", "F"}


class ImageDecodeError(ValueError):
    """The bytes are not an image we can read; `str(exc)` is one line meant for a person."""


def _sniff_unsupported(data: bytes) -> str | None:
    """A friendlier name for formats people upload that Pillow cannot read."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%pdf"):
        return "PDF documents are not supported; upload a JPEG, PNG or WebP photo"
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "SVG images are not supported; upload a JPEG, PNG or WebP photo"
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif"):
        return "HEIC/AVIF images are not supported; upload a JPEG, PNG or WebP photo"
    return None


def header_problem(data: bytes) -> str | None:
    """A reason to refuse the bytes before Pillow parses them, else None.

    A BMP may declare a palette of up to 2^32 entries, which Pillow reads in pure Python: found
    by fuzzing, ~250 bytes cost ~0.5 s of CPU per open. A real palette BMP has at most 2^bits
    (<= 256) colours.
    """
    if data[:2] != b"BM" or len(data) < 50:
        return None
    (header_size,) = struct.unpack_from("<I", data, 14)
    if header_size < 40:  # OS/2 v1 headers have no colour count
        return None
    (bits,) = struct.unpack_from("<H", data, 28)
    (colours,) = struct.unpack_from("<I", data, 46)
    if not 0 < bits <= 8:  # only palette BMPs have their colour table read
        return None
    allowed = 1 << bits
    if colours > allowed:
        return (
            f"the image is truncated or corrupt (its BMP header declares {colours} palette "
            f"colours; a {bits}-bit BMP has at most {allowed})"
        )
    return None


def _high_depth_to_gray8(image: Image.Image) -> np.ndarray:
    """16-bit, 32-bit integer or float single-channel images -> HxW uint8."""
    arr = np.asarray(image)
    if arr.dtype.kind == "f":
        arr = np.nan_to_num(arr.astype(np.float64))
        top = arr.max(initial=0.0)
        scaled = arr * 255.0 if top <= 1.0 else arr * (255.0 / top)
        return np.clip(scaled, 0, 255).astype(np.uint8)
    arr = arr.astype(np.int64)
    top = arr.max(initial=0)
    if top <= 255:
        return np.clip(arr, 0, 255).astype(np.uint8)
    if top <= 65535:
        return (arr // 257).astype(np.uint8)
    return np.clip(arr * 255 // top, 0, 255).astype(np.uint8)


def _flatten_alpha(rgba: np.ndarray) -> np.ndarray:
    """HxWx4 uint8 -> HxWx3 uint8 composited over the background."""
    alpha = rgba[:, :, 3:4].astype(np.uint16)
    rgb = rgba[:, :, :3].astype(np.uint16)
    return ((rgb * alpha + BACKGROUND * (255 - alpha) + 127) // 255).astype(np.uint8)


EXIF_ORIENTATION = 0x0112  # the EXIF tag that says how to turn the stored pixels upright


def _to_rgb_array(image: Image.Image) -> np.ndarray:
    if image.mode in _HIGH_DEPTH_MODES:
        return np.repeat(_high_depth_to_gray8(image)[:, :, None], 3, axis=2)
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )
    if has_alpha:
        return _flatten_alpha(np.asarray(image.convert("RGBA")))
    # RGB already (most JPEGs): one copy out of Pillow, not two.
    return np.asarray(image if image.mode == "RGB" else image.convert("RGB"))


@contextlib.contextmanager
def opened_image(data: bytes, *, max_pixels: int) -> Iterator[Image.Image]:
    """Image bytes opened lazily (header only) after the cheap checks: empty, unsupported,
    crafted headers, over `max_pixels`. Pillow's failures inside the block, the caller's decoding
    included, become ImageDecodeError with a sentence."""
    if not data:
        raise ImageDecodeError("the file is empty")
    refused = _sniff_unsupported(data) or header_problem(data)
    if refused:
        raise ImageDecodeError(refused)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise ImageDecodeError(
                    f"the image is too large: {width}x{height} is {width * height / 1e6:.0f} MP, "
                    f"the limit is {max_pixels / 1e6:.0f} MP"
                )
            if width < 1 or height < 1:
                raise ImageDecodeError("the image has no pixels")
            image.seek(0)
            yield image
    except Image.DecompressionBombError:
        raise ImageDecodeError(
            f"the image is too large (over the {max_pixels / 1e6:.0f} MP limit)"
        ) from None
    except UnidentifiedImageError:
        raise ImageDecodeError(
            "the file is not an image we can read (use JPEG, PNG, WebP, GIF, BMP or TIFF)"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        if isinstance(exc, ImageDecodeError):
            raise
        raise ImageDecodeError(f"the image is truncated or corrupt ({exc})") from None


def decode_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Decode image bytes into an HxWx3 RGB uint8 array, upright per its EXIF orientation.

    Animated images give their first frame. Raises ImageDecodeError for empty, non-image,
    truncated, unsupported or over-large (`max_pixels`) input.
    """
    with opened_image(data, max_pixels=max_pixels) as image:
        image.load()
    # A malformed EXIF block should not cost the user their photo: keep it as stored. Most frames
    # (webcam captures, screenshots) carry no rotation: skip exif_transpose's copy for them.
    with contextlib.suppress(OSError, ValueError, SyntaxError, KeyError, TypeError):
        if image.getexif().get(EXIF_ORIENTATION, 1) != 1:
            image = ImageOps.exif_transpose(image)
    try:
        return np.ascontiguousarray(_to_rgb_array(image))
    except (OSError, ValueError) as exc:
        raise ImageDecodeError(f"the image could not be converted to RGB ({exc})") from None


def as_rgb(image: np.ndarray) -> np.ndarray:
    """Gray, gray+1, RGB or RGBA arrays (uint8, uint16, bool or float in [0, 1]) -> RGB uint8."""
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (3, 4)):
        raise ImageDecodeError(f"unsupported image array shape {arr.shape}")
    if arr.size == 0:
        raise ImageDecodeError("the image has no pixels")
    if arr.dtype == np.bool_:
        arr = arr.astype(np.uint8) * 255
    elif arr.dtype == np.uint16:
        arr = (arr // 257).astype(np.uint8)
    elif arr.dtype.kind == "f":
        arr = (np.clip(np.nan_to_num(arr), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    elif arr.dtype != np.uint8:
        raise ImageDecodeError(f"unsupported image array dtype {arr.dtype}")
    if arr.ndim == 2:
        return np.repeat(arr[:, :, None], 3, axis=2)
    if arr.shape[2] == 4:
        return _flatten_alpha(arr)
    return np.ascontiguousarray(arr)
