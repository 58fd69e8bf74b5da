"""Small files that decode to huge images (security finding 2), written without ever holding the
image: PNG rows are compressed one at a time, so making a 6320x6320 RGBA probe costs a row."""

from __future__ import annotations

import struct
import zlib

# PNG colour types.
GRAY, RGB, RGBA = 0, 2, 6
_CHANNELS = {GRAY: 1, RGB: 3, RGBA: 4}


def _chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def flat_png(
    width: int, height: int, *, color_type: int = RGBA, bit_depth: int = 8, seed: int = 0
) -> bytes:
    """A mostly flat PNG (a light background, a darker band every 64th row, a few speckles per
    row from `seed`) that compresses about a thousandfold: 6320x6320 RGBA is ~170 KB."""
    channels = _CHANNELS[color_type]
    sample = bit_depth // 8
    row_bytes = width * channels * sample
    background = b"\x00" + b"\xd0" * row_bytes  # filter byte 0, then the samples
    band = b"\x00" + b"\x40" * row_bytes
    compressor = zlib.compressobj(9)
    parts: list[bytes] = []
    for y in range(height):
        row = band if y % 64 == 0 else background
        if y % 97 == seed % 97:
            spot = 1 + (y * 7919 + seed) % max(1, row_bytes - 8)
            row = row[:spot] + b"\x10\x20\x30\x40" + row[spot + 4 :]
        parts.append(compressor.compress(row))
    parts.append(compressor.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", b"".join(parts))
        + _chunk(b"IEND", b"")
    )


def probe_rgba_png() -> bytes:
    """The finding's probe: 6320x6320 RGBA, 8-bit (~40 MP, under the 40 MP cap of the time)."""
    return flat_png(6320, 6320, color_type=RGBA)


def probe_16bit_png() -> bytes:
    """Its 16-bit variant: 6320x6320 RGBA at 16 bits per sample (~320 MB of samples)."""
    return flat_png(6320, 6320, color_type=RGBA, bit_depth=16)


def probe_16bit_gray_png() -> bytes:
    """16-bit gray, 6320x6320: Pillow's I;16 mode, which the old path widened to int64."""
    return flat_png(6320, 6320, color_type=GRAY, bit_depth=16)
