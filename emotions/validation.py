"""Checks on an uploaded photo before anything is stored: bytes, type, pixels, decodability."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.files import File
from PIL import Image

from core.exceptions import ApplicationError
from emotions.intake import decode_slot
from ml.bounded_decode import decode_bounded
from ml.imageio import ImageDecodeError, header_problem

# Pillow format names we accept (MPO is how Pillow names many phone JPEGs).
ALLOWED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP", "TIFF"})
ALLOWED_FORMATS_TEXT = "JPEG, PNG, WebP, GIF, BMP or TIFF"
# Smaller than the model's 48x48 input, no face can be read.
MIN_SIDE = 48
# The stored frame is decoded and re-encoded no larger than this (its long side ends up between
# 0.75x and 1x of it). The worker finds faces on a copy of at most 400 px (Haar, faces >= 40 px)
# or 320 px (MTCNN, >= 20 px), so every face it can find is >= 80 px here, above the model's 48.
STORED_MAX_SIDE = 1280
STORED_JPEG_QUALITY = 90


@dataclass(frozen=True)
class ValidatedImage:
    """An upload that passed every check, re-encoded as an upright RGB JPEG without metadata."""

    jpeg: bytes
    width: int
    height: int
    original_format: str
    frame_count: int


def human_size(size: int) -> str:
    """10485760 -> "10 MB", 20000 -> "20 KB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(size / 1024))} KB"


def _reject(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, extra={"field": "image", "code": code})


def _read_limited(upload: File, limit: int) -> bytes:
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    return data


def _sniff(data: bytes) -> tuple[str | None, tuple[int, int] | None, int]:
    """Format, size and frame count from the header, without decoding; Nones when unknown."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                return image.format, image.size, int(getattr(image, "n_frames", 1) or 1)
    # Lazily read attributes (a TIFF's n_frames) raise TypeError/KeyError/IndexError on crafted
    # files (found by tests/test_fuzz_images.py): the decode below gives the real verdict.
    except (
        OSError,
        ValueError,
        SyntaxError,
        EOFError,
        TypeError,
        KeyError,
        IndexError,
        Image.DecompressionBombError,
    ):
        return None, None, 1


def _decode_message(exc: ImageDecodeError) -> tuple[str, str]:
    """A sentence for a person, and a stable code for API clients, from the decoder's reason."""
    reason = str(exc).strip().rstrip(".")
    if reason.startswith("the image is truncated or corrupt"):
        return (
            "That photo seems damaged or incomplete (perhaps the upload was cut off). "
            "Try again, or choose another photo.",
            "corrupt_image",
        )
    if reason.startswith("the image is too large"):
        return f"{reason[0].upper()}{reason[1:]}. Use a smaller photo.", "too_many_pixels"
    if "not supported" in reason:
        return f"{reason[0].upper()}{reason[1:]}.", "unsupported_format"
    return f"We couldn't read that file: {reason}.", "not_an_image"


def _normalised_jpeg(rgb: np.ndarray) -> tuple[bytes, int, int]:
    image = Image.fromarray(rgb)
    if max(image.size) > STORED_MAX_SIDE:
        image.thumbnail((STORED_MAX_SIDE, STORED_MAX_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=STORED_JPEG_QUALITY)
    return buffer.getvalue(), image.width, image.height


def _too_small(width: int, height: int) -> ApplicationError:
    return _reject(
        f"That image is too small ({width}x{height} pixels) to show a face. "
        f"Use a photo at least {MIN_SIDE}x{MIN_SIDE} pixels.",
        "too_small",
    )


def validate_image_upload(upload: File | None) -> ValidatedImage:
    """Check an uploaded photo and return it normalised, or raise ApplicationError (400).

    Animated images give their first frame; CMYK, palette, 16-bit and transparent images become
    RGB; EXIF orientation is applied (and the EXIF block, with any location in it, dropped).
    """
    max_bytes = settings.READING_MAX_UPLOAD_BYTES
    max_pixels = settings.READING_MAX_PIXELS
    if upload is None:
        raise _reject("Choose a photo to upload, or take a snapshot.", "required")
    size = upload.size or 0
    if size > max_bytes:
        raise _reject(
            f"That photo is too big ({human_size(size)}); the limit is {human_size(max_bytes)}. "
            "Try a smaller photo or a webcam snapshot.",
            "file_too_large",
        )
    data = _read_limited(upload, max_bytes)
    if len(data) > max_bytes:
        raise _reject(
            f"That photo is too big; the limit is {human_size(max_bytes)}.", "file_too_large"
        )
    if not data:
        raise _reject("That file is empty. Choose a photo (JPEG, PNG or WebP).", "empty_file")

    refused = header_problem(data)  # before Pillow parses anything (crafted BMP palettes)
    if refused:
        message, code = _decode_message(ImageDecodeError(refused))
        raise _reject(message, code)
    image_format, dimensions, frame_count = _sniff(data)
    if image_format is not None and image_format not in ALLOWED_FORMATS:
        raise _reject(
            f"{image_format} images aren't supported. Use a {ALLOWED_FORMATS_TEXT} photo.",
            "unsupported_format",
        )
    if dimensions is not None and dimensions[0] * dimensions[1] > max_pixels:
        width, height = dimensions
        raise _reject(
            f"That image is too large: {width}x{height} pixels is "
            f"{width * height / 1e6:.0f} megapixels, the limit is {max_pixels / 1e6:.0f}. "
            "Use a smaller photo.",
            "too_many_pixels",
        )
    if dimensions is not None and min(dimensions) < MIN_SIDE:
        raise _too_small(*dimensions)
    try:
        with decode_slot():  # a 503 when this process is already decoding enough photos
            frame = decode_bounded(
                data,
                max_side=STORED_MAX_SIDE,
                max_pixels=max_pixels,
                max_decode_bytes=settings.READING_MAX_DECODE_BYTES,
            )
    except ImageDecodeError as exc:
        message, code = _decode_message(exc)
        raise _reject(message, code) from None

    width, height = frame.original_size
    if min(width, height) < MIN_SIDE:
        raise _too_small(width, height)
    jpeg, stored_width, stored_height = _normalised_jpeg(frame.rgb)
    return ValidatedImage(
        jpeg=jpeg,
        width=stored_width,
        height=stored_height,
        original_format=image_format or "unknown",
        frame_count=frame_count,
    )
