"""Tests for scripts/dev.py, the supervisor that `make run` uses for web + worker."""

import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

from scripts.dev import WEB_URL, Child, default_children, http_answers, supervise

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
# Exits 0 on SIGTERM only after writing a marker, like a worker's warm shutdown.
GRACEFUL = [
    sys.executable,
    "-c",
    "import signal, sys, time\n"
    "signal.signal(signal.SIGTERM, lambda *a: (print('graceful', flush=True), sys.exit(0)))\n"
    "time.sleep(60)",
]


def test_when_one_child_dies_the_other_is_stopped_and_its_code_returned() -> None:
    sleeper = Child("sleeper", SLEEPER)
    crasher = Child("crasher", [sys.executable, "-c", "import sys; sys.exit(3)"])

    started = time.monotonic()
    code = supervise([sleeper, crasher], grace=5)

    assert code == 3
    assert time.monotonic() - started < 10
    assert sleeper.process is not None
    assert sleeper.process.returncode == -signal.SIGTERM


def test_a_signal_to_the_supervisor_stops_both_children_gracefully() -> None:
    first, second = Child("first", GRACEFUL), Child("second", GRACEFUL)
    threading.Timer(1.5, os.kill, (os.getpid(), signal.SIGTERM)).start()

    code = supervise([first, second], grace=10)

    assert code == 0
    assert first.process is not None
    assert second.process is not None
    assert first.process.returncode == 0
    assert second.process.returncode == 0


def test_a_child_that_ignores_the_stop_signal_is_killed_after_the_grace_period() -> None:
    stubborn = Child(
        "stubborn",
        [sys.executable, "-c", "import signal, time; signal.signal(15, lambda *a: None); "
         "print('ready', flush=True); time.sleep(60)"],
    )  # fmt: skip
    quitter = Child("quitter", [sys.executable, "-c", "import time; time.sleep(1.5)"])

    code = supervise([stubborn, quitter], grace=1)

    assert code == 1
    assert stubborn.process is not None
    assert stubborn.process.returncode == -signal.SIGKILL


# -- The worker starts only once the web server answers -------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _slow_web_server(port: int, delay: float) -> list[str]:
    """A web server that starts listening only after `delay` seconds, like runserver's checks."""
    return [
        sys.executable,
        "-c",
        "import http.server, time\n"
        f"time.sleep({delay})\n"
        f"http.server.ThreadingHTTPServer(('127.0.0.1', {port}), "
        "http.server.SimpleHTTPRequestHandler).serve_forever()",
    ]


def _worker_needing_the_web(url: str, log: Path) -> list[str]:
    """A worker whose first job asks the web server; it crashes (2) if nothing answers."""
    return [
        sys.executable,
        "-c",
        "import sys, time, urllib.request\n"
        "try:\n"
        f"    urllib.request.urlopen({url!r}, timeout=2).close()\n"
        "except OSError:\n"
        "    sys.exit(2)\n"
        f"open({str(log)!r}, 'w').write('served')\n"
        "time.sleep(60)",
    ]


def test_http_answers_is_true_only_when_a_server_answers() -> None:
    assert http_answers(f"http://127.0.0.1:{_free_port()}/healthz", timeout=1) is False


def test_the_worker_starts_only_after_the_web_server_answers(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log = tmp_path / "worker.log"
    web = Child("web", _slow_web_server(port, delay=1.5), ready=lambda: http_answers(url, 0.5))
    worker = Child("worker", _worker_needing_the_web(url, log))

    supervising = threading.Event()

    def stop_once_served() -> None:
        deadline = time.monotonic() + 30
        while not log.exists() and time.monotonic() < deadline and supervising.is_set():
            time.sleep(0.1)
        if supervising.is_set():  # never signal pytest itself once supervise() has returned
            os.kill(os.getpid(), signal.SIGTERM)

    supervising.set()
    threading.Thread(target=stop_once_served, daemon=True).start()
    try:
        code = supervise([web, worker], grace=5)
    finally:
        supervising.clear()

    assert code == 0  # the worker never crashed for want of the web server
    assert log.read_text() == "served"


def test_a_web_server_that_never_answers_stops_everything_before_the_worker_starts() -> None:
    port = _free_port()
    web = Child(
        "web",
        SLEEPER,
        ready=lambda: http_answers(f"http://127.0.0.1:{port}/", 0.2),
        ready_timeout=1,
    )
    worker = Child("worker", SLEEPER)

    started = time.monotonic()
    code = supervise([web, worker], grace=5)

    assert code == 1
    assert time.monotonic() - started < 10
    assert worker.process is None
    assert web.process is not None
    assert web.process.returncode == -signal.SIGTERM


def test_a_web_server_that_exits_before_answering_returns_its_code_without_a_worker() -> None:
    web = Child("web", [sys.executable, "-c", "import sys; sys.exit(4)"], ready=lambda: False)
    worker = Child("worker", SLEEPER)

    assert supervise([web, worker], grace=5) == 4
    assert worker.process is None


def test_make_run_waits_for_the_web_servers_health_check_before_the_worker() -> None:
    web, worker = default_children()
    assert web.ready is not None
    assert WEB_URL == "http://127.0.0.1:8000/healthz"
    assert "worker" in worker.argv
    assert worker.ready is None
