"""Real test images for the emotions tests: the astronaut's smiling face and awkward variants."""

from __future__ import annotations

import io
import struct
import zlib
from functools import cache

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from skimage.data import astronaut

EXIF_ORIENTATION = 0x0112


@cache
def astronaut_rgb() -> np.ndarray:
    """512x512 RGB; Eileen Collins smiling, face roughly at (176, 66, 98, 97)."""
    return astronaut()


def encode(image: Image.Image | np.ndarray, fmt: str = "JPEG", **params: object) -> bytes:
    if isinstance(image, np.ndarray):
        image = Image.fromarray(image)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def astronaut_jpeg() -> bytes:
    return encode(astronaut_rgb(), "JPEG", quality=90)


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def on_canvas(rgb: np.ndarray, width: int = 640, height: int = 480, fill: int = 200) -> np.ndarray:
    """`rgb` scaled to fit and pasted in the middle of a plain width x height background."""
    image = Image.fromarray(rgb)
    image.thumbnail((width, height))
    canvas = Image.new("RGB", (width, height), (fill, fill, fill))
    canvas.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
    return np.asarray(canvas)


def two_faces_jpeg() -> bytes:
    """Two faces (the astronaut's, and a smaller mirrored copy): the left one is primary."""
    face = Image.fromarray(astronaut_rgb()[10:290, 90:370])
    canvas = Image.new("RGB", (720, 400), (230, 230, 230))
    canvas.paste(face.resize((320, 320)), (20, 40))
    canvas.paste(face.transpose(Image.Transpose.FLIP_LEFT_RIGHT).resize((260, 260)), (400, 80))
    return encode(canvas)


def cmyk_jpeg() -> bytes:
    return encode(Image.fromarray(astronaut_rgb()).convert("CMYK"), "JPEG", quality=90)


def exif_rotated_portrait_jpeg() -> bytes:
    """A 384x512 portrait stored sideways (512x384) with EXIF orientation 6 (rotate to view)."""
    portrait = Image.fromarray(astronaut_rgb()[:, 64:448])
    stored = portrait.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 6
    return encode(stored, "JPEG", quality=90, exif=exif.tobytes())


def animated_gif() -> bytes:
    """Two frames: the astronaut, then plain grey."""
    first = Image.fromarray(astronaut_rgb()).convert("P", palette=Image.Palette.ADAPTIVE)
    second = Image.new("P", first.size, 0)
    return encode(first, "GIF", save_all=True, append_images=[second], duration=200, loop=0)


def rgba_png() -> bytes:
    rgba = np.dstack([astronaut_rgb(), np.full((512, 512), 255, np.uint8)])
    rgba[:40, :40, 3] = 0
    return encode(rgba, "PNG")


def plain_jpeg(width: int = 640, height: int = 480, value: int = 128) -> bytes:
    """A photo with nothing in it (no face)."""
    return encode(np.full((height, width, 3), value, np.uint8), "JPEG")


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height pixels (8-bit gray) but carries almost no data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\x00" * (width + 1))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


def decompression_bomb_png(side: int = 10_000) -> bytes:
    """A complete, valid 1-bit PNG of side x side pixels that compresses to a few kilobytes."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
NOT_AN_IMAGE = b"Dear diary, today I felt happy. " * 40
