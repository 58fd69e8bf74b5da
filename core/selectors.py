"""Reads for core: the health of the database, the broker and the emotion model file."""

import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Literal, cast

from django.conf import settings
from django.db import connections
from django.utils.module_loading import import_string
from kombu import Connection

CheckStatus = Literal["ok", "warning", "error"]
REDACTED_DETAIL = "unavailable (details are in the server log and shown to staff)"


@dataclass(frozen=True)
class CheckResult:
    status: CheckStatus
    detail: str
    latency_ms: float = 0.0


@dataclass(frozen=True)
class HealthReport:
    checks: dict[str, CheckResult] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        return all(check.status != "error" for check in self.checks.values())

    def as_dict(self, *, redact_problems: bool = False) -> dict[str, object]:
        """JSON-ready; `redact_problems` replaces the detail of failing checks (for the public)."""
        checks = {name: asdict(check) for name, check in self.checks.items()}
        if redact_problems:
            for check in checks.values():
                if check["status"] != "ok":
                    check["detail"] = REDACTED_DETAIL
        return {"status": "ok" if self.healthy else "error", "checks": checks}


def _timed(probe: Callable[[], tuple[CheckStatus, str]]) -> CheckResult:
    started = time.perf_counter()
    try:
        status, detail = probe()
    except Exception as exc:  # noqa: BLE001 - any failure of a dependency is a failed check
        status, detail = "error", f"{type(exc).__name__}: {exc}"
    return CheckResult(status, detail, round((time.perf_counter() - started) * 1000, 2))


def _probe_database() -> tuple[CheckStatus, str]:
    connection = connections["default"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok", connection.vendor


def _probe_broker() -> tuple[CheckStatus, str]:
    url = settings.CELERY_BROKER_URL
    options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    timeout = settings.HEALTHZ_BROKER_TIMEOUT
    if url.startswith("filesystem://"):
        for key in ("data_folder_in", "control_folder"):
            if not os.access(cast(str, options[key]), os.W_OK):
                return "error", f"filesystem broker folder {options[key]} is not writable"
    else:
        options.update({"socket_connect_timeout": timeout, "socket_timeout": timeout})
    with Connection(url, connect_timeout=timeout, transport_options=options) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
        return "ok", connection.transport.driver_type


def system_health() -> HealthReport:
    """Probe the database, the broker and each of settings.HEALTH_PROBES once.

    The report is unhealthy if any check is an error.
    """
    return HealthReport(
        checks={
            "database": _timed(_probe_database),
            "broker": _timed(_probe_broker),
            **{name: _timed(import_string(path)) for name, path in settings.HEALTH_PROBES.items()},
        }
    )
