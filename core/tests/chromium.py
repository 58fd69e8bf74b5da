"""Debian's Chromium for the browser tests: one launcher with the flags this machine needs."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"  # Playwright's own browser download is impossible here
# Root in a container: no sandbox; no GPU; no background requests to Google's hosts.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking")

# axe-core, vendored (`make vendor`); the site's CSP forbids injected script tags, so its source
# is evaluated in the page through the DevTools protocol.
AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return {
    passes: result.passes.length,
    violations: result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary})),
    })),
  };
}"""


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


# The elements wider than the viewport that are not inside a scroll container of their own.
WIDEST = """() => {
  const clipped = (e) => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  return [...document.querySelectorAll('body *')]
    .filter(e => !clipped(e))
    .map(e => [Math.round(e.getBoundingClientRect().right),
               e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
               (typeof e.className === 'string' && e.className ? '.' + e.className : '')])
    .filter(([right]) => right > window.innerWidth + 0.5)
    .sort((a, b) => b[0] - a[0]).slice(0, 5);
}"""


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_problems(page: Any, where: str) -> list[str]:
    """axe-core's serious and critical WCAG 2.0/2.1 A and AA violations on the page as it is now,
    one line per element (loading axe into the page first if needed); fails if axe checked
    nothing."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate(AXE_RUN, WCAG_TAGS)
    assert result["passes"] > 0, f"{where}: axe checked nothing"
    return [
        f"{where}: {v['impact']} {v['id']} ({v['help']}) at {node['target']}: "
        f"{node['summary'].splitlines()[-1].strip()}"
        for v in result["violations"]
        if v["impact"] in FAILING_IMPACTS
        for node in v["nodes"]
    ]


def sideways_problems(page: Any, where: str) -> list[str]:
    """One line when the page scrolls sideways, naming the widest elements; else none."""
    if page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
        return []
    width = page.evaluate("document.documentElement.scrollWidth")
    return [f"{where}: scrolls sideways ({width}px wide), widest: {page.evaluate(WIDEST)}"]
