"""What feedback needs from the layer above it, provided by `recommendations` when it starts.

Feedback sits below recommendations (recommendations ranks with ratings), yet a rating is of a
recommended item, and ratings evidence depends on the emotion -> mood rules. Recommendations
registers both here in its AppConfig.ready(), so no feedback module imports recommendations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

RuleTable = dict[tuple[str, str], np.ndarray]


@dataclass(frozen=True)
class RatedItem:
    """A recommended song as a rating sees it."""

    pk: int
    track_id: int
    track_name: str
    recommendation_id: int
    user_id: int
    emotion: str
    strategy: str


_providers: dict[str, Callable[..., Any]] = {}


def provide(
    *,
    rule_targets: Callable[[], RuleTable],
    rated_item: Callable[..., RatedItem | None],
) -> None:
    """Register the rule table and the item lookup (called once per process)."""
    _providers["rule_targets"] = rule_targets
    _providers["rated_item"] = rated_item


def _provider(name: str) -> Callable[..., Any]:
    try:
        return _providers[name]
    except KeyError:
        raise RuntimeError(
            f"feedback.ports.{name} has no provider: is `recommendations` in INSTALLED_APPS?"
        ) from None


def rule_targets() -> RuleTable:
    """Target mood vectors for every (emotion, strategy)."""
    return _provider("rule_targets")()


def rated_item(*, pk: int, user_id: int | None = None) -> RatedItem | None:
    """The recommended item `pk` (only if recommended to `user_id`, when given)."""
    return _provider("rated_item")(pk=pk, user_id=user_id)
