"""The star-rating widget for a recommended song: {% star_rating item stars earlier %}.

`earlier` says the stars are the listener's rating of the same song in an earlier list (shown
pre-filled; choosing other stars rates it in this list).
"""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("feedback/_stars.html")
def star_rating(item: Any, stars: int | None = None, earlier: bool = False) -> dict[str, Any]:
    return {
        "item": item,
        "stars": stars,
        "earlier": bool(stars) and earlier,
        "choices": range(1, 6),
    }
