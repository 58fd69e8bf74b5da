#!/usr/bin/env python
"""Run the web server and a Celery worker together; Ctrl-C or SIGTERM stops both cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOP_GRACE_SECONDS = 20.0


@dataclass
class Child:
    """A supervised process; `stop_signal` is what asks it to shut down gracefully."""

    name: str
    argv: list[str]
    stop_signal: int = signal.SIGTERM
    whole_group: bool = False
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # Its own session: the terminal's Ctrl-C reaches only us, and we forward it exactly once.
        self.process = subprocess.Popen(self.argv, cwd=ROOT, start_new_session=True)
        print(f"[dev] started {self.name} (pid {self.process.pid}): {' '.join(self.argv)}")

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            if self.whole_group:
                os.killpg(self.process.pid, signum)
            else:
                self.process.send_signal(signum)
        except ProcessLookupError:
            pass


def default_children() -> list[Child]:
    python = sys.executable
    return [
        # runserver's autoreloader runs the server in a child process: signal the whole group.
        Child("web", [python, "manage.py", "runserver", "127.0.0.1:8000"], signal.SIGINT, True),
        Child(
            "worker",
            [
                python, "-m", "celery", "-A", "config.celery_app", "worker",
                "-Q", "ml,default", "--concurrency=1", "--loglevel=info",
                "-B",  # embedded beat (one process here): library syncs, the reading sweeper
            ],
        ),
    ]  # fmt: skip


def stop_all(children: list[Child], grace: float = STOP_GRACE_SECONDS) -> None:
    """Ask every child to stop, wait up to `grace` seconds, then kill what is left."""
    for child in children:
        child.signal(child.stop_signal)
    deadline = time.monotonic() + grace
    while any(child.running() for child in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    for child in children:
        if child.running():
            print(f"[dev] {child.name} did not stop in {grace:.0f}s; killing it")
            child.signal(signal.SIGKILL)
    for child in children:
        if child.process is not None:
            child.process.wait()


def supervise(children: list[Child], grace: float = STOP_GRACE_SECONDS) -> int:
    """Start all children; return when a signal arrives (0) or one of them exits (its code)."""
    stop_requested: list[int] = []

    def request_stop(signum: int, _frame: object) -> None:
        stop_requested.append(signum)

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    exit_code = 0
    try:
        for child in children:
            child.start()
        while not stop_requested:
            exited = next((c for c in children if c.process and not c.running()), None)
            if exited is not None and exited.process is not None:
                # Either process ending on its own is a failure of the pair: report it.
                exit_code = exited.process.returncode or 1
                print(f"[dev] {exited.name} exited ({exited.process.returncode}); stopping")
                break
            time.sleep(0.2)
        else:
            print(f"[dev] {signal.Signals(stop_requested[0]).name} received; stopping")
    finally:
        stop_all(children, grace)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return exit_code


if __name__ == "__main__":
    sys.exit(supervise(default_children()))
