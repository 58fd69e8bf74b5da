"""Debian's Chromium for the browser tests: one launcher with the flags this machine needs."""

from __future__ import annotations

from typing import Any

CHROMIUM = "/usr/bin/chromium"  # Playwright's own browser download is impossible here
# Root in a container: no sandbox; no GPU; no background requests to Google's hosts.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking")


def launch_chromium(playwright: Any, *extra_args: str) -> Any:
    """A headless Chromium from Playwright's sync API."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args])
