"""Unit tests of the in-memory ranker: mood evidence, score terms, diversity, determinism, cold
start (the feature tastes, Thompson draws and novelty budget: test_ranking_features.py)."""

from dataclasses import replace

import numpy as np
import pytest

from feedback.evidence import ratings_mood_evidence
from recommendations.ranking import (
    DEFAULT_WEIGHTS,
    SOURCE_INDEX,
    RankingInput,
    UserRatings,
    diversify,
    mood_distributions,
    rank,
    recent_exposure,
    score_candidates,
)
from recommendations.rules import MOOD_INDEX

HAPPY, ENERGETIC, SAD, CALM = (MOOD_INDEX[m] for m in ("happy", "energetic", "sad", "calm"))


def one_hot(mood: int) -> np.ndarray:
    vector = np.zeros(4)
    vector[mood] = 1.0
    return vector


# Only the mood draws left random (every taste known exactly), untempered (explore 1).
MOOD_DRAWS_ONLY = replace(
    DEFAULT_WEIGHTS,
    explore=1.0,
    general_mood_sd=0.0,
    mood_sd=0.0,
    artist_sd=0.0,
    pick_source_sd=0.0,
    tag_cluster_sd=0.0,
    track_sd=0.0,
)


def make_input(n: int = 6, **overrides) -> RankingInput:
    """n candidates with a uniform, unknown mood and nothing else known about them."""
    values = {
        "target": one_hot(SAD),
        "mood_dist": np.full((n, 4), 0.25),
        "mood_confidence": np.zeros(n),
        "artist_keys": np.arange(n),
        "user": UserRatings.empty(),
        "crowd_count": np.zeros(n),
        "crowd_stars": np.zeros(n),
        "recent": np.zeros(n),
    }
    values.update(overrides)
    return RankingInput(**values)


def evidence(rows: list[tuple[int, int, str, float, float]], n: int):
    track, mood, source, score, weight = zip(*rows, strict=True)
    return mood_distributions(
        n_tracks=n,
        track_index=np.array(track),
        mood_index=np.array(mood),
        source_index=np.array([SOURCE_INDEX[s] for s in source]),
        score=np.array(score),
        weight=np.array(weight),
    )


def test_unknown_tracks_get_the_uniform_prior_and_no_confidence() -> None:
    dist, confidence = evidence([(0, SAD, "curated", 1.0, 1.0)], n=2)

    assert dist[1] == pytest.approx([0.25] * 4)
    assert confidence[1] == 0
    assert dist[0].sum() == pytest.approx(1.0)
    assert dist[0, SAD] > 0.8
    assert confidence[0] > 0


def test_sources_count_curated_over_ratings_over_audio() -> None:
    # The same claim (sad, score 1) from each source in turn.
    dist, confidence = evidence(
        [(0, SAD, "curated", 1.0, 1.0), (1, SAD, "ratings", 1.0, 1.0), (2, SAD, "audio", 1.0, 1.0)],
        n=3,
    )

    assert dist[0, SAD] > dist[1, SAD] > dist[2, SAD] > 0.25
    assert confidence[0] > confidence[1] > confidence[2]


def test_conflicting_evidence_is_settled_by_the_stronger_source() -> None:
    dist, _ = evidence([(0, CALM, "curated", 1.0, 1.0), (0, ENERGETIC, "audio", 1.0, 1.0)], n=1)

    assert dist[0, CALM] > dist[0, ENERGETIC] > dist[0, SAD]


def test_low_scores_lower_a_moods_share() -> None:
    dist, _ = evidence([(0, SAD, "ratings", 0.1, 1.0)], n=1)

    assert dist[0, SAD] < 0.25
    assert dist[0].sum() == pytest.approx(1.0)


def test_rating_evidence_is_shrunk_toward_chance_when_there_are_few_ratings() -> None:
    lift_sad = np.array([0.6, 0.0, 0.0, 1.0])  # happy 0.6, calm 1.0
    score_one, weight_one, _ = ratings_mood_evidence(stars=np.array([5]), targets=lift_sad[None])
    score_many, weight_many, amount = ratings_mood_evidence(
        stars=np.full(10, 5), targets=np.tile(lift_sad, (10, 1))
    )

    assert 0.25 < score_one[CALM] < score_many[CALM] < 1.0
    assert weight_one[CALM] < weight_many[CALM] < 1.0
    assert weight_many[HAPPY] < weight_many[CALM]
    assert amount[SAD] == 0
    low, _, _ = ratings_mood_evidence(stars=np.array([1]), targets=lift_sad[None])
    assert low[CALM] < 0.25


def test_mood_fit_follows_the_target_moods() -> None:
    dist = np.array([one_hot(SAD), one_hot(HAPPY), np.full(4, 0.25)])
    terms = score_candidates(
        make_input(3, mood_dist=dist, mood_confidence=np.array([1.0, 1.0, 0.0])),
        weights=DEFAULT_WEIGHTS,
        rng=np.random.default_rng(0),
    )

    assert terms["mood_fit"] == pytest.approx([1.0, 0.0, 0.25])


def test_affinity_is_the_posterior_taste_for_the_song_itself() -> None:
    ratings = UserRatings(
        position=np.array([0, 1, 2, 2, 2]),
        stars=np.array([5.0, 1.0, 5.0, 5.0, 5.0]),
        same_emotion=np.array([True, True, True, True, True]),
    )
    terms = score_candidates(
        make_input(4, user=ratings), weights=DEFAULT_WEIGHTS, rng=np.random.default_rng(0)
    )
    affinity = terms["affinity"]

    assert affinity[0] > affinity[3] > affinity[1]
    assert affinity[2] > affinity[0]  # three ★5 are surer than one
    assert affinity[3] == 0  # unrated: the prior
    assert affinity.max() < 5.0


def test_ratings_in_another_emotion_count_less() -> None:
    dist = np.array([one_hot(CALM), one_hot(CALM), one_hot(HAPPY)])
    here = UserRatings(np.array([0]), np.array([5.0]), np.array([True]))
    elsewhere = UserRatings(np.array([0]), np.array([5.0]), np.array([False]))
    rng = np.random.default_rng(0)

    same = score_candidates(
        make_input(3, mood_dist=dist, mood_confidence=np.ones(3), user=here),
        weights=DEFAULT_WEIGHTS,
        rng=rng,
    )
    other = score_candidates(
        make_input(3, mood_dist=dist, mood_confidence=np.ones(3), user=elsewhere),
        weights=DEFAULT_WEIGHTS,
        rng=rng,
    )

    # The song itself and calm songs in general gain either way, more from a rating given here.
    assert same["mood_affinity"][1] > other["mood_affinity"][1] > 0
    assert other["affinity"][0] > 0


def test_mood_affinity_carries_a_users_taste_to_unrated_songs_of_that_mood() -> None:
    dist = np.array([one_hot(CALM), one_hot(CALM), one_hot(HAPPY), one_hot(HAPPY)])
    # The user loved the first calm song and disliked the first happy one, in this emotion.
    ratings = UserRatings(np.array([0, 2]), np.array([5.0, 1.0]), np.array([True, True]))
    terms = score_candidates(
        make_input(4, mood_dist=dist, mood_confidence=np.ones(4), user=ratings),
        weights=DEFAULT_WEIGHTS,
        rng=np.random.default_rng(0),
    )

    assert terms["mood_affinity"][1] > 0 > terms["mood_affinity"][3]


def test_crowd_rating_is_shrunk_toward_neutral_with_few_ratings() -> None:
    terms = score_candidates(
        make_input(
            4,
            crowd_count=np.array([0.0, 1.0, 20.0, 20.0]),
            crowd_stars=np.array([0.0, 5.0, 100.0, 20.0]),
        ),
        weights=DEFAULT_WEIGHTS,
        rng=np.random.default_rng(0),
    )
    crowd = terms["crowd"]

    assert crowd[0] == 0
    assert 0 < crowd[1] < crowd[2] < 1
    assert crowd[3] < -0.5


def test_exploration_varies_most_where_least_is_known() -> None:
    n = 2000
    # The first half has sure mood evidence, the second half none.
    confidence = np.r_[np.full(n // 2, 0.95), np.zeros(n // 2)]
    dist = np.tile(np.array([0.1, 0.1, 0.7, 0.1]), (n, 1))
    dist[n // 2 :] = 0.25
    terms = score_candidates(
        make_input(n, mood_dist=dist, mood_confidence=confidence),
        weights=MOOD_DRAWS_ONLY,
        rng=np.random.default_rng(1),
    )
    explore = terms["explore"]

    assert abs(explore.mean()) < 0.05
    assert explore[n // 2 :].std() > 1.2 * explore[: n // 2].std()


def test_recently_shown_songs_are_penalised_by_age() -> None:
    exposure = recent_exposure([np.array([0, 1]), np.array([1, 2])], n_tracks=4, decay=0.5)

    assert exposure == pytest.approx([1.0, 1.5, 0.5, 0.0])
    terms = score_candidates(
        make_input(4, recent=exposure), weights=DEFAULT_WEIGHTS, rng=np.random.default_rng(0)
    )
    totals = terms["total"] - terms["explore"]
    assert totals[3] > totals[2] > totals[0] > totals[1]


def test_diversify_keeps_at_most_two_songs_per_artist() -> None:
    artists = np.array([7, 7, 7, 7, 3, 3, 3, 5])
    picked = diversify(np.arange(8), artists, n=5, per_artist=2)

    assert picked.tolist() == [0, 1, 4, 5, 7]


def test_diversify_fills_from_skipped_songs_when_the_library_is_too_small() -> None:
    picked = diversify(np.arange(4), np.zeros(4, dtype=int), n=3, per_artist=2)

    assert picked.tolist() == [0, 1, 2]


def test_rank_caps_artists_in_the_top_ten() -> None:
    n = 40
    artists = np.arange(n) // 5  # 8 artists with 5 songs each
    dist = np.tile(one_hot(SAD), (n, 1))
    ranked = rank(
        make_input(n, mood_dist=dist, mood_confidence=np.ones(n), artist_keys=artists),
        n=10,
        rng=np.random.default_rng(3),
    )

    assert len(ranked.indices) == 10
    assert np.bincount(artists[ranked.indices]).max() <= 2


def test_rank_is_deterministic_for_a_seed() -> None:
    data = make_input(30, artist_keys=np.arange(30))

    first = rank(data, rng=np.random.default_rng(42)).indices
    again = rank(data, rng=np.random.default_rng(42)).indices
    other = rank(data, rng=np.random.default_rng(43)).indices

    assert first.tolist() == again.tolist()
    assert first.tolist() != other.tolist()


def test_cold_start_when_most_picks_have_no_mood_evidence() -> None:
    assert rank(make_input(12), rng=np.random.default_rng(0)).cold_start
    one_known = make_input(12, mood_confidence=np.r_[0.5, np.zeros(11)])
    assert rank(one_known, rng=np.random.default_rng(0)).cold_start
    mostly_known = make_input(12, mood_confidence=np.r_[np.full(8, 0.5), np.zeros(4)])
    assert not rank(mostly_known, rng=np.random.default_rng(0)).cold_start
