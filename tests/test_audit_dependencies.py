"""The dependency audit policy: fail on a vulnerability, honour dated waivers, say when skipped."""

import datetime as dt
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def audit(monkeypatch, tmp_path):
    spec = importlib.util.spec_from_file_location("audit", ROOT / "scripts/audit_dependencies.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "IGNORE_FILE", tmp_path / "audit-ignore.cfg")
    monkeypatch.setattr(module, "reachable_service", lambda: ("osv", []))
    return module


def _report(*vulns: str) -> dict:
    return {
        "dependencies": [
            {"name": "django", "version": "5.2.19", "vulns": []},
            {
                "name": "pillow",
                "version": "13.0.0",
                "vulns": [{"id": v, "aliases": [], "fix_versions": ["13.0.1"]} for v in vulns],
            },
        ]
    }


def test_a_known_vulnerability_fails_the_audit(audit, monkeypatch, capsys) -> None:
    monkeypatch.setattr(audit, "run_pip_audit", lambda service: _report("PYSEC-2099-1"))

    assert audit.main() == 1
    assert "VULNERABLE: pillow 13.0.0: PYSEC-2099-1 (fixed in 13.0.1)" in capsys.readouterr().out


def test_a_dated_waiver_lets_it_pass_until_it_expires(audit, monkeypatch) -> None:
    monkeypatch.setattr(audit, "run_pip_audit", lambda service: _report("PYSEC-2099-1"))
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    yesterday = dt.date.today() - dt.timedelta(days=1)

    audit.IGNORE_FILE.write_text(f"PYSEC-2099-1 {tomorrow} not reachable from our code\n")
    assert audit.main() == 0
    audit.IGNORE_FILE.write_text(f"PYSEC-2099-1 {yesterday} not reachable from our code\n")
    assert audit.main() == 1


def test_a_clean_report_passes(audit, monkeypatch, capsys) -> None:
    monkeypatch.setattr(audit, "run_pip_audit", lambda service: _report())

    assert audit.main() == 0
    assert "no known vulnerabilities" in capsys.readouterr().out


def test_an_unreachable_database_is_a_notice_unless_strict(audit, monkeypatch, capsys) -> None:
    monkeypatch.setattr(audit, "reachable_service", lambda: (None, ["osv: no route"]))

    assert audit.main() == 0
    assert "NOT PERFORMED" in capsys.readouterr().out
    monkeypatch.setenv("AUDIT_STRICT", "1")
    assert audit.main() == 1
