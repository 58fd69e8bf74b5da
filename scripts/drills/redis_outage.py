"""Drill: Redis (broker and cache) stops under a running stack, then comes back.

`python -m scripts.drills.redis_outage` starts its own redis-server on 127.0.0.1:6390, a
PostgreSQL database `moodtrack_drill` on the machine's server, gunicorn (production settings) and
one Celery worker; uploads a photo (baseline), stops Redis, tries reads, an upload, a sign-in and
/healthz, starts Redis again and uploads once more. It prints what each step got and stops
everything it started.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

import requests

from loadtest import runner
from scripts.drills.common import Api, ThrowawayRedis, first_token, frame_bytes, private_files, say

PORT = 6390


def main() -> int:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    workdir = runner.ROOT / "var" / "drills" / f"redis-{stamp}"
    workdir.mkdir(parents=True)
    broker = ThrowawayRedis(PORT, workdir / "redis")
    env = runner.production_env(
        workdir,
        database_url="postgres://postgres@127.0.0.1:5432/moodtrack_drill",
        redis_url=broker.url,
    )
    web = worker = None
    ok = True
    try:
        broker.start()
        accounts = runner.prepare(env, workdir, 2)
        port = runner._free_port()
        base = f"http://127.0.0.1:{port}"
        web = runner.start_web(env, workdir, port)
        worker = runner.start_worker(env, workdir, 1)
        runner.wait_healthy(base, web)
        api = Api(base, first_token(accounts), frame_bytes(workdir))

        baseline = api.upload()
        status = api.wait_final(baseline.json()["id"])
        say(f"baseline: upload {baseline.status_code}, reading {status}")

        broker.stop()
        say("redis stopped")
        started = time.monotonic()
        refused = api.upload()
        refused_in = time.monotonic() - started
        read = api.reading(baseline.json()["id"])
        health = requests.get(f"{base}/healthz", timeout=30)
        sign_in = requests.post(
            f"{base}/accounts/login/",
            data={"username": "x", "password": "y"},
            headers={"X-Forwarded-Proto": "https"},
            timeout=30,
        )
        files = private_files(workdir)
        say(f"upload while down: {refused.status_code} in {refused_in:.2f} s: {refused.text[:160]}")
        say(
            f"read while down: {read.status_code}; /healthz: {health.status_code} "
            f"{health.json()['checks']['broker']['status']}; sign-in POST: {sign_in.status_code}"
        )
        say(f"private files while down: {len(files)} (the baseline's thumbnail only)")

        broker.start()
        say("redis started again (empty: no persistence)")
        started = time.monotonic()
        after = api.upload()
        after_status = api.wait_final(after.json()["id"]) if after.ok else "-"
        say(
            f"after: upload {after.status_code}, reading {after_status} "
            f"in {time.monotonic() - started:.1f} s (worker reconnected by itself)"
        )
        ok = (
            baseline.status_code == 202 and refused.status_code == 503 and read.status_code == 200
            and health.status_code == 503 and sign_in.status_code in (200, 403)
            and after.status_code == 202 and after_status == "done" and len(files) <= 1
        )  # fmt: skip
    finally:
        runner.stop(worker)
        runner.stop(web)
        broker.stop()
        runner._admin('DROP DATABASE IF EXISTS "moodtrack_drill" WITH (FORCE)')
        say(f"stopped everything; logs in {workdir.relative_to(runner.ROOT)}")
    say("DRILL PASSED" if ok else "DRILL FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
