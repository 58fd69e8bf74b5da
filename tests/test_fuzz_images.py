"""Hostile uploads: malformed and mutated images against the decoder, the upload validator and the
recognizer. No crash other than the documented error type, no hang, bounded memory."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import struct
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import numpy as np
import psutil
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from core.exceptions import ApplicationError
from emotions.validation import validate_image_upload
from ml.imageio import ImageDecodeError, decode_image

# One example may take this long before it counts as a hang (these inputs decode in < 0.1 s; the
# margin absorbs a busy 2-core machine). A slow example is run again: a real hang repeats.
EXAMPLE_TIMEOUT_SECONDS = 10
MEASURED_TIMEOUT_SECONDS = 120
# Peak Python-tracked allocation (NumPy arrays included) for one small input.
EXAMPLE_PEAK_BYTES = 64 * 1024 * 1024
FUZZ_MAX_PIXELS = 4_000_000

# Pillow warns about the corrupt metadata it skips, and Keras about NumPy 2: expected noise here.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")

FORMATS = ["JPEG", "PNG", "GIF", "BMP", "WEBP", "TIFF"]
MODES = {
    "JPEG": ["RGB", "L", "CMYK"],
    "PNG": ["RGB", "RGBA", "L", "P", "1", "I;16"],
    "GIF": ["P", "L"],
    "BMP": ["RGB", "L", "P", "1"],
    "WEBP": ["RGB", "RGBA"],
    "TIFF": ["RGB", "L", "CMYK", "F", "I;16"],
}
# Error codes the validator may attach; anything else means an unexpected path.
VALIDATOR_CODES = {
    "required",
    "file_too_large",
    "empty_file",
    "unsupported_format",
    "too_many_pixels",
    "corrupt_image",
    "not_an_image",
    "too_small",
}


T = TypeVar("T")

# Inputs the fuzzer found that once escaped with an undocumented exception (kept as regressions).
# A TIFF whose second IFD lacks its dimensions: `n_frames` raised TypeError in the validator.
TIFF_WITHOUT_DIMENSIONS = (
    b"II*\x00\x08\x00\x00\x00\n\x00\x00\x01\x04\x00\x01\x00\x00\x00\x01\x00\x00\x00\x01\x01"
    b"\x04\x00\x01\x00\x00\x00\x01\x00\x00\x00\x02\x01\x03\x00\x03\x00\x00\x00\x86\x00\x00"
    b"\x00\x03\x01\x03\x00\x01\x00\x00\x00\x01\x00\x00\x00\x06\x01\x03\x00\x01\x00\x00\x00"
    b"\x02\x00\x00\x00\x11\x01\x04\x00\x01\x00\x00\x00\x8c\x00\x00\x00\x15\x01\x03\x00\x01"
    b"\x00\x00\x00\x03\x00\x00\x00\x16\x01\x04\x00\x01\x00\x00\x00\x01\x00\x00\x00\x17\x01"
    b"\x04\x00\x01\x00\x00\x00\x03\x00\x00\x00\x1c\x01\x03\x00\x01\x00\x00\x00\x01\x00\x00"
    b"\x00\x01\x00\x00\x00\x08\x00\x08\x00\x08\x00_\x82\xc2"
)
REGRESSIONS = [TIFF_WITHOUT_DIMENSIONS]


class Hang(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Raise Hang in this (main) thread if the block runs longer than `seconds`."""

    def _alarm(signum: int, frame: object) -> None:
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def bounded_call(function: Callable[[], T], peak_bytes: int | None = EXAMPLE_PEAK_BYTES) -> T:
    """function() under a hang limit (a slow run is tried again: a real hang repeats), then run
    once more under tracemalloc to cap its peak allocation (None: don't measure).

    The timed run is untraced: tracemalloc slows pure-Python decoders (Pillow's BMP palette
    loop) tenfold, and the limit is about hangs, not about the tracer.
    """
    for attempt in (1, 2):
        try:
            with time_limit(EXAMPLE_TIMEOUT_SECONDS):
                result = function()
        except Hang:
            if attempt == 2:
                raise
            continue
        except Exception:
            if peak_bytes is None:
                raise
        else:
            if peak_bytes is None:
                return result
        break
    tracemalloc.start()
    try:
        with time_limit(MEASURED_TIMEOUT_SECONDS):
            return function()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        if peak > peak_bytes:
            pytest.fail(f"peak allocation {peak / 1e6:.1f} MB")


# ------------------------------------------------------------------------------
# Inputs
# ------------------------------------------------------------------------------


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


@st.composite
def valid_images(draw: st.DrawFn) -> bytes:
    fmt = draw(st.sampled_from(FORMATS))
    mode = draw(st.sampled_from(MODES[fmt]))
    width = draw(st.integers(1, 64))
    height = draw(st.integers(1, 64))
    seed = draw(st.integers(0, 2**32 - 1))
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    image = Image.fromarray(pixels)
    if mode == "I;16":
        image = Image.fromarray(pixels[:, :, 0].astype("<u2") * 257)
    elif mode == "F":
        image = Image.fromarray(pixels[:, :, 0].astype(np.float32) / 255.0)
    else:
        image = image.convert(mode)
    return _encode(image, fmt)


def _png_with_size(data: bytes, width: int, height: int) -> bytes:
    """Rewrite a PNG's IHDR width/height (with a correct CRC, so the decoder believes it)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return data
    ihdr = bytearray(data[16:29])
    ihdr[0:8] = struct.pack(">II", width, height)
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + bytes(ihdr)) & 0xFFFFFFFF)
    return data[:16] + bytes(ihdr) + crc + data[33:]


def _declared_size(data: bytes, width: int, height: int) -> bytes:
    """Claim other dimensions than the pixel data has, in whichever header this format uses."""
    out = bytearray(data)
    if data[:4] == b"\x89PNG":
        return _png_with_size(data, width, height)
    if data[:3] == b"GIF":
        out[6:10] = struct.pack("<HH", width & 0xFFFF, height & 0xFFFF)
    elif data[:2] == b"BM" and len(out) >= 26:
        out[18:26] = struct.pack("<ii", width & 0x7FFFFFFF, height & 0x7FFFFFFF)
    elif data[:2] == b"\xff\xd8":
        sof = next(
            (i for i in range(2, len(out) - 9) if out[i] == 0xFF and out[i + 1] == 0xC0), None
        )
        if sof is not None:
            out[sof + 5 : sof + 9] = struct.pack(">HH", height & 0xFFFF, width & 0xFFFF)
    return bytes(out)


@st.composite
def mutated_images(draw: st.DrawFn) -> bytes:
    data = draw(valid_images())
    kind = draw(
        st.sampled_from(["truncate", "bitflip", "overwrite", "insert", "declared_size", "chain"])
    )
    if kind in ("truncate", "chain"):
        data = data[: draw(st.integers(0, max(0, len(data) - 1)))]
    if kind in ("bitflip", "chain") and data:
        buffer = bytearray(data)
        for _ in range(draw(st.integers(1, 16))):
            position = draw(st.integers(0, len(buffer) - 1))
            buffer[position] ^= 1 << draw(st.integers(0, 7))
        data = bytes(buffer)
    if kind == "overwrite" and data:
        start = draw(st.integers(0, len(data) - 1))
        patch = draw(st.binary(min_size=1, max_size=32))
        data = data[:start] + patch + data[start + len(patch) :]
    if kind == "insert":
        start = draw(st.integers(0, len(data)))
        data = data[:start] + draw(st.binary(min_size=1, max_size=64)) + data[start:]
    if kind == "declared_size":
        side = st.sampled_from([0, 1, 65535, 100_000, 2**31 - 1, 2**32 - 1])
        data = _declared_size(data, draw(side), draw(side))
    return data


hostile_bytes = st.one_of(
    mutated_images(),
    st.binary(max_size=2048),
    st.just(b""),
    st.sampled_from(
        [
            b"%PDF-1.7\n",
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            b"\x00\x00\x00\x18ftypheic",
            b"GIF89a" + b"\xff" * 16,
            b"\x89PNG\r\n\x1a\n",
            b"\xff\xd8\xff",
            b"BM" + b"\x00" * 60,
        ]
    ),
)

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "250")),
    deadline=None,  # the alarm above is the hard limit; timing noise is not a failure
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=os.environ.get("FUZZ_RANDOM", "") == "",
    database=None,
)


# ------------------------------------------------------------------------------
# Properties
# ------------------------------------------------------------------------------


def _with_regressions(test: Callable) -> Callable:
    for data in REGRESSIONS:
        test = example(data=data)(test)
    return test


@FUZZ
@given(data=hostile_bytes)
@_with_regressions
def test_decode_image_returns_rgb_or_raises_its_own_error(data: bytes) -> None:
    try:
        rgb = bounded_call(lambda: decode_image(data, max_pixels=FUZZ_MAX_PIXELS))
    except ImageDecodeError as exc:
        message = str(exc)
    else:
        message = None
    if message is not None:
        assert message
        assert "\n" not in message
        assert "Traceback" not in message
        return
    assert rgb.dtype == np.uint8
    assert rgb.ndim == 3
    assert rgb.shape[2] == 3
    assert rgb.shape[0] * rgb.shape[1] <= FUZZ_MAX_PIXELS


@FUZZ
@given(data=hostile_bytes)
@_with_regressions
def test_the_upload_validator_accepts_or_explains(data: bytes) -> None:
    upload = SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")
    try:
        image = bounded_call(lambda: validate_image_upload(upload))
    except ApplicationError as exc:
        refusal = exc
    else:
        refusal = None
    if refusal is not None:
        assert refusal.status_code == 400
        assert refusal.extra["code"] in VALIDATOR_CODES
        assert refusal.message
        return
    stored = Image.open(io.BytesIO(image.jpeg))
    assert stored.format == "JPEG"
    assert stored.size == (image.width, image.height)


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    """A 50 KB PNG that declares 100000x100000 pixels costs nothing to refuse."""
    bomb = _png_with_size(_encode(Image.new("L", (16, 16)), "PNG"), 100_000, 100_000)
    rss = psutil.Process().memory_info().rss

    with pytest.raises(ImageDecodeError, match="too large"):
        bounded_call(lambda: decode_image(bomb), peak_bytes=8 * 1024 * 1024)
    with pytest.raises(ApplicationError) as refused:
        validate_image_upload(SimpleUploadedFile("bomb.png", bomb, content_type="image/png"))

    assert refused.value.extra["code"] == "too_many_pixels"
    assert psutil.Process().memory_info().rss - rss < 32 * 1024 * 1024


def test_a_tiny_bmp_declaring_a_huge_palette_is_refused_before_parsing() -> None:
    """Found by fuzzing: Pillow reads a BMP palette of up to 65536 entries in pure Python, so
    ~250 bytes cost ~0.5 s of CPU per decode (twice per upload). The header check refuses a
    palette larger than the bit depth allows before Pillow sees the file."""
    buffer = io.BytesIO()
    Image.new("P", (34, 5)).save(buffer, format="BMP")
    honest = buffer.getvalue()
    data = bytearray(honest)
    data[46:54] = struct.pack("<II", 65536, 65536)  # biClrUsed, biClrImportant
    upload = SimpleUploadedFile("palette.bmp", bytes(data), content_type="image/bmp")

    with time_limit(EXAMPLE_TIMEOUT_SECONDS):
        with pytest.raises(ApplicationError) as caught:
            validate_image_upload(upload)
        with pytest.raises(ImageDecodeError, match="declares 65536 palette colours"):
            decode_image(bytes(data))
    assert caught.value.status_code == 400
    assert caught.value.extra["code"] == "corrupt_image"
    # The honest 8-bit palette BMP still decodes.
    assert decode_image(honest).shape == (5, 34, 3)


@pytest.fixture(scope="module")
def tiny_recognizer(tmp_path_factory: pytest.TempPathFactory):
    """The recognizer over an untrained model of the shipped architecture (fast to build)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from ml.inference import EmotionRecognizer
    from ml.model import build_model
    from ml.modelfile import save_model_bundle

    path: Path = save_model_bundle(
        build_model(widths=(8, 16)), tmp_path_factory.mktemp("fuzz-model"), temperature=1.0
    )
    recognizer = EmotionRecognizer(path, max_pixels=FUZZ_MAX_PIXELS)
    recognizer.load()
    # Warm up detection (Haar, then MTCNN on a frame with no face) outside the measured runs.
    recognizer.recognize(np.full((64, 64, 3), 128, np.uint8))
    return recognizer


@pytest.mark.slow
@settings(
    max_examples=int(os.environ.get("FUZZ_RECOGNIZER_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=os.environ.get("FUZZ_RANDOM", "") == "",
    database=None,
)
@given(data=hostile_bytes)
def test_the_recognizer_reads_or_refuses_hostile_bytes(tiny_recognizer, data: bytes) -> None:
    rss_before = psutil.Process().memory_info().rss
    try:
        recognition = bounded_call(lambda: tiny_recognizer.recognize(data), peak_bytes=None)
    except ImageDecodeError:
        return
    assert recognition.width >= 1
    assert recognition.height >= 1
    for face in recognition.faces:
        assert abs(sum(face.probabilities.values()) - 1.0) < 1e-3
    # Small inputs must not grow the process by more than a few frames' worth.
    assert psutil.Process().memory_info().rss - rss_before < 128 * 1024 * 1024
