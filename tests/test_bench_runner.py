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
    assert f"_Module `bench/fast.py`, ran in 0.2 s on {facts['date']}" in report


def test_running_one_module_keeps_the_other_sections() -> None:
    facts = runner.machine()
    first = runner.render(
        [
            {"title": "Healthz", "markdown": "old healthz", "module": "healthz", "seconds": 1.0},
            {
                "title": "Inference",
                "markdown": "old inference",
                "module": "inference",
                "seconds": 2,
            },
        ],
        facts,
    )
    kept = runner.previous_sections(first)
    assert set(kept) == {"healthz", "inference"}

    again = runner.render(
        [{"title": "Inference", "markdown": "new inference", "module": "inference", "seconds": 3}],
        facts,
        {name: text for name, text in kept.items() if name != "inference"},
    )

    assert "old healthz" in again
    assert "new inference" in again
    assert "old inference" not in again
    assert again.index("## Healthz") < again.index("## Inference")  # module order


def test_it_rejects_unknown_benchmarks(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        runner.main(["no_such_benchmark", "--output", str(tmp_path / "out.md")])
    assert not (tmp_path / "out.md").exists()
