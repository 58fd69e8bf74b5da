"""gunicorn's logger with secret query values redacted from the access log (`--logger-class`).

Only gunicorn imports this (docker/start-web.sh); the Django side is `core.log_redaction`.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]  # no type hints

from core.log_redaction import redact


class RedactingGunicornLogger(Logger):
    """Every string atom of the access-log line (request line, query, Referer, headers) is
    redacted: `GET /complete/spotify/?code=[redacted]&state=[redacted] HTTP/1.1`."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }
