"""Keeping OAuth codes, `state` and token-like query values out of every log line.

Spotify returns to `/complete/spotify/?code=…&state=…`; the code is a credential until it is
exchanged (and `state` ties it to a session). Access logs write the request line and the Referer
verbatim, so both go through `redact` first: the Django handlers (settings `LOGGING`, the dev
server's request lines included) with `RedactSecretsFilter`, gunicorn's access log with
`core.gunicorn_logger.RedactingGunicornLogger` (docker/start-web.sh).
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
# Query parameters whose values are secrets or bind one: OAuth's code/state, and tokens.
SECRET_PARAMETERS = (
    "code",
    "state",
    "access_token",
    "refresh_token",
    "id_token",
    "token",
    "password",
)
_SECRET_VALUE = re.compile(
    r"(?i)((?:^|[?&;]|%3F|%26)(?:" + "|".join(SECRET_PARAMETERS) + r")(?:=|%3D))[^&;\s\"'#]*"
)


def redact(text: str) -> str:
    """`text` with the value of every secret query parameter replaced by `[redacted]`."""
    if "=" not in text and "%3d" not in text.lower():
        return text
    return _SECRET_VALUE.sub(lambda match: match.group(1) + REDACTED, text)


class RedactSecretsFilter(logging.Filter):
    """A handler filter: formats the record's message once, redacted, and keeps the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logging's problem, not ours
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True
