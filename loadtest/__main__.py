"""`python -m loadtest` (`make load`): the load drill alone; prints the table, keeps the raw data.

Options: --users 10 50 --concurrency 1 2 --duration 60. Raw results (locust CSVs, logs,
results.json) stay under var/loadtest/<timestamp>/.
"""

from __future__ import annotations

import argparse
import sys

from loadtest.runner import markdown, run_matrix


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtest", description=__doc__)
    parser.add_argument("--users", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--duration", type=int, default=60, help="seconds per run (max 300)")
    args = parser.parse_args(argv)
    if not 5 <= args.duration <= 300:
        parser.error("--duration must be between 5 and 300 seconds")
    report = run_matrix(users=args.users, concurrencies=args.concurrency, duration=args.duration)
    print(markdown(report))
    print(f"\nraw results: {report['workdir']}/results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
