"""Template filters for the library page."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def thousands(value: Any) -> str:
    """1200 → "1,200" (anything that is not a number is shown as it is)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)
