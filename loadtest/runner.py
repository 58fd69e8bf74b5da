"""Start the production stack on loopback, run locust against it, measure, and tear it all down.

Stack: gunicorn (config.settings.production) on 127.0.0.1, PostgreSQL database `moodtrack_load`
(dropped and recreated), Redis database 5 (flushed), one Celery worker on queues ml,default at
concurrency 1 then 2, the shipped model. Only loopback addresses are used, every run is bounded
in time, and every process started here is stopped (and the database dropped) at the end.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
ADMIN_URL = os.environ.get(
    "LOADTEST_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
DATABASE = "moodtrack_load"
REDIS_URL = os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/5")
MODEL = ROOT / "ml" / "weights" / "emotion_cnn.keras"
GUNICORN_WORKERS = 3
GUNICORN_THREADS = 4  # as docker/start-web.sh: gthread workers
DRAIN_SECONDS = 120


@dataclass
class RunResult:
    """One locust run against one worker configuration."""

    users: int
    concurrency: int
    duration_s: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    http_requests: int = 0
    http_failures: int = 0
    http_rps: float = 0.0
    rows: dict[str, dict[str, float]] = field(default_factory=dict)
    readings: dict[str, int] = field(default_factory=dict)
    server_latency_ms: dict[str, float] = field(default_factory=dict)
    frames_per_s: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def error_rate(self) -> float:
        return self.http_failures / self.http_requests if self.http_requests else 0.0

    @property
    def lost(self) -> int:
        return sum(v for k, v in self.readings.items() if k in ("pending", "processing"))


# ------------------------------------------------------------------------------
# Processes
# ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(
    workdir: Path, *, database_url: str | None = None, redis_url: str = REDIS_URL
) -> dict[str, str]:
    """The environment of every process of the stack (production settings, loopback only)."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url or _database_url(),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "DJANGO_PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "EMOTION_MODEL_PATH": str(MODEL),
        "EMOTION_MODEL_REQUIRED": "true",
        "SPOTIFY_SANDBOX_ENABLED": "false",
        # No Spotify app here: demo mode, which production settings accept only when explicit.
        "DEMO_MODE": "true",
        # The load is what is measured, not the per-user budgets (which would refuse it).
        "DRF_THROTTLE_RATE_UPLOADS": "1000000/hour",
        "DRF_THROTTLE_RATE_USER": "1000000/minute",
        "DJANGO_LOG_LEVEL": "WARNING",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONUNBUFFERED": "1",
    }


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    completed = subprocess.run(  # noqa: S603 - fixed commands from this module
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}")


def _admin(sql: str, admin_url: str = ADMIN_URL) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql)


def prepare(env: dict[str, str], workdir: Path, users: int, *, admin_url: str = ADMIN_URL) -> Path:
    """Fresh database, migrated; static files collected; Redis db flushed; listeners seeded."""
    database = env["DATABASE_URL"].rsplit("/", 1)[1]
    _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', admin_url)
    _admin(f'CREATE DATABASE "{database}"', admin_url)
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    _run([PYTHON, "manage.py", "migrate", "--noinput"], env, "migrate")
    _run([PYTHON, "manage.py", "collectstatic", "--noinput"], env, "collectstatic")
    accounts = workdir / "accounts.json"
    _run(
        [PYTHON, "-m", "loadtest.seed", "--users", str(users), "--out", str(accounts)],
        env,
        "seeding",
    )
    return accounts


def teardown_data() -> None:
    with contextlib.suppress(psycopg.Error):
        _admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    with contextlib.suppress(redis.RedisError):
        redis.Redis.from_url(REDIS_URL).flushdb()


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as sink:
        return subprocess.Popen(  # noqa: S603 - fixed commands from this module
            command,
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen | None, timeout: float = 30) -> None:
    """SIGTERM the process group (gunicorn/celery and their children), then SIGKILL if needed."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def start_web(env: dict[str, str], workdir: Path, port: int) -> subprocess.Popen:
    return _spawn(
        [
            str(BIN / "gunicorn"), "config.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(GUNICORN_WORKERS),
            "--worker-class", "gthread", "--threads", str(GUNICORN_THREADS),
            "--keep-alive", "5",
            "--timeout", "60", "--access-logfile", str(workdir / "access.log"),
            "--logger-class", "core.gunicorn_logger.RedactingGunicornLogger",
            "--forwarded-allow-ips", "127.0.0.1",
        ],
        env,
        workdir / "gunicorn.log",
    )  # fmt: skip


def start_worker(env: dict[str, str], workdir: Path, concurrency: int) -> subprocess.Popen:
    return _spawn(
        [
            PYTHON, "-m", "celery", "-A", "config.celery_app", "worker",
            "--queues", "ml,default", "--concurrency", str(concurrency),
            "--max-memory-per-child", "1200000", "--loglevel", "WARNING",
            "-n", f"load{concurrency}@%h", "--without-gossip", "--without-mingle",
        ],
        env,
        workdir / f"worker-{concurrency}.log",
    )  # fmt: skip


def wait_healthy(base: str, web: subprocess.Popen, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if web.poll() is not None:
            raise RuntimeError("gunicorn exited during start-up")
        try:
            response = requests.get(f"{base}/healthz", timeout=5)
            if response.status_code == 200:
                return
            last = response.text[:300]
        except requests.RequestException as exc:
            last = str(exc)
        time.sleep(0.5)
    raise RuntimeError(f"/healthz never became healthy: {last}")


# ------------------------------------------------------------------------------
# Measurements
# ------------------------------------------------------------------------------


def face_frame(path: Path) -> Path:
    """A 640x480 JPEG with a real smiling face (skimage's astronaut) on a plain background."""
    from PIL import Image
    from skimage.data import astronaut

    face = Image.fromarray(astronaut())
    face.thumbnail((640, 480))
    canvas = Image.new("RGB", (640, 480), (200, 200, 200))
    canvas.paste(face, ((640 - face.width) // 2, (480 - face.height) // 2))
    buffer = io.BytesIO()
    canvas.save(buffer, format="JPEG", quality=90)
    path.write_bytes(buffer.getvalue())
    return path


def warm_up(base: str, accounts: Path, frame: Path, concurrency: int) -> None:
    """Load the model in every worker child before measuring (the first task pays for it)."""
    token = json.loads(accounts.read_text())[0]["token"]
    headers = {"Authorization": f"Token {token}", "X-Forwarded-Proto": "https"}
    ids = []
    for _ in range(concurrency * 3):
        with frame.open("rb") as image:
            response = requests.post(
                f"{base}/api/v1/readings/", files={"image": image}, headers=headers, timeout=30
            )
        response.raise_for_status()
        ids.append(response.json()["id"])
    deadline = time.monotonic() + 900
    while ids and time.monotonic() < deadline:
        ids = [
            reading_id
            for reading_id in ids
            if requests.get(
                f"{base}/api/v1/readings/{reading_id}/", headers=headers, timeout=10
            ).json()["status"]
            not in ("done", "no_face", "failed")
        ]
        time.sleep(0.5)
    if ids:
        raise RuntimeError(f"warm-up readings never finished: {ids}")


def _locust_rows(prefix: Path) -> dict[str, dict[str, float]]:
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            rows[f"{row['Type']} {row['Name']}".strip()] = {
                "count": float(row["Request Count"]),
                "failures": float(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"] or 0),
                "p95": float(row["95%"] or 0),
                "p99": float(row["99%"] or 0),
                "max": float(row["Max Response Time"] or 0),
            }
    return rows


def _failures(prefix: Path) -> list[str]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return [
            f"{row['Method']} {row['Name']}: {row['Error'][:160]} (x{row['Occurrences']})"
            for row in csv.DictReader(handle)
        ]


def _database_url() -> str:
    return f"postgres://postgres@127.0.0.1:5432/{DATABASE}"


def _drain(since: dt.datetime, timeout: float = DRAIN_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with psycopg.connect(_database_url()) as connection:
            (open_readings,) = connection.execute(
                "SELECT count(*) FROM emotions_moodreading "
                "WHERE created_at >= %s AND status IN ('pending', 'processing')",
                (since,),
            ).fetchone()
        if not open_readings:
            return
        time.sleep(1)


def _reading_stats(since: dt.datetime, until: dt.datetime) -> tuple[dict, dict, float]:
    with psycopg.connect(_database_url()) as connection:
        counts = dict(
            connection.execute(
                "SELECT status, count(*) FROM emotions_moodreading "
                "WHERE created_at >= %s GROUP BY status",
                (since,),
            ).fetchall()
        )
        latencies = [
            row[0] * 1000
            for row in connection.execute(
                "SELECT EXTRACT(EPOCH FROM finished_at - created_at)::float "
                "FROM emotions_moodreading WHERE created_at >= %s AND status = 'done'",
                (since,),
            ).fetchall()
        ]
        (finished_in_window,) = connection.execute(
            "SELECT count(*) FROM emotions_moodreading "
            "WHERE finished_at >= %s AND finished_at < %s",
            (since, until),
        ).fetchone()
    server = {}
    if len(latencies) >= 2:
        cuts = statistics.quantiles(latencies, n=100, method="inclusive")
        server = {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "n": len(latencies)}
    seconds = max((until - since).total_seconds(), 1e-9)
    return counts, server, finished_in_window / seconds


def run_locust(
    base: str, accounts: Path, frame: Path, workdir: Path, users: int, concurrency: int,
    duration: int,
) -> RunResult:  # fmt: skip
    prefix = workdir / f"locust-c{concurrency}-u{users}"
    env = {
        **os.environ,
        "LOADTEST_ACCOUNTS": str(accounts),
        "LOADTEST_FRAME": str(frame),
    }
    load_before = os.getloadavg()
    since = dt.datetime.now(dt.UTC)
    started = time.monotonic()
    completed = subprocess.run(  # noqa: S603
        [
            str(BIN / "locust"), "-f", str(ROOT / "loadtest" / "locustfile.py"),
            "--headless", "--users", str(users), "--spawn-rate", str(max(1, users // 5)),
            "--run-time", f"{duration}s", "--stop-timeout", "60", "--host", base,
            "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
        timeout=duration + 600,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    until = dt.datetime.now(dt.UTC)
    (workdir / f"{prefix.name}.out").write_text(completed.stdout + completed.stderr)
    _drain(since)
    counts, server, frames_per_s = _reading_stats(since, until)
    rows = _locust_rows(prefix)
    http = {name: row for name, row in rows.items() if not name.startswith(("FLOW", "Aggregated"))}
    return RunResult(
        users=users,
        concurrency=concurrency,
        duration_s=round(elapsed, 1),
        load_before=load_before,
        load_after=os.getloadavg(),
        http_requests=int(sum(row["count"] for row in http.values())),
        http_failures=int(sum(row["failures"] for row in http.values())),
        http_rps=sum(row["rps"] for row in http.values()),
        rows=rows,
        readings=counts,
        server_latency_ms=server,
        frames_per_s=frames_per_s,
        failures=_failures(prefix),
    )


def frame_cost(frame: Path, repeats: int = 30) -> dict[str, float]:
    """Median single-process cost of one frame with the shipped model (decode, detect, classify)."""
    code = f"""
import json, os, statistics, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
from ml.inference import EmotionRecognizer
recognizer = EmotionRecognizer({str(MODEL)!r})
data = open({str(frame)!r}, "rb").read()
for _ in range(5):
    recognizer.recognize(data)
timings = []
for _ in range({repeats}):
    started = time.perf_counter()
    recognizer.recognize(data)
    timings.append((time.perf_counter() - started) * 1000)
print(json.dumps({{"median_ms": statistics.median(timings), "min_ms": min(timings)}}))
"""
    completed = subprocess.run(  # noqa: S603
        [PYTHON, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=1800
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------
# The matrix
# ------------------------------------------------------------------------------


@contextlib.contextmanager
def _workdir() -> Iterator[Path]:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    path = ROOT / "var" / "loadtest" / stamp
    path.mkdir(parents=True, exist_ok=True)
    yield path


def run_matrix(*, users: list[int], concurrencies: list[int], duration: int) -> dict[str, Any]:
    """Every (worker concurrency, users) pair; returns the results and the environment facts."""
    if not MODEL.is_file():
        raise RuntimeError(f"the shipped model {MODEL} is missing")
    results: list[RunResult] = []
    with _workdir() as workdir:
        env = production_env(workdir)
        frame = face_frame(workdir / "face.jpg")
        print("load: measuring the per-frame cost ...", flush=True)
        cost = frame_cost(frame)
        web = worker = None
        try:
            print("load: preparing the database ...", flush=True)
            accounts = prepare(env, workdir, max(users))
            port = _free_port()
            base = f"http://127.0.0.1:{port}"
            web = start_web(env, workdir, port)
            for concurrency in concurrencies:
                worker = start_worker(env, workdir, concurrency)
                wait_healthy(base, web)
                print(f"load: warming up {concurrency} worker process(es) ...", flush=True)
                warm_up(base, accounts, frame, concurrency)
                for count in users:
                    print(f"load: {count} users, concurrency {concurrency} ...", flush=True)
                    result = run_locust(
                        base, accounts, frame, workdir, count, concurrency, duration
                    )
                    print(f"load: {json.dumps(asdict(result))[:400]}", flush=True)
                    results.append(result)
                stop(worker)
                worker = None
        finally:
            stop(worker)
            stop(web)
            teardown_data()
        report = {
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "duration_s": duration,
            "frame_cost": cost,
            "gunicorn_workers": GUNICORN_WORKERS,
            "gunicorn_threads": GUNICORN_THREADS,
            "training_running": _training_running(),
            "results": [asdict(result) | {"error_rate": result.error_rate, "lost": result.lost}
                        for result in results],
            "workdir": str(workdir.relative_to(ROOT)),
        }  # fmt: skip
        (workdir / "results.json").write_text(json.dumps(report, indent=2))
    return report


def _training_running() -> bool:
    completed = subprocess.run(
        ["pgrep", "-f", "ml.train"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    return bool(completed.stdout.strip())


def markdown(report: dict[str, Any]) -> str:
    """The load table for docs/RELIABILITY.md and docs/BENCHMARKS.md."""
    cost = report["frame_cost"]["median_ms"]
    lines = [
        f"Run {report['date']}; {report['duration_s']} s per row; gunicorn "
        f"{report['gunicorn_workers']} gthread workers x {report.get('gunicorn_threads', 1)} "
        "threads; per-frame cost (decode + detect + classify, one "
        f"process, shipped model, 640x480 face) **{cost:.0f} ms** median"
        + (" (the model training run was using the CPU)" if report["training_running"] else "")
        + ".",
        "",
        "| worker procs | users | HTTP req/s | HTTP errors | upload→done p50 / p95 / p99 (ms) "
        "| recommend p50 / p95 / p99 (ms) | readings done / failed / lost | frames/s "
        "| worker busy | load avg (1 min) before → after |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for result in report["results"]:
        flow = result["rows"].get("FLOW upload→done", {})
        recommend = result["rows"].get("POST POST /api/v1/recommendations/", {})
        readings = result["readings"]
        failed = readings.get("failed", 0) + readings.get("no_face", 0)
        # Share of the worker processes' time spent on frames, at the single-process cost.
        busy = result["frames_per_s"] * cost / 1000 / result["concurrency"]
        lines.append(
            f"| {result['concurrency']} | {result['users']} | {result['http_rps']:.1f} "
            f"| {result['http_failures']} / {result['http_requests']} "
            f"({result['error_rate']:.2%}) "
            f"| {flow.get('p50', 0):.0f} / {flow.get('p95', 0):.0f} / {flow.get('p99', 0):.0f} "
            f"| {recommend.get('p50', 0):.0f} / {recommend.get('p95', 0):.0f} / "
            f"{recommend.get('p99', 0):.0f} "
            f"| {readings.get('done', 0)} / {failed} / {result['lost']} "
            f"| {result['frames_per_s']:.2f} | {busy:.0%} "
            f"| {result['load_before'][0]:.1f} → {result['load_after'][0]:.1f} |"
        )
    failures = sorted({line for result in report["results"] for line in result["failures"]})
    if failures:
        lines += ["", "Failures seen:", "", *(f"- {line}" for line in failures[:20])]
    return "\n".join(lines)
