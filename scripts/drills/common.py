"""Shared pieces of the drills: a clock, a tally of answers, a throwaway Redis, API helpers."""

from __future__ import annotations

import collections
import json
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis
import requests

from loadtest.runner import face_frame

FINAL = ("done", "no_face", "failed")


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


@dataclass
class ThrowawayRedis:
    """redis-server on its own port and folder (never the machine's 6379), no persistence."""

    port: int
    folder: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if shutil.which("redis-server") is None:
            raise SystemExit("redis-server is not installed")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(  # noqa: S603
            [  # noqa: S607 - the Debian package puts it on PATH
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        for _ in range(200):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server on {self.port} did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@dataclass
class Api:
    base: str
    token: str
    frame: bytes
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.session.headers.update(
            {"Authorization": f"Token {self.token}", "X-Forwarded-Proto": "https"}
        )

    def upload(self) -> requests.Response:
        return self.session.post(
            f"{self.base}/api/v1/readings/",
            files={"image": ("face.jpg", self.frame, "image/jpeg")},
            timeout=30,
        )

    def reading(self, reading_id: int) -> requests.Response:
        return self.session.get(f"{self.base}/api/v1/readings/{reading_id}/", timeout=30)

    def wait_final(self, reading_id: int, timeout: float = 600) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            response = self.reading(reading_id)
            if response.ok and response.json()["status"] in FINAL:
                return response.json()["status"]
            time.sleep(0.5)
        return "timeout"


def frame_bytes(workdir: Path) -> bytes:
    return face_frame(workdir / "face.jpg").read_bytes()


def first_token(accounts: Path) -> str:
    return json.loads(accounts.read_text())[0]["token"]


def private_files(workdir: Path) -> list[str]:
    folder = workdir / "private"
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


class Tally(collections.Counter):
    def line(self) -> str:
        return ", ".join(f"{key}: {count}" for key, count in sorted(self.items()))
