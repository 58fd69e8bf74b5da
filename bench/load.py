"""The long load run: gunicorn + PostgreSQL + Redis + Celery under locust (see loadtest/)."""

from __future__ import annotations

import os
from typing import Any

USERS = [10, 50]
CONCURRENCIES = [1, 2]


def run() -> dict[str, Any]:
    from loadtest.runner import markdown, run_matrix

    duration = int(os.environ.get("LOAD_DURATION", "60"))
    report = run_matrix(users=USERS, concurrencies=CONCURRENCIES, duration=duration)
    markdown_text = (
        "N simulated listeners (locust, token-authenticated API) each upload a 640x480 face "
        "JPEG, poll until it is read, ask for recommendations and rate one, with 1-3 s between "
        "rounds; production settings, loopback only. How to read and re-run it: "
        "docs/RELIABILITY.md.\n\n" + markdown(report)
    )
    return {"title": "Load: upload → read → recommend → rate", "markdown": markdown_text}
