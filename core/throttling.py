"""Telling a throttled visitor, in words, when to try again (pages and API errors alike)."""

from __future__ import annotations

import math

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

DEFAULT_THROTTLED_MESSAGE = "Too many requests. You can try again in {wait}."


def wait_in_words(seconds: float | None) -> str:
    """A wait as people say it: "a few seconds", "about a minute", "about 47 minutes",
    "about an hour", "about 95 minutes", "about 3 hours" (rounded up: the promise holds)."""
    seconds = max(0.0, float(seconds or 0))
    if seconds < 10:
        return "a few seconds"
    if seconds < 60:
        return "less than a minute"
    minutes = math.ceil(seconds / 60)
    if minutes == 1:
        return "about a minute"
    if minutes == 60:
        return "about an hour"
    if minutes < 120:
        return f"about {minutes} minutes"
    return f"about {math.ceil(seconds / 3600)} hours"


def throttled_message(wait: float | None, template: str = DEFAULT_THROTTLED_MESSAGE) -> str:
    """`template` with `{wait}` filled in words, e.g. "You can upload again in about 47 minutes."""
    return template.format(wait=wait_in_words(wait))


def too_many_requests(
    request: HttpRequest,
    *,
    wait: float | None,
    message: str,
    retry_text: str,
    title: str = "Too many requests",
    back_url: str = "",
    back_label: str = "",
) -> HttpResponse:
    """The 429 page (templates/429.html) with a Retry-After header."""
    response = render(
        request,
        "429.html",
        {
            "title": title,
            "message": message,
            "retry_text": retry_text,
            "back_url": back_url,
            "back_label": back_label,
        },
        status=429,
    )
    response.headers["Retry-After"] = str(max(1, math.ceil(wait or 0)))
    return response
