"""Security finding 2: a small upload must not cost the web process a lot of memory.

Measured in subprocesses (tests/upload_memory_probe.py), by the process's peak RSS: the probe
files of the finding through the real view, and a Hypothesis property over the decode path.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from tests.big_images import (
    GRAY,
    RGB,
    RGBA,
    flat_png,
    probe_16bit_gray_png,
    probe_16bit_png,
    probe_rgba_png,
)

ROOT = Path(__file__).resolve().parent.parent
VIEW_PEAK_MB = 100  # Must show 2: through the real view, per upload
DECODE_PEAK_MB = 64  # the property: per upload that passes the byte limit, on the decode path
BYTE_LIMIT = 10 * 1024 * 1024  # READING_MAX_UPLOAD_BYTES
ACCEPTED_OR_EXPLAINED = {None, "too_many_pixels", "too_small", "corrupt_image", "not_an_image"}

pytestmark = pytest.mark.slow


def _probe(*args: str, stdin: Any = None) -> subprocess.Popen[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.upload_memory_probe", *args],
        cwd=ROOT,
        env=env,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def test_the_probe_files_cost_the_view_little(tmp_path: Path) -> None:
    """The 170 KB 6320x6320 RGBA PNG (1.3 GB before the fix), its 16-bit variants, and a large
    image that is accepted, each POSTed to /api/v1/readings/: peak RSS +100 MB at most."""
    files = {
        "rgba.png": probe_rgba_png(),
        "rgba16.png": probe_16bit_png(),
        "gray16.png": probe_16bit_gray_png(),
        "accepted.png": flat_png(3200, 3200),  # 39 MB to decode: just under the limit
    }
    assert len(files["rgba.png"]) < 200_000
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)

    process = _probe("view", *(str(tmp_path / name) for name in files))
    output, _ = process.communicate(timeout=300)
    results = {row["file"]: row for row in map(json.loads, output.splitlines())}

    assert process.returncode == 0
    assert set(results) == set(files)
    for name in ("rgba.png", "rgba16.png", "gray16.png"):
        assert (results[name]["status"], results[name]["code"]) == (400, "too_many_pixels")
    assert results["accepted.png"]["status"] == 202
    for row in results.values():
        assert row["peak_mb"] <= VIEW_PEAK_MB, row


# ------------------------------------------------------------------------------
# The property: anything under the byte limit peaks at 64 MB or less when decoded
# ------------------------------------------------------------------------------


class DecodeProbe:
    """One long-lived subprocess measuring validate_image_upload per file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        self.process = _probe("decode", stdin=subprocess.PIPE)
        assert json.loads(self._line()) == {"ready": True}

    def _line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, "the decode probe died"
        return line

    def peak(self, data: bytes) -> dict[str, Any]:
        self.count += 1
        path = self.folder / f"{self.count}.img"
        path.write_bytes(data)
        assert self.process.stdin is not None
        self.process.stdin.write(f"{path}\n")
        self.process.stdin.flush()
        result = json.loads(self._line())
        path.unlink()
        return result

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def decode_probe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DecodeProbe]:
    probe = DecodeProbe(tmp_path_factory.mktemp("decode-probe"))
    yield probe
    probe.close()


PILLOW_MODES = {
    "JPEG": ["RGB", "L", "CMYK"],
    "WEBP": ["RGB", "RGBA"],
    "TIFF": ["RGB", "RGBA", "I;16", "F"],
    "GIF": ["P"],
    "BMP": ["RGB", "L"],
    "PNG": ["P", "LA"],
}


def _pillow_image(fmt: str, mode: str, width: int, height: int, params: dict[str, Any]) -> bytes:
    image = Image.new(mode, (width, height), 200 if mode not in ("RGB", "RGBA", "CMYK") else None)
    if image.mode in ("RGB", "RGBA", "CMYK"):
        image.paste((200,) * len(image.getbands()), (0, 0, width, height))
    image.paste(60 if len(image.getbands()) == 1 else (60,) * len(image.getbands()), (0, 0, 64, 64))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


@st.composite
def big_uploads(draw: st.DrawFn) -> bytes:
    """Images of any format and mode that decode to many pixels but stay under the byte limit."""
    if draw(st.booleans()):  # streamed PNGs: up to 8000x8000 at no cost to make
        color_type = draw(st.sampled_from([GRAY, RGB, RGBA]))
        bit_depth = draw(st.sampled_from([8, 16]))
        width = draw(st.integers(48, 8000))
        height = draw(st.integers(48, 8000))
        return flat_png(width, height, color_type=color_type, bit_depth=bit_depth)
    fmt = draw(st.sampled_from(sorted(PILLOW_MODES)))
    mode = draw(st.sampled_from(PILLOW_MODES[fmt]))
    width = draw(st.integers(48, 5000))
    height = draw(st.integers(48, 5000))
    params: dict[str, Any] = {}
    if fmt == "JPEG":
        params["progressive"] = draw(st.booleans())
    if fmt == "TIFF":
        params["compression"] = draw(st.sampled_from(["raw", "tiff_lzw", "tiff_adobe_deflate"]))
    if fmt == "PNG":
        params["interlace"] = draw(st.booleans())
    return _pillow_image(fmt, mode, width, height, params)


@settings(
    max_examples=int(os.environ.get("MEMORY_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
    derandomize=os.environ.get("FUZZ_RANDOM", "") == "",
    database=None,
)
@given(data=big_uploads())
@example(data=probe_rgba_png())
@example(data=probe_16bit_png())
@example(data=probe_16bit_gray_png())
@example(data=flat_png(3200, 3200))  # accepted, near the decode limit
@example(data=flat_png(2559, 2559))  # accepted, decoded at full size (no reduce)
def test_any_upload_under_the_byte_limit_peaks_under_64_mb(
    decode_probe: DecodeProbe, data: bytes
) -> None:
    if len(data) > BYTE_LIMIT:
        return
    result = decode_probe.peak(data)

    assert result["code"] in ACCEPTED_OR_EXPLAINED, result
    assert result["peak_mb"] <= DECODE_PEAK_MB, result
