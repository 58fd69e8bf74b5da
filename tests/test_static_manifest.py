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


def test_the_vendored_packages_are_the_pinned_ones() -> None:
    """static/vendor/VERSIONS.txt, the script's pins and the vendored files agree (axe-core's
    banner carries its version; the accessibility browser test evaluates that file)."""
    script = (ROOT / "scripts" / "vendor_static.sh").read_text()
    pins = dict(re.findall(r'^(\w+)_VERSION="([^"]+)"', script, flags=re.MULTILINE))
    recorded = dict(
        line.split(" ", 1)
        for line in (ROOT / "static" / "vendor" / "VERSIONS.txt").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert recorded == {
        "@picocss/pico": pins["PICO"],
        "htmx.org": pins["HTMX"],
        "chart.js": pins["CHARTJS"],
        "axe-core": pins["AXE"],
    }
    axe = (ROOT / "static" / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    assert axe.startswith(f"/*! axe v{pins['AXE']}\n")
    assert (ROOT / "static" / "vendor" / "axe-core" / "LICENSE").exists()
