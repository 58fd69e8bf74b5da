"""Run every benchmark module in bench/ and write docs/BENCHMARKS.md."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import pkgutil
import platform
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "docs" / "BENCHMARKS.md"


def discover() -> list[str]:
    """Names of the benchmark modules: every bench/*.py that is not private or the runner."""
    package = Path(__file__).resolve().parent
    return sorted(
        info.name
        for info in pkgutil.iter_modules([str(package)])
        if not info.name.startswith("_") and not info.ispkg
    )


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "host": platform.node(),
        "os": platform.platform(),
        "cpu": f"{cpu} ({os.cpu_count()} logical CPUs)",
        "python": platform.python_version(),
        # Other work on the machine skews timings: record how busy it was when the run began.
        "load average (1, 5, 15 min)": ", ".join(f"{load:.2f}" for load in os.getloadavg()),
    }


def _footer(result: dict[str, Any], facts: dict[str, str]) -> str:
    return (
        f"_Module `bench/{result['module']}.py`, ran in {result['seconds']:.1f} s on "
        f"{facts['date']} (load average {facts['load average (1, 5, 15 min)']})._"
    )


def section(result: dict[str, Any], facts: dict[str, str]) -> str:
    """One benchmark's Markdown section, ending with the footer that names its module."""
    return "\n".join(
        [f"## {result['title']}", "", result["markdown"].strip(), "", _footer(result, facts), ""]
    )


def previous_sections(text: str) -> dict[str, str]:
    """The sections of an earlier report, by module name (from each section's footer)."""
    found: dict[str, str] = {}
    for chunk in re.split(r"(?m)^(?=## )", text)[1:]:
        match = re.search(r"_Module `bench/(\w+)\.py`", chunk)
        if match:
            found[match.group(1)] = chunk.rstrip() + "\n"
    return found


def render(
    results: list[dict[str, Any]], facts: dict[str, str], kept: dict[str, str] | None = None
) -> str:
    """The Markdown report: machine facts, then one section per benchmark.

    `kept` holds sections of modules that were not run this time (from the previous report);
    they stay, in module order, with the date of their own run in their footer.
    """
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench`); do not edit by hand. `python -m bench NAME`",
        "re-runs one module and keeps the other sections, each dated in its footer.",
        "",
        "| machine (latest run) | |",
        "| --- | --- |",
        *(f"| {key} | {value} |" for key, value in facts.items()),
        "",
    ]
    sections = dict(kept or {})
    sections.update({result["module"]: section(result, facts) for result in results})
    order = [name for name in discover() if name in sections]
    order += sorted(set(sections) - set(order))
    for name in order:
        lines.append(sections[name])
    return "\n".join(lines)


def run_module(name: str) -> dict[str, Any]:
    module = importlib.import_module(f"bench.{name}")
    started = time.perf_counter()
    result = dict(module.run())
    missing = {"title", "markdown"} - set(result)
    if missing:
        raise ValueError(f"bench/{name}.py run() must return {sorted(missing)}")
    result.update(module=name, seconds=time.perf_counter() - started)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help="only these modules (default: all)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    names = args.names or discover()
    unknown = set(names) - set(discover())
    if unknown:
        parser.error(f"no such benchmark: {', '.join(sorted(unknown))}")
    results = []
    for name in names:
        print(f"bench: running {name} ...", flush=True)
        results.append(run_module(name))
    kept: dict[str, str] = {}
    if args.names and args.output.is_file():
        kept = previous_sections(args.output.read_text())
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(results, machine(), kept))
    print(f"bench: wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
