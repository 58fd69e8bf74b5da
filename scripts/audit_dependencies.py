"""Dependency audit: pip-audit over the installed environment, with the policy in RELIABILITY.md.

Exit 1 when a known vulnerability is found that `requirements/audit-ignore.cfg` does not waive
(or whose waiver has expired). When no vulnerability database can be reached (this project's
machines reach only the package index), the audit is reported as NOT performed and exits 0,
unless AUDIT_STRICT=1, which makes that an error too.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / "requirements" / "audit-ignore.txt"
PROBE_TIMEOUT = 5.0
# pip-audit's two services, probed the way pip-audit calls them.
SERVICES = {
    "osv": (
        "https://api.osv.dev/v1/query",
        b'{"package": {"name": "django", "ecosystem": "PyPI"}}',
    ),
    "pypi": (f"https://pypi.org/pypi/django/{metadata.version('django')}/json", None),
}


def log(message: str) -> None:
    print(f"audit: {message}", flush=True)


def reachable_service() -> tuple[str | None, list[str]]:
    """The first vulnerability service that answers, and why the others did not."""
    reasons = []
    for name, (url, body) in SERVICES.items():
        request = urllib.request.Request(  # noqa: S310 - fixed https URLs above
            url, data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT) as response:  # noqa: S310
                if response.status == 200:
                    return name, reasons
                reasons.append(f"{name}: HTTP {response.status}")
        except urllib.error.HTTPError as exc:
            reasons.append(f"{name}: HTTP {exc.code}")
        except (urllib.error.URLError, OSError) as exc:
            reasons.append(f"{name}: {getattr(exc, 'reason', exc)}")
    return None, reasons


def waivers(today: dt.date) -> tuple[set[str], list[str]]:
    """Vulnerability ids waived until a date: lines `ID  YYYY-MM-DD  reason`."""
    active, expired = set(), []
    if not IGNORE_FILE.exists():
        return active, expired
    for line in IGNORE_FILE.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        vuln_id, until, *_ = line.split()
        if dt.date.fromisoformat(until) >= today:
            active.add(vuln_id)
        else:
            expired.append(f"{vuln_id} (waived until {until})")
    return active, expired


def run_pip_audit(service: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "audit.json"
        command = [
            sys.executable,
            "-m",
            "pip_audit",
            "--vulnerability-service",
            service,
            "--format",
            "json",
            "--output",
            str(report),
            "--progress-spinner",
            "off",
        ]
        completed = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if not report.exists():
            log(completed.stderr.strip() or completed.stdout.strip())
            raise SystemExit(2)
        return json.loads(report.read_text())


def main() -> int:
    strict = os.environ.get("AUDIT_STRICT", "") == "1"
    service, reasons = reachable_service()
    if service is None:
        log(
            "NOT PERFORMED: no vulnerability database is reachable from this machine "
            f"({'; '.join(reasons)}). Run `make audit` where OSV or pypi.org is reachable."
        )
        return 1 if strict else 0

    log(f"auditing the installed environment against {service} ...")
    dependencies = run_pip_audit(service)["dependencies"]
    active, expired = waivers(dt.date.today())
    found, waived, skipped = [], [], []
    for dependency in dependencies:
        if "skip_reason" in dependency:
            skipped.append(dependency["name"])
        for vuln in dependency.get("vulns", []):
            ids = {vuln["id"], *vuln.get("aliases", [])}
            line = (
                f"{dependency['name']} {dependency.get('version', '?')}: {vuln['id']} "
                f"(fixed in {', '.join(vuln.get('fix_versions', [])) or 'no release yet'})"
            )
            (waived if ids & active else found).append(line)

    audited = len(dependencies) - len(skipped)
    log(f"{audited} of {len(dependencies)} packages audited")
    if skipped and audited == 0:
        log(f"NOT PERFORMED: {service} answered the probe but no package could be audited.")
        return 1 if strict else 0
    if skipped:
        log(f"not audited ({len(skipped)}): {', '.join(sorted(skipped))}")
    for line in waived:
        log(f"waived: {line}")
    for line in expired:
        log(f"expired waiver (remove it or renew it with a reason): {line}")
    for line in found:
        log(f"VULNERABLE: {line}")
    if found:
        log("upgrade the pin in requirements/*.txt, or waive it in requirements/audit-ignore.cfg")
        return 1
    log("no known vulnerabilities")
    return 0


if __name__ == "__main__":
    sys.exit(main())
