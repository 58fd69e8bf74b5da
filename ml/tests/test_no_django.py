"""ml is plain Python: importing the inference module loads no Django and none of our apps."""

import subprocess
import sys

APPS = ("django", "core", "accounts", "spotify", "library", "emotions", "recommendations")


def test_importing_ml_inference_loads_no_django_module() -> None:
    code = (
        "import sys, ml.inference; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {APPS!r}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout.strip()
    assert loaded == "[]"
