"""Shared plumbing for the ml CLIs: one JSON object with --json, one-line errors, exit codes."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

from ml.imageio import ImageDecodeError
from ml.modelfile import ModelFileError

EXIT_OK = 0
EXIT_FAILED = 1  # the command ran but some input was bad
EXIT_USAGE = 2  # nothing could be done (missing model or data, bad arguments)


class CliError(Exception):
    """A failure to report as `error: <message>` on one line, with an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def one_line(message: object) -> str:
    """Collapse a message onto one line (tracebacks and library errors can span several)."""
    return " ".join(str(message).split()) or "unknown error"


def quiet_tensorflow() -> None:
    """Keep TensorFlow's C++ start-up chatter off the terminal (set before TF is imported)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def print_json(obj: Any) -> None:
    print(json.dumps(obj, indent=None, separators=(",", ":"), default=str))


def fail(message: object, code: int, *, as_json: bool) -> int:
    """Report a failure: `error: ...` on stderr, and `{"ok": false, "error": ...}` with --json."""
    text = one_line(message)
    if as_json:
        print_json({"ok": False, "error": text})
    print(f"error: {text}", file=sys.stderr)
    return code


def run(main: Callable[[], int], *, as_json: bool = False) -> int:
    """Run a CLI body, turning the errors a user can cause into one-line messages."""
    try:
        return main()
    except CliError as exc:
        return fail(exc, exc.code, as_json=as_json)
    except (ModelFileError, ImageDecodeError, FileNotFoundError) as exc:
        return fail(exc, EXIT_USAGE, as_json=as_json)
    except KeyboardInterrupt:
        return fail("interrupted", 130, as_json=as_json)
