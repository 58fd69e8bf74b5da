"""Drill: PostgreSQL restarts while the web tier is under load.

`python -m scripts.drills.postgres_restart` creates a throwaway PostgreSQL cluster of its own on
127.0.0.1:5433 (initdb in var/drills/, run as the `postgres` user; never the machine's 5432), a
throwaway redis-server on 6391, and gunicorn with production settings. Six client threads read
readings, record picked moods and probe /healthz for ~40 s; after 12 s the cluster is restarted
(`pg_ctl restart -m fast`). The drill prints what clients got before, during and after, and how
long until every request succeeded again, then stops and deletes everything it started.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

from loadtest import runner
from scripts.drills.common import ThrowawayRedis, say

PG_PORT = 5433
REDIS_PORT = 6391
RUN_SECONDS = 40
RESTART_AT = 12
THREADS = 6


def _as_postgres(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        ["runuser", "-u", "postgres", "--", *command],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )


class Cluster:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"

    def create(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.folder, "postgres", "postgres")
        _as_postgres("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()

    def _ctl(self, action: str, *extra: str) -> None:
        _as_postgres(
            "pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w",
            "-o", f"-p {PG_PORT} -k {self.folder} -c listen_addresses=127.0.0.1",
            action, *extra,
        )  # fmt: skip

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def destroy(self) -> None:
        if self.data.exists():
            subprocess.run(  # noqa: S603
                ["runuser", "-u", "postgres", "--", "pg_ctl", "-D", str(self.data), "stop",  # noqa: S607
                 "-m", "immediate"],
                capture_output=True,
                check=False,
            )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)


def _client(base: str, token: str, number: int, until: float, log: list) -> None:
    session = requests.Session()
    session.headers.update({"Authorization": f"Token {token}", "X-Forwarded-Proto": "https"})
    kinds = ["read", "pick", "health"]
    kind = kinds[number % len(kinds)]
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            if kind == "read":
                response = session.get(f"{base}/api/v1/readings/", timeout=10)
            elif kind == "pick":
                response = session.post(
                    f"{base}/api/v1/readings/", json={"emotion": "happy"}, timeout=10
                )
            else:
                response = session.get(f"{base}/healthz", timeout=10)
            body = response.text
            outcome = (
                response.status_code,
                response.headers.get("Content-Type", "").split(";")[0],
                "Traceback" in body or 'File "/' in body,
            )
        except requests.RequestException as exc:
            outcome = (type(exc).__name__, "", False)
        log.append((started, kind, *outcome))
        time.sleep(0.1)


def main() -> int:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    workdir = runner.ROOT / "var" / "drills" / f"postgres-{stamp}"
    workdir.mkdir(parents=True)
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="moodtrack-pg-drill-")))
    broker = ThrowawayRedis(REDIS_PORT, workdir / "redis")
    admin_url = f"postgres://postgres@127.0.0.1:{PG_PORT}/postgres"
    env = runner.production_env(
        workdir,
        database_url=f"postgres://postgres@127.0.0.1:{PG_PORT}/moodtrack_drill",
        redis_url=broker.url,
    )
    web = None
    ok = False
    try:
        cluster.create()
        broker.start()
        accounts = runner.prepare(env, workdir, 6, admin_url=admin_url)
        port = runner._free_port()
        base = f"http://127.0.0.1:{port}"
        web = runner.start_web(env, workdir, port)
        runner.wait_healthy(base, web)
        say(f"stack up on {base}; PostgreSQL on {PG_PORT}")

        log: list = []
        start = time.monotonic()
        until = start + RUN_SECONDS
        tokens = [account["token"] for account in json.loads(accounts.read_text())]
        threads = [
            threading.Thread(target=_client, args=(base, tokens[n % len(tokens)], n, until, log))
            for n in range(THREADS)
        ]
        for thread in threads:
            thread.start()
        time.sleep(RESTART_AT)
        restart_begin = time.monotonic()
        cluster.restart()
        restart_end = time.monotonic()
        took = restart_end - restart_begin
        say(f"PostgreSQL restarted (pg_ctl restart -m fast took {took:.1f} s)")
        for thread in threads:
            thread.join()

        def phase(at: float) -> str:
            if at < restart_begin:
                return "before"
            return "during" if at < restart_end else "after"

        tally = Counter((phase(at), kind, status) for at, kind, status, _, _ in log)
        for key in sorted(tally, key=str):
            say(f"{key[0]:6} {key[1]:6} -> {key[2]}: {tally[key]}")
        failures_after = [
            (at, kind, status) for at, kind, status, _, _ in log
            if at >= restart_end and status not in (200, 201, 202)
        ]  # fmt: skip
        last_failure = max((at for at, *_ in failures_after), default=restart_end)
        leaked = sum(1 for *_, traceback in log if traceback)
        error_types = Counter(
            (kind, status, content_type)
            for at, kind, status, content_type, _ in log
            if status not in (200, 201, 202)
        )
        say(f"error answers by kind/status/content type: {dict(error_types)}")
        say(f"answers with a stack trace: {leaked}")
        say(
            f"all requests succeed again {max(0.0, last_failure - restart_end):.1f} s after the "
            f"restart finished ({len(failures_after)} failures after it)"
        )
        ok = (
            leaked == 0
            and all(status in (200, 201, 202) for at, _, status, _, _ in log if at > last_failure)
            and any(at > last_failure for at, *_ in log)
        )
    finally:
        runner.stop(web)
        broker.stop()
        cluster.destroy()
        say(f"stopped everything; logs in {workdir.relative_to(runner.ROOT)}")
    say("DRILL PASSED" if ok else "DRILL FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
