"""Run in a subprocess by tests/test_upload_memory.py: how much one upload raises peak memory.

    python -m tests.upload_memory_probe view FILE...   # POST /api/v1/readings/ with each file
    python -m tests.upload_memory_probe decode         # paths on stdin: validate_image_upload

Prints one JSON line per file: {"peak_mb", "status", "code"}. The peak is the process's high-water
RSS (VmHWM, reset through /proc/self/clear_refs, after glibc returns freed memory) minus its RSS
just before the upload; where /proc cannot be reset, getrusage's ru_maxrss before and after.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import json
import os
import resource
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

_LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")


def _status_kb(key: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> tuple[str, int]:
    """Return freed heap to the system, reset the high-water mark; the baseline in KB."""
    gc.collect()
    if hasattr(_LIBC, "malloc_trim"):
        _LIBC.malloc_trim(0)
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return "hwm", _status_kb("VmRSS") or 0
    except OSError:
        return "maxrss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    how, before = _reset_peak()
    outcome = action()
    if how == "hwm":
        after = _status_kb("VmHWM") or 0
    else:
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {**outcome, "peak_mb": round((after - before) / 1024, 1), "measured_by": how}


def _django() -> None:
    import django

    django.setup()


def run_view(paths: list[str]) -> None:
    """Each file POSTed to the readings API by a signed-in listener (the web process's path)."""
    _django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    import emotions.services
    from accounts.models import User
    from emotions.tests import images

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    # The web process only enqueues inference: no model runs here.
    emotions.services._enqueue_processing = lambda *, reading_id: None  # type: ignore[assignment]
    user = User.objects.create_user(username="probe", password="probe-password")
    client = Client()
    client.force_login(user)

    def post(data: bytes, name: str) -> dict[str, Any]:
        response = client.post("/api/v1/readings/", {"image": images.upload(data, name)})
        body = response.json()
        return {"status": response.status_code, "code": body.get("extra", {}).get("code")}

    post(images.astronaut_jpeg(), "warm-up.jpg")  # imports, first decode, first JPEG encode
    for path in paths:
        data = Path(path).read_bytes()
        result = measure(lambda data=data, name=Path(path).name: post(data, name))
        print(json.dumps({"file": Path(path).name, **result}), flush=True)


def run_decode() -> None:
    """validate_image_upload on each file named on stdin (the decode path alone)."""
    _django()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.exceptions import ApplicationError
    from emotions.tests import images
    from emotions.validation import validate_image_upload

    def validate(data: bytes) -> dict[str, Any]:
        try:
            validate_image_upload(SimpleUploadedFile("upload", data))
        except ApplicationError as exc:
            return {"status": exc.status_code, "code": exc.extra.get("code")}
        return {"status": 200, "code": None}

    validate(images.astronaut_jpeg())  # warm-up
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        data = Path(line.strip()).read_bytes()
        print(json.dumps(measure(lambda data=data: validate(data))), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "view":
        run_view(sys.argv[2:])
    else:
        run_decode()
