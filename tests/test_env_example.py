"""Every environment variable the project reads is documented in .env.example."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READ_IN_PYTHON = re.compile(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""")
READ_IN_SHELL = re.compile(r"\$\{([A-Z][A-Z0-9_]+)(?::-[^}]*)?\}")


def _documented() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_every_setting_read_from_the_environment_is_documented() -> None:
    read = {
        name
        for path in (ROOT / "config" / "settings").glob("*.py")
        for name in READ_IN_PYTHON.findall(path.read_text())
    }

    assert "DJANGO_SECRET_KEY" in read
    assert read - _documented() == set()


def test_every_variable_of_the_docker_files_is_documented() -> None:
    paths = [*(ROOT / "docker").glob("*.sh"), ROOT / "docker" / "compose.yml"]
    read = {name for path in paths for name in READ_IN_SHELL.findall(path.read_text())}

    assert "GUNICORN_WORKERS" in read
    assert read - _documented() == set()
