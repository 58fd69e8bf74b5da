"""Security finding 6: request bodies over the cap are refused (413) before they are read, over real
HTTP: runserver's live server, and gunicorn (the production server) for chunked bodies."""

from __future__ import annotations

import io
import json
import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings

from accounts.models import User
from accounts.services import api_token_create
from core.body_limit import RequestBodyLimitMiddleware

ROOT = Path(__file__).resolve().parent.parent
UPLOAD_LIMIT = 11 * 1024 * 1024
OTHER_LIMIT = 1024 * 1024
ANSWER_WITHIN_SECONDS = 15


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=ANSWER_WITHIN_SECONDS)


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one HTTP/1.1 response (body up to Content-Length or close)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in lines[1:])
    }
    length = int(headers.get("content-length", "-1"))
    while length < 0 or len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body[:length] if length >= 0 else body


def _declare_and_send_a_little(
    url: str, path: str, declared: int, headers: str = ""
) -> tuple[int, dict, bytes]:
    """POST a photo declaring `declared` bytes but send 64 KB of it: the answer must come without
    the rest (before the fix, the server waited for, and stored, all of it)."""
    with _connect(url) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}"
            f"Content-Type: multipart/form-data; boundary=xyz\r\n"
            f"Content-Length: {declared}\r\n\r\n".encode()
            + b'--xyz\r\nContent-Disposition: form-data; name="image"; filename="big.png"\r\n'
            + b"Content-Type: image/png\r\n\r\n"
            + b"a" * 65536
        )
        return _read_response(sock)


@pytest.mark.django_db(transaction=True)
def test_an_upload_declaring_300_mb_is_refused_before_it_is_read(live_server) -> None:
    """A signed-in listener's 300 MB upload to the readings API (11 MB) gets 413 JSON while
    almost all of it is still unsent."""
    user = User.objects.create_user(username="uploader", password="not-used-here")
    key = api_token_create(user=user, name="script").key

    status, headers, body = _declare_and_send_a_little(
        live_server.url,
        "/api/v1/readings/",
        300 * 1024 * 1024,
        headers=f"Authorization: Token {key}\r\n",
    )

    assert status == 413
    assert headers["content-type"] == "application/json"
    answer = json.loads(body)
    assert answer["message"].startswith(
        "That photo upload is too big (300 MB): the limit is 11 MB."
    )
    assert answer["extra"] == {"code": "body_too_large", "limit_bytes": UPLOAD_LIMIT}


@pytest.mark.django_db(transaction=True)
def test_a_big_anonymous_post_to_the_sign_in_page_is_refused_before_it_is_read(
    live_server,
) -> None:
    """The finding: 300 MB to /accounts/login/ were written to /tmp before CSRF said no."""
    status, headers, body = _declare_and_send_a_little(
        live_server.url, "/accounts/login/", 300 * 1024 * 1024
    )

    assert status == 413
    assert headers["content-type"].startswith("text/html")
    assert b"That request is too big (300 MB): the limit is 1 MB." in body


@pytest.mark.django_db(transaction=True)
def test_the_capture_page_takes_a_body_just_under_its_limit(live_server) -> None:
    """11 MB is the upload routes' cap; a bit under it is read (then refused by the view for
    other reasons: no session, so a redirect to sign in)."""
    declared = UPLOAD_LIMIT - 1000
    with _connect(live_server.url) as sock:
        sock.sendall(
            f"POST /mood/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {declared}\r\n\r\n".encode()
            + b"a" * declared
        )
        status, _, _ = _read_response(sock)

    assert status != 413


@pytest.mark.django_db(transaction=True)
def test_a_chunked_body_is_refused_by_a_server_that_cannot_size_it(live_server) -> None:
    """runserver does not de-chunk, and Django would see an empty body: 411 at once."""
    with _connect(live_server.url) as sock:
        sock.sendall(
            b"POST /api/v1/readings/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + b"10000\r\n" + b"a" * 65536 + b"\r\n"
        )
        status, _, body = _read_response(sock)

    assert status == 411
    assert json.loads(body)["extra"]["code"] == "length_required"


# ------------------------------------------------------------------------------
# Chunked bodies over gunicorn, which de-chunks: cut off at the limit while streaming
# ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn_url() -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--threads",
            "2",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("gunicorn did not start")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=30)


def test_a_chunked_upload_over_the_cap_is_cut_off_while_streaming(gunicorn_url: str) -> None:
    """Chunks are sent until the server answers: it answers 413 once it has read 11 MB, long
    before the 100 MB the client would send."""
    total = 100 * 1024 * 1024
    frame = b"10000\r\n" + b"a" * 65536 + b"\r\n"
    sent = 0
    with _connect(gunicorn_url) as sock:
        sock.sendall(
            b"POST /api/v1/readings/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        pending = b""
        while sent < total:
            readable, writable, _ = select.select([sock], [sock], [], ANSWER_WITHIN_SECONDS)
            if readable:
                break  # the server has answered
            if not writable:
                pytest.fail("the server neither read nor answered")
            if not pending:
                pending = frame
                sent += 65536
            try:
                pending = pending[sock.send(pending) :]
            except (BrokenPipeError, ConnectionResetError):
                break
        sock.setblocking(True)
        status, _, body = _read_response(sock)

    assert status == 413
    assert json.loads(body)["extra"]["code"] == "body_too_large"
    assert sent < total / 2


def test_a_small_chunked_request_is_passed_on_with_its_length(gunicorn_url: str) -> None:
    """Under the cap a chunked body reaches Django, sized: here the API's own refusal
    (no credentials), not a 411 or 413."""
    with _connect(gunicorn_url) as sock:
        sock.sendall(
            b"POST /api/v1/readings/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"13\r\n" + b'{"emotion":"happy"}' + b"\r\n0\r\n\r\n"
        )
        status, _, _ = _read_response(sock)

    assert status in (401, 403)


# ------------------------------------------------------------------------------
# The middleware alone
# ------------------------------------------------------------------------------


class CountingStream(io.RawIOBase):
    """An endless de-chunked body that counts what was read from it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = 65536 if size is None or size < 0 else size
        self.read_bytes += size
        return b"a" * size


def test_the_middleware_stops_reading_a_chunked_body_one_byte_past_the_limit() -> None:
    stream = CountingStream()
    request = RequestFactory().post("/api/v1/feedback/", data=b"", content_type="text/plain")
    request.META.pop("CONTENT_LENGTH", None)
    request.META["HTTP_TRANSFER_ENCODING"] = "chunked"
    request.environ.update({"wsgi.input": stream, "wsgi.input_terminated": True})

    response = RequestBodyLimitMiddleware(lambda request: pytest.fail("not refused"))(request)

    assert response.status_code == 413
    assert stream.read_bytes == OTHER_LIMIT + 1


@override_settings(REQUEST_MAX_BODY_BYTES=100)
def test_a_json_body_over_the_general_limit_is_refused() -> None:
    request = RequestFactory().post("/api/v1/me/", data=b"x" * 101, content_type="application/json")

    response = RequestBodyLimitMiddleware(lambda request: pytest.fail("not refused"))(request)

    assert response.status_code == 413
    assert json.loads(response.content)["extra"]["limit_bytes"] == 100
