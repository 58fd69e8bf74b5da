#!/usr/bin/env python
"""Run the web server and a Celery worker together; Ctrl-C or SIGTERM stops both cleanly.

The worker starts only once the web server answers: its first jobs (a demo library sync) talk to
the Spotify stand-in that the web server serves. It loads the emotion model as it starts
(EMOTION_MODEL_PRELOAD, on in config.settings.local), so the first reading is as fast as later ones.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOP_GRACE_SECONDS = 20.0
WEB_URL = "http://127.0.0.1:8000/healthz"
READY_TIMEOUT_SECONDS = 120.0


def http_answers(url: str, timeout: float = 2.0) -> bool:
    """Whether a server answers `url` with any HTTP response (an unhealthy 503 is still up)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout):  # noqa: S310 - a local http:// URL
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class Child:
    """A supervised process; `stop_signal` is what asks it to shut down gracefully."""

    name: str
    argv: list[str]
    stop_signal: int = signal.SIGTERM
    whole_group: bool = False
    # When set, the children after this one start only once it returns True (polled).
    ready: Callable[[], bool] | None = None
    ready_timeout: float = READY_TIMEOUT_SECONDS
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
        Child(
            "web",
            [python, "manage.py", "runserver", "127.0.0.1:8000"],
            signal.SIGINT,
            whole_group=True,
            ready=lambda: http_answers(WEB_URL),
        ),
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


def _first_exited(children: list[Child]) -> Child | None:
    return next((c for c in children if c.process and not c.running()), None)


def _wait_until_ready(child: Child, children: list[Child], stop_requested: list[int]) -> bool:
    """Poll `child.ready` until it holds; False when a child exits, a signal or the timeout comes
    first (the caller then stops everything)."""
    if child.ready is None:
        return True
    deadline = time.monotonic() + child.ready_timeout
    while not stop_requested and _first_exited(children) is None:
        if child.ready():
            print(f"[dev] {child.name} is answering")
            return True
        if time.monotonic() >= deadline:
            print(f"[dev] {child.name} did not answer in {child.ready_timeout:.0f}s; stopping")
            return False
        time.sleep(0.2)
    return False


def supervise(children: list[Child], grace: float = STOP_GRACE_SECONDS) -> int:
    """Start the children in order (waiting for each `ready` one to answer before the next);
    return when a signal arrives (0) or one of them exits (its code)."""
    stop_requested: list[int] = []

    def request_stop(signum: int, _frame: object) -> None:
        stop_requested.append(signum)

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    exit_code = 0
    try:
        for child in children:
            if stop_requested or _first_exited(children) is not None:
                break
            child.start()
            if not _wait_until_ready(child, children, stop_requested):
                if not stop_requested and _first_exited(children) is None:
                    exit_code = 1  # timed out
                break
        while not stop_requested:
            if exit_code:
                break
            exited = _first_exited(children)
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
