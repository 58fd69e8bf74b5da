"""The star-rating widget for a recommended song: {% star_rating item stars %}."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("feedback/_stars.html")
def star_rating(item: Any, stars: int | None = None) -> dict[str, Any]:
    return {"item": item, "stars": stars, "choices": range(1, 6)}
