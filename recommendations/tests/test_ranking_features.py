"""The ranker learns per feature: artists, moods, Thompson draws of mood, the novelty budget, and
other listeners' ratings that never say who gave them (issue 16)."""

import json
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from recommendations.ranking import (
    DEFAULT_WEIGHTS,
    PICK_SOURCES,
    TOP_PICK_SOURCES,
    RankingInput,
    UserRatings,
    mood_draws,
    rank,
    score_candidates,
    taste_posterior,
    user_mean,
)
from recommendations.rules import MOOD_INDEX
from recommendations.tests.test_ranking import MOOD_DRAWS_ONLY

SAD, CALM = MOOD_INDEX["sad"], MOOD_INDEX["calm"]


def make_input(n: int, **overrides) -> RankingInput:
    values = {
        "target": np.eye(4)[SAD],
        "mood_dist": np.tile(np.eye(4)[SAD] * 0.6 + 0.1, (n, 1)),
        "mood_confidence": np.full(n, 0.7),
        "artist_keys": np.arange(n),
        "user": UserRatings.empty(),
        "crowd_count": np.zeros(n),
        "crowd_stars": np.zeros(n),
        "recent": np.zeros(n),
    }
    values.update(overrides)
    return RankingInput(**values)


def test_a_five_star_song_raises_the_other_songs_of_its_artist() -> None:
    artists = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    before = make_input(9, artist_keys=artists)
    after = make_input(
        9, artist_keys=artists, user=UserRatings(np.array([0]), np.array([5.0]), np.array([True]))
    )
    weights = DEFAULT_WEIGHTS
    old = score_candidates(before, weights=weights, rng=np.random.default_rng(0))
    new = score_candidates(after, weights=weights, rng=np.random.default_rng(0))

    # Songs 1 and 2 were never rated, but share the artist of the ★5.
    assert new["artist"][1] == new["artist"][2] > 0.15
    assert new["artist"][3:].tolist() == [0.0] * 6
    mean_old = old["total"] - old["explore"]
    mean_new = new["total"] - new["explore"]
    assert np.all(mean_new[1:3] > mean_old[1:3] + 0.15)
    assert np.all(mean_new[1:3] > mean_new[3:].max())
    # ...and they make it into a short list that had no room for them before.
    picked = rank(after, n=3, rng=np.random.default_rng(1)).indices
    assert set(picked.tolist()) >= {1, 2}


def test_a_low_rating_lowers_the_artist_for_every_song() -> None:
    artists = np.array([0, 0, 0, 1, 1])
    data = make_input(
        5, artist_keys=artists, user=UserRatings(np.array([0]), np.array([1.0]), np.array([True]))
    )
    terms = score_candidates(data, weights=DEFAULT_WEIGHTS, rng=np.random.default_rng(0))

    assert terms["artist"][1] == terms["artist"][2] < -0.15
    assert terms["artist"][4] == 0


def test_mood_uncertainty_changes_the_draws() -> None:
    n = 500
    dist = np.tile(np.array([0.1, 0.1, 0.7, 0.1]), (n, 1))
    sure = mood_draws(
        dist,
        np.full(n, 0.99),
        prior_strength=1.0,
        concentration=1.0,
        rng=np.random.default_rng(7),
    )
    unsure = mood_draws(
        dist,
        np.full(n, 0.2),
        prior_strength=1.0,
        concentration=1.0,
        rng=np.random.default_rng(7),
    )

    # The same seed and mean, different evidence: the sampled moods spread with the doubt.
    assert abs(sure[:, SAD].mean() - 0.7) < 0.02
    assert abs(unsure[:, SAD].mean() - 0.7) < 0.05
    assert unsure[:, SAD].std() > 3 * sure[:, SAD].std()
    assert not np.allclose(sure, unsure)


def test_mood_uncertainty_changes_the_ranking_variance() -> None:
    n = 40
    dist = np.tile(np.array([0.1, 0.1, 0.7, 0.1]), (n, 1))

    def spread(confidence: float) -> float:
        data = make_input(n, mood_dist=dist, mood_confidence=np.full(n, confidence))
        totals = [
            score_candidates(data, weights=MOOD_DRAWS_ONLY, rng=np.random.default_rng(seed))[
                "total"
            ]
            for seed in range(30)
        ]
        return float(np.std(totals, axis=0).mean())

    assert spread(0.05) > 1.5 * spread(0.95)


def ratings_of(positions: list[int], stars: list[float]) -> UserRatings:
    return UserRatings(
        np.array(positions), np.array(stars, dtype=float), np.ones(len(positions), dtype=bool)
    )


def test_the_novelty_budget_keeps_already_loved_songs_to_three_of_ten() -> None:
    n = 40
    loved = list(range(8))  # eight songs the listener rated ★5 (and ★4), every one a top score
    data = make_input(n, user=ratings_of(loved, [5.0, 4.0] * 4))

    for seed in range(5):
        picked = rank(data, n=10, rng=np.random.default_rng(seed)).indices
        assert len(picked) == 10
        assert len(set(picked.tolist()) & set(loved)) <= 3
        assert len(set(picked.tolist()) & set(loved)) == 3  # the best of them do come back


def test_the_budget_gives_way_only_when_the_library_has_nothing_else() -> None:
    n = 12
    loved = list(range(8))
    data = make_input(n, user=ratings_of(loved, [5.0] * 8))

    picked = rank(data, n=10, rng=np.random.default_rng(0)).indices

    assert len(picked) == 10
    assert set(range(8, 12)) <= set(picked.tolist())  # every other song is used first
    assert len(set(picked.tolist()) & set(loved)) == 6


def test_a_song_rated_low_last_does_not_count_against_the_budget() -> None:
    n = 30
    # Newest first: songs 0-3 were ★5 once, then re-rated ★2: no longer "already loved".
    data = make_input(n, user=ratings_of([0, 1, 2, 3, 0, 1, 2, 3], [2.0] * 4 + [5.0] * 4))
    picked = rank(data, n=10, rng=np.random.default_rng(0)).indices

    assert not set(picked.tolist()) & {0, 1, 2, 3}


def test_pooled_ratings_are_anonymous_aggregates() -> None:
    n = 20
    crowd_count = np.zeros(n)
    crowd_stars = np.zeros(n)
    crowd_count[[3, 4]] = [2, 3]
    crowd_stars[[3, 4]] = [9.0, 14.0]
    data = make_input(n, crowd_count=crowd_count, crowd_stars=crowd_stars)
    ranked = rank(data, rng=np.random.default_rng(5))

    # Whoever the raters were, the ranker's inputs hold only counts and sums, so its outputs are
    # the same; and nothing in them is a person.
    again = rank(
        make_input(n, crowd_count=crowd_count.copy(), crowd_stars=crowd_stars.copy()),
        rng=np.random.default_rng(5),
    )
    assert ranked.indices.tolist() == again.indices.tolist()
    assert set(ranked.components) == {
        "mood_fit",
        "mood_affinity",
        "affinity",
        "artist",
        "pick_source",
        "tag_cluster",
        "crowd",
        "recent",
        "explore",
    }
    for values in ranked.components.values():
        assert values.dtype.kind == "f"
        assert values.shape == (n,)
    json.dumps({k: v.tolist() for k, v in ranked.components.items()})
    assert ranked.components["crowd"][4] > ranked.components["crowd"][3] > 0


def test_the_fast_posterior_is_the_exact_joint_gaussian() -> None:
    """The nested artist/song solve and the small Cholesky equal the dense textbook posterior."""
    rng = np.random.default_rng(3)
    n, r = 30, 25
    dist = rng.dirichlet(np.ones(4), size=n)
    artist, source = rng.integers(0, 6, size=n), rng.integers(0, 7, size=n)
    position, stars = rng.integers(0, n, size=r), rng.integers(1, 6, size=r).astype(float)
    same, emotion, targets = rng.random(r) < 0.5, rng.integers(0, 7, size=r), rng.random((r, 4))
    target = np.array([0.0, 0.0, 1.0, 0.5])
    cluster = rng.integers(-1, 5, size=n)  # five tag clusters, -1: unknown
    cluster[0] = 4
    data = make_input(
        n,
        target=target,
        mood_dist=dist,
        artist_keys=artist,
        artist_codes=artist,
        pick_source=source,
        tag_cluster=cluster,
        user=UserRatings(position, stars, same, emotion=emotion, target=targets),
    )
    w = DEFAULT_WEIGHTS
    post = taste_posterior(
        data, weights=w, rng=np.random.default_rng(0), artist_codes=artist, pick_source=source
    )

    groups: dict[int, int] = {}
    group = [
        0 if s else groups.setdefault(int(e), len(groups) + 1)
        for s, e in zip(same, emotion, strict=True)
    ]
    g = 1 + len(groups)
    blocks = [(4, w.general_mood_sd), (4 * g, w.mood_sd), (7, w.pick_source_sd)]
    blocks += [(5, w.tag_cluster_sd), (6, w.artist_sd), (n, w.track_sd)]
    variance = np.concatenate([np.full(size, sd**2) for size, sd in blocks])
    x, offset = np.zeros((r, len(variance))), np.zeros(r)
    source_prior = np.zeros(7)
    source_prior[list(TOP_PICK_SOURCES)] = w.top_track_stars
    assert w.top_track_stars > 0
    for i in range(r):
        shares = dist[position[i]]
        x[i, :4] = shares
        x[i, 4 + 4 * group[i] : 8 + 4 * group[i]] = shares
        x[i, 4 + 4 * g + source[position[i]]] = 1
        if cluster[position[i]] >= 0:
            x[i, 11 + 4 * g + cluster[position[i]]] = 1
        x[i, 16 + 4 * g + artist[position[i]]] = 1
        x[i, 22 + 4 * g + position[i]] = 1
        rule = target if same[i] else targets[i]
        offset[i] = shares @ (w.rule_stars * (rule - rule.mean()))
        # The top-track sources have a prior mean of their own; the rest start at 0.
        offset[i] += source_prior[source[position[i]]]
    y = stars - user_mean(stars, w) - offset
    kernel = (x * variance) @ x.T + w.noise_sd**2 * np.eye(r)
    mean = variance * (x.T @ np.linalg.solve(kernel, y))

    rule_here = w.rule_stars * (target - target.mean())
    assert np.allclose(post.mood_mean, rule_here + mean[:4] + mean[4:8])
    assert np.allclose(post.source_mean, source_prior + mean[4 + 4 * g : 11 + 4 * g])
    assert np.allclose(post.cluster_mean, mean[11 + 4 * g : 16 + 4 * g])
    assert np.allclose(post.artist_mean, mean[16 + 4 * g : 22 + 4 * g])
    assert np.allclose(post.track_mean, mean[22 + 4 * g :])


class CountingKeys(Sequence):
    """Artist keys that record which candidates were looked at (like services' lazy keys)."""

    def __init__(self, keys: np.ndarray) -> None:
        self.keys, self.read = keys, set()

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, index):  # type: ignore[override]
        self.read.add(int(index))
        return int(self.keys[index])


def test_only_the_rated_songs_and_the_top_candidates_have_their_artist_read() -> None:
    n = 4000
    artists = np.arange(n) // 4
    dist = np.tile(np.eye(4)[SAD] * 0.6 + 0.1, (n, 1))
    dist[:3000] = np.eye(4)[CALM] * 0.6 + 0.1  # the first 3,000 miss the target mood
    keys = CountingKeys(artists)
    rated = UserRatings(np.array([3100, 10]), np.array([5.0, 5.0]), np.array([True, True]))
    data = make_input(n, mood_dist=dist, artist_keys=keys, user=rated)

    ranked = rank(data, rng=np.random.default_rng(0))

    assert len(keys.read) < n // 2
    assert {3100, 10} <= keys.read
    # The ★5 artist's other songs were found among the top ones and lifted into the list.
    assert {3101, 3102, 3103} & set(ranked.indices.tolist())
    assert ranked.artist_codes[3101] == ranked.artist_codes[3100] >= 0


LIKED, TOP = PICK_SOURCES.index("liked"), PICK_SOURCES.index("top_medium")


def test_top_tracks_lead_a_list_before_the_listener_rated_anything() -> None:
    """Spotify's top tracks are what the listener plays most: a prior, not a certainty."""
    n = 40
    source = np.full(n, LIKED)
    source[[7, 19, 33]] = TOP
    data = make_input(n, pick_source=source)

    ranked = rank(data, rng=np.random.default_rng(0))

    assert set(ranked.indices[:3].tolist()) == {7, 19, 33}
    assert np.allclose(
        ranked.components["pick_source"][[7, 19, 33]], DEFAULT_WEIGHTS.top_track_stars
    )
    assert np.allclose(np.delete(ranked.components["pick_source"], [7, 19, 33]), 0.0)
    # Without the prior they are just three of forty equal songs.
    flat = rank(
        data, weights=replace(DEFAULT_WEIGHTS, top_track_stars=0.0), rng=np.random.default_rng(0)
    )
    assert set(flat.indices[:3].tolist()) != {7, 19, 33}


def test_ratings_of_top_tracks_move_the_prior_for_the_other_top_tracks() -> None:
    n = 40
    source = np.full(n, LIKED)
    source[:10] = TOP
    rated = np.arange(5)  # five of the ten top tracks

    def top_taste(stars: float) -> float:
        user = UserRatings(rated, np.full(5, stars), np.ones(5, dtype=bool))
        post = taste_posterior(
            make_input(n, pick_source=source, user=user),
            weights=DEFAULT_WEIGHTS,
            rng=np.random.default_rng(0),
            artist_codes=np.arange(n),
            pick_source=source,
        )
        return float(post.source_mean[TOP])

    prior = DEFAULT_WEIGHTS.top_track_stars
    assert top_taste(1.0) < prior < top_taste(5.0)


def test_a_five_star_song_lifts_the_other_songs_of_its_tag_cluster() -> None:
    """Different artists, same genre family: the rating carries over through the cluster."""
    n = 40
    cluster = np.repeat(np.arange(4), 10)  # songs 0-9 in cluster 0, 10-19 in cluster 1, ...
    user = UserRatings(np.array([12]), np.array([5.0]), np.array([True]))
    data = make_input(n, tag_cluster=cluster, user=user)

    terms = score_candidates(data, weights=DEFAULT_WEIGHTS, rng=np.random.default_rng(0))

    lifted = terms["tag_cluster"]
    assert (lifted[10:20] > 0).all()
    assert np.allclose(lifted[10:20], lifted[11])
    assert np.allclose(np.delete(lifted, np.arange(10, 20)), 0.0)
    # The lift carries every song of the cluster past the others (one artist each, equal moods;
    # posterior means only, as the lift of one rating is small next to a Thompson draw).
    ranked = rank(data, weights=replace(DEFAULT_WEIGHTS, explore=0.0), rng=np.random.default_rng(0))
    assert set(ranked.indices[:9].tolist()) <= set(range(10, 20))
    # Unknown clusters take no part.
    unknown = make_input(n, tag_cluster=np.full(n, -1), user=user)
    quiet = score_candidates(unknown, weights=DEFAULT_WEIGHTS, rng=np.random.default_rng(0))
    assert np.allclose(quiet["tag_cluster"], 0.0)
