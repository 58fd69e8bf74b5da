"""Run every benchmark module in bench/ and write docs/BENCHMARKS.md."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import pkgutil
import platform
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


def render(results: list[dict[str, Any]], facts: dict[str, str]) -> str:
    """The Markdown report: machine facts, then one section per benchmark."""
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench`); do not edit by hand.",
        "",
        "| machine | |",
        "| --- | --- |",
        *(f"| {key} | {value} |" for key, value in facts.items()),
        "",
    ]
    for result in results:
        lines += [
            f"## {result['title']}",
            "",
            result["markdown"].strip(),
            "",
            f"_Module `bench/{result['module']}.py`, ran in {result['seconds']:.1f} s._",
            "",
        ]
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
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(results, machine()))
    print(f"bench: wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
