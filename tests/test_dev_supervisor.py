"""Tests for scripts/dev.py, the supervisor that `make run` uses for web + worker."""

import os
import signal
import sys
import threading
import time

from scripts.dev import Child, supervise

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
