"""The health check of the emotion model file, named in settings.HEALTH_PROBES for /healthz."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from django.conf import settings

from ml.modelfile import ModelFileError, file_sha256, meta_path_for, read_metadata

CheckStatus = Literal["ok", "warning", "error"]

# (path, mtime, size of model and sidecar) -> verdict: the checksum is read once per file version.
_model_verdicts: dict[tuple[object, ...], tuple[CheckStatus, str]] = {}


def _verify_model(path: Path) -> tuple[bool, str]:
    """The sidecar's format, classes and checksum against the file (no TensorFlow needed)."""
    try:
        meta = read_metadata(path)
        expected = meta.get("sha256")
        if expected and file_sha256(path) != expected:
            raise ModelFileError(
                f"model file {path.name} does not match its metadata (corrupt or replaced)"
            )
    except ModelFileError as exc:
        return False, str(exc)
    return True, f"{path.name} {meta.get('model_version', '')} ({path.stat().st_size} bytes)"


def probe_model() -> tuple[CheckStatus, str]:
    path = Path(settings.EMOTION_MODEL_PATH)
    severity: CheckStatus = "error" if settings.EMOTION_MODEL_REQUIRED else "warning"
    if not (path.is_file() and os.access(path, os.R_OK)):
        return severity, f"model file {path} is missing or unreadable"
    meta = meta_path_for(path)
    key = (
        str(path),
        *(
            (stat.st_mtime_ns, stat.st_size)
            for stat in (path.stat(), meta.stat() if meta.exists() else None)
            if stat is not None
        ),
    )
    if key not in _model_verdicts:
        ok, detail = _verify_model(path)
        _model_verdicts.clear()
        _model_verdicts[key] = ("ok" if ok else severity, detail)
    return _model_verdicts[key]
