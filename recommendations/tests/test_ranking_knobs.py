"""Knobs tried in issue 16's third pass (kept off by default: flat on the tuning seeds).

Each must do what its name says when switched on, so `--tune` measures what it claims to."""

from dataclasses import replace

import numpy as np
import pytest

from recommendations.ranking import (
    DEFAULT_WEIGHTS,
    RankingInput,
    UserRatings,
    diversify,
    rank,
    taste_posterior,
    temperature,
)
from recommendations.rules import MOOD_INDEX

SAD, HAPPY = MOOD_INDEX["sad"], MOOD_INDEX["happy"]


def test_a_loved_artist_may_have_three_songs_and_others_keep_two() -> None:
    artists = np.array([7, 7, 7, 7, 8, 8, 8, 9, 9, 9])
    order = np.arange(10)

    picked = diversify(
        order, artists, n=6, per_artist=2, loved=frozenset({7}), per_loved_artist=3
    ).tolist()

    assert picked == [0, 1, 2, 4, 5, 7]
    assert diversify(order, artists, n=6, per_artist=2).tolist() == [0, 1, 4, 5, 7, 8]


def test_rank_loosens_the_cap_only_for_artists_rated_four_stars_or_more() -> None:
    n = 12
    artists = np.repeat([0, 1, 2, 3], 3)
    data = RankingInput(
        target=np.eye(4)[SAD],
        mood_dist=np.tile(np.eye(4)[SAD] * 0.6 + 0.1, (n, 1)),
        mood_confidence=np.full(n, 0.7),
        artist_keys=artists,
        # Loved artist 0 (song 0, 5 stars); artist 1 rated 2 stars (song 3).
        user=UserRatings(np.array([0, 3]), np.array([5.0, 2.0]), np.array([True, True])),
        crowd_count=np.zeros(n),
        crowd_stars=np.zeros(n),
        recent=np.zeros(n),
    )
    weights = replace(DEFAULT_WEIGHTS, per_loved_artist=3, explore=0.0)

    picked = rank(data, n=8, weights=weights, rng=np.random.default_rng(0)).indices
    per_artist = np.bincount(artists[picked], minlength=4)

    assert per_artist[0] == 3
    assert per_artist[1:].max() <= 2


def test_the_temperature_shrinks_as_the_listener_rates() -> None:
    weights = replace(DEFAULT_WEIGHTS, explore=0.02, explore_start=0.4, explore_ratings=10.0)

    temperatures = [temperature(count, weights) for count in (0, 10, 100, 10_000)]

    assert temperatures[0] == pytest.approx(0.42)
    assert temperatures[1] == pytest.approx(0.22)
    assert temperatures[0] > temperatures[1] > temperatures[2] > temperatures[3] > 0.02
    assert temperature(5, DEFAULT_WEIGHTS) == DEFAULT_WEIGHTS.explore


def test_other_rule_scales_the_rule_prior_of_ratings_from_other_emotions() -> None:
    n = 4
    mood_dist = np.array([np.eye(4)[m] * 0.7 + 0.075 for m in (HAPPY, HAPPY, SAD, SAD)])
    data = RankingInput(
        target=np.eye(4)[SAD],
        mood_dist=mood_dist,
        mood_confidence=np.full(n, 0.9),
        artist_keys=np.arange(n),
        # A 5-star happy song, rated in another emotion whose rule wanted happy songs.
        user=UserRatings(
            np.array([0]),
            np.array([5.0]),
            np.array([False]),
            emotion=np.array([3]),
            target=np.eye(4)[[HAPPY]],
        ),
        crowd_count=np.zeros(n),
        crowd_stars=np.zeros(n),
        recent=np.zeros(n),
    )

    def happy_taste(other_rule: float) -> float:
        weights = replace(DEFAULT_WEIGHTS, other_rule=other_rule)
        posterior = taste_posterior(
            data,
            weights=weights,
            rng=np.random.default_rng(0),
            artist_codes=None,
            pick_source=None,
        )
        return float(posterior.mood_mean[HAPPY])

    # With the rule as prior, the rule explains part of the 5 stars; without it, all of it is
    # the listener's own liking of happy songs, which carries over to this emotion.
    assert happy_taste(0.0) > happy_taste(1.0) + 0.05
