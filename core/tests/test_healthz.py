"""Tests for GET /healthz."""

import json
from pathlib import Path

import pytest
from django.test import Client, override_settings

from ml.labels import EMOTIONS
from ml.modelfile import FORMAT_VERSION, file_sha256, meta_path_for


def _filesystem_broker(root: Path) -> dict[str, object]:
    for name in ("queue", "control", "processed"):
        (root / name).mkdir(parents=True, exist_ok=True)
    return {
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_BROKER_TRANSPORT_OPTIONS": {
            "data_folder_in": str(root / "queue"),
            "data_folder_out": str(root / "queue"),
            "control_folder": str(root / "control"),
            "processed_folder": str(root / "processed"),
        },
    }


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    """A file with a matching metadata sidecar (the health check verifies the checksum)."""
    path = tmp_path / "emotion_cnn.keras"
    path.write_bytes(b"not really a model, but a readable file")
    meta = {
        "format_version": FORMAT_VERSION,
        "model_version": "cnn-test",
        "sha256": file_sha256(path),
        "classes": list(EMOTIONS),
    }
    meta_path_for(path).write_text(json.dumps(meta))
    return path


@pytest.mark.django_db
def test_it_is_healthy_with_the_configured_services(client: Client, model_file: Path) -> None:
    with override_settings(EMOTION_MODEL_PATH=model_file):
        response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "model"}
    assert all(check["status"] == "ok" for check in body["checks"].values())
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_it_checks_the_filesystem_broker(client: Client, tmp_path: Path, model_file: Path) -> None:
    with override_settings(EMOTION_MODEL_PATH=model_file, **_filesystem_broker(tmp_path)):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == {
        "status": "ok",
        "detail": "filesystem",
        "latency_ms": response.json()["checks"]["broker"]["latency_ms"],
    }


@pytest.mark.django_db
def test_it_answers_503_when_the_broker_is_unreachable(client: Client, model_file: Path) -> None:
    unreachable = {"CELERY_BROKER_URL": "redis://127.0.0.1:1/0", "HEALTHZ_BROKER_TIMEOUT": 0.5}
    with override_settings(EMOTION_MODEL_PATH=model_file, **unreachable):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["broker"]["status"] == "error"
    assert body["checks"]["broker"]["latency_ms"] < 5000
    assert body["checks"]["database"]["status"] == "ok"


@pytest.mark.django_db
def test_it_answers_503_when_the_filesystem_broker_folder_is_gone(
    admin_client: Client, tmp_path: Path, model_file: Path
) -> None:
    broker = _filesystem_broker(tmp_path)
    (tmp_path / "queue").rmdir()
    with override_settings(EMOTION_MODEL_PATH=model_file, **broker):
        response = admin_client.get("/healthz")

    assert response.status_code == 503
    assert "not writable" in response.json()["checks"]["broker"]["detail"]


@pytest.mark.django_db
def test_a_missing_model_is_a_warning_while_not_required(client: Client, tmp_path: Path) -> None:
    with override_settings(
        EMOTION_MODEL_PATH=tmp_path / "absent.keras", EMOTION_MODEL_REQUIRED=False
    ):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["model"]["status"] == "warning"


@pytest.mark.django_db
def test_a_missing_model_fails_when_required(admin_client: Client, tmp_path: Path) -> None:
    with override_settings(
        EMOTION_MODEL_PATH=tmp_path / "absent.keras", EMOTION_MODEL_REQUIRED=True
    ):
        response = admin_client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["model"]["status"] == "error"
    assert "absent.keras" in response.json()["checks"]["model"]["detail"]


@pytest.mark.django_db
def test_the_public_sees_that_a_check_failed_but_not_why(
    client: Client, tmp_path: Path, model_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = {"CELERY_BROKER_URL": "redis://127.0.0.1:1/0", "HEALTHZ_BROKER_TIMEOUT": 0.5}
    missing = tmp_path / "absent.keras"
    with override_settings(EMOTION_MODEL_PATH=missing, EMOTION_MODEL_REQUIRED=True, **unreachable):
        response = client.get("/healthz")
        with override_settings(HEALTHZ_SHOW_DETAILS=True):
            detailed = client.get("/healthz").json()

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["status"] == "ok"
    for name in ("broker", "model"):
        assert checks[name]["status"] == "error"
        assert (
            checks[name]["detail"]
            == "unavailable (details are in the server log and shown to staff)"
        )
    assert "absent.keras" not in response.content.decode()
    assert "127.0.0.1" not in response.content.decode()
    # Operators find the reason in the log, or in the answer when they ask for details.
    assert "absent.keras" in caplog.text
    assert "absent.keras" in detailed["checks"]["model"]["detail"]


@pytest.mark.django_db
def test_it_needs_no_session_and_accepts_only_get(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
