"""Tests for the benchmark runner (python -m bench)."""

from pathlib import Path

import pytest

from bench import __main__ as runner


def test_it_discovers_every_public_benchmark_module() -> None:
    names = runner.discover()

    assert "healthz" in names
    assert "__main__" not in names
    assert all(not name.startswith("_") for name in names)


def test_the_report_records_the_machine_and_one_section_per_benchmark() -> None:
    facts = runner.machine()
    report = runner.render(
        [{"title": "Something fast", "markdown": "| a | b |", "module": "fast", "seconds": 0.25}],
        facts,
    )

    assert {"date", "cpu", "python", "os"} <= set(facts)
    assert report.startswith("# Benchmarks")
    assert f"| date | {facts['date']} |" in report
    assert "## Something fast" in report
    assert "_Module `bench/fast.py`, ran in 0.2 s._" in report


def test_it_rejects_unknown_benchmarks(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        runner.main(["no_such_benchmark", "--output", str(tmp_path / "out.md")])
    assert not (tmp_path / "out.md").exists()
