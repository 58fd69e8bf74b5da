"""Production collectstatic (hashed manifest) must succeed: no static file names a missing one."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_MAP = re.compile(rb"sourceMappingURL=([^\s*]+)")


def test_no_static_file_references_a_missing_source_map() -> None:
    """ManifestStaticFilesStorage follows `sourceMappingURL`: a missing map fails the deploy."""
    missing = [
        f"{path.relative_to(ROOT)} -> {target.decode()}"
        for path in (ROOT / "static").rglob("*")
        if path.suffix in (".js", ".css")
        for target in SOURCE_MAP.findall(path.read_bytes())
        if not target.startswith(b"data:") and not (path.parent / target.decode()).exists()
    ]

    assert missing == []
