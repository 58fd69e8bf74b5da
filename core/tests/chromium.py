"""Debian's Chromium for the browser tests: one launcher with the flags this machine needs."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

CHROMIUM = "/usr/bin/chromium"  # Playwright's own browser download is impossible here
# Root in a container: no sandbox; no GPU; no background requests to Google's hosts.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking")


def launch_chromium(playwright: Any, *extra_args: str) -> Any:
    """A headless Chromium from Playwright's sync API."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args])


@contextlib.contextmanager
def chromium_for_module(*extra_args: str) -> Iterator[Any]:
    """A browser kept open for a whole test module (use from a module-scoped fixture).

    Playwright's sync API keeps an event loop in this thread meanwhile; Django's ORM calls in the
    tests (and the database flushes) are still synchronous, so Django is told that is safe.
    """
    from playwright.sync_api import sync_playwright

    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright, *extra_args)
            yield browser
            browser.close()
    finally:
        if saved is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved
