"""In-memory ranking over NumPy arrays: mood fit, affinity, crowd, exploration, recency, diversity.

Pure functions with no database access, shared by `services.recommendation_create` and the offline
simulation in `bench/recommendations.py`, so the benchmark measures the code that ships.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np

from library.moodspace import MOODS

N_MOODS = len(MOODS)

# Evidence sources, strongest first (ARCHITECTURE.md "Where a track's mood comes from").
# Strength is reliability: the listener's own word (quick sort) and their playlists' names beat a
# curator, a curator beats crowd tags, tags beat pooled ratings, and an artist's tags say least.
SOURCES: tuple[str, ...] = (
    "sorted",
    "playlists",
    "curated",
    "tags",
    "ratings",
    "artist_tags",
    "audio",
)
SOURCE_INDEX: dict[str, int] = {source: index for index, source in enumerate(SOURCES)}
SOURCE_STRENGTH = np.array([8.0, 5.0, 3.0, 2.5, 2.0, 1.0, 1.0])
# A list is exploratory (cold start) when fewer than this share of its picks have mood evidence.
COLD_START_SHARE = 0.5

NEUTRAL_STARS = 3.0


@dataclass(frozen=True)
class RankingWeights:
    """Weights of the score terms and the priors behind them."""

    mood_fit: float = 1.0
    affinity: float = 1.2
    mood_affinity: float = 1.0
    crowd: float = 0.5
    explore: float = 0.6
    recent: float = 0.3
    per_artist: int = 2
    # Pseudo-count of the uniform prior over moods: how much evidence it takes to be sure.
    mood_prior_strength: float = 1.0
    # How much a rating given in another emotion counts towards a track's affinity now.
    other_emotion_weight: float = 0.5
    # Pseudo-counts of the Bayesian averages (in ratings) and of the Beta priors.
    user_prior_strength: float = 5.0
    track_prior_strength: float = 1.0
    mood_affinity_prior_strength: float = 2.0
    beta_prior: float = 2.0
    # How much other listeners' ratings narrow the exploration posterior of a track for this user.
    crowd_in_posterior: float = 0.5
    # Exposure in the k-th most recent recommendation counts recent_decay**k.
    recent_decay: float = 0.5


DEFAULT_WEIGHTS = RankingWeights()
# Baseline of the offline benchmark: rank by mood fit only (ties broken at random).
MOOD_FILTER_WEIGHTS = RankingWeights(
    affinity=0.0, mood_affinity=0.0, crowd=0.0, explore=0.0, recent=0.0
)


@dataclass
class UserRatings:
    """One user's own ratings; `position` is the candidate index of the rated track (-1: none)."""

    position: np.ndarray
    stars: np.ndarray
    same_emotion: np.ndarray

    @classmethod
    def empty(cls) -> UserRatings:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=bool))


@dataclass
class RankingInput:
    """Everything the ranker knows about the candidates, aligned by candidate index."""

    target: np.ndarray  # (4,) rule weights per mood, MOODS order
    mood_dist: np.ndarray  # (N, 4) each row sums to 1
    mood_confidence: np.ndarray  # (N,) 0 = no evidence at all
    artist_keys: Sequence  # (N,) hashable, equal for tracks by the same (first) artist
    user: UserRatings
    crowd_count: np.ndarray  # (N,) other listeners who rated the track in this emotion
    crowd_stars: np.ndarray  # (N,) the sum of their (average) stars
    recent: np.ndarray  # (N,) decayed exposure in the user's latest recommendations

    @property
    def size(self) -> int:
        return len(self.mood_confidence)


@dataclass
class Ranked:
    """The picked candidate indices in order, with every candidate's score and its terms."""

    indices: np.ndarray
    score: np.ndarray
    components: dict[str, np.ndarray] = field(default_factory=dict)
    cold_start: bool = False


def mood_distributions(
    *,
    n_tracks: int,
    track_index: np.ndarray,
    mood_index: np.ndarray,
    source_index: np.ndarray,
    score: np.ndarray,
    weight: np.ndarray,
    prior_strength: float = DEFAULT_WEIGHTS.mood_prior_strength,
) -> tuple[np.ndarray, np.ndarray]:
    """Each track's mood distribution and confidence from its evidence rows.

    Every row is a soft vote of mass strength(source) * weight: `score` of it for its mood and the
    rest spread over the other three, so weak or negative evidence lowers a mood's share. A
    uniform prior of `prior_strength` votes keeps unknown tracks at 1/4 each with confidence 0.
    """
    mass = SOURCE_STRENGTH[source_index] * weight
    for_mood = mass * score
    for_others = mass * (1.0 - score) / (N_MOODS - 1)
    votes = np.bincount(
        track_index * N_MOODS + mood_index,
        weights=for_mood - for_others,
        minlength=n_tracks * N_MOODS,
    ).reshape(n_tracks, N_MOODS)
    votes += np.bincount(track_index, weights=for_others, minlength=n_tracks)[:, None]
    total = np.bincount(track_index, weights=mass, minlength=n_tracks)
    dist = (votes + prior_strength / N_MOODS) / (total + prior_strength)[:, None]
    confidence = total / (total + prior_strength)
    return dist, confidence


def bayesian_average(
    total: np.ndarray, count: np.ndarray | np.floating, prior_mean: float, prior_strength: float
) -> np.ndarray:
    return (prior_mean * prior_strength + total) / (prior_strength + count)


def user_mean(stars: np.ndarray, weights: RankingWeights) -> float:
    """The user's own average rating, shrunk toward neutral while they have rated little."""
    return float(
        bayesian_average(
            np.sum(stars), np.float64(len(stars)), NEUTRAL_STARS, weights.user_prior_strength
        )
    )


def score_candidates(
    data: RankingInput, *, weights: RankingWeights, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Every score term for every candidate, and their weighted `total`."""
    n = data.size
    ratings = data.user
    mean = user_mean(ratings.stars, weights)
    rated = ratings.position >= 0
    position = ratings.position[rated]
    stars = ratings.stars[rated]
    context = np.where(ratings.same_emotion[rated], 1.0, weights.other_emotion_weight)

    # Mood fit: the track's mood distribution against the rule's target moods.
    mood_fit = data.mood_dist @ data.target

    # Affinity: the user's own ratings of this track (Bayesian average around their mean).
    track_total = np.bincount(position, weights=context * stars, minlength=n)
    track_count = np.bincount(position, weights=context, minlength=n)
    affinity = (
        bayesian_average(track_total, track_count, mean, weights.track_prior_strength) - mean
    ) / 2.0

    # Mood affinity: how this user rates each music mood in this emotion, applied by mood share.
    same = ratings.same_emotion[rated]
    shares = data.mood_dist[position[same]]
    mood_total = shares.T @ stars[same]
    mood_count = shares.sum(axis=0)
    per_mood = (
        bayesian_average(mood_total, mood_count, mean, weights.mood_affinity_prior_strength) - mean
    ) / 2.0
    mood_affinity = data.mood_dist @ per_mood

    # Crowd: other listeners' ratings in this emotion, a Beta posterior shrunk toward 1/2.
    crowd_good = (data.crowd_stars - data.crowd_count) / 4.0
    crowd_bad = data.crowd_count - crowd_good
    crowd_mean = (weights.beta_prior + crowd_good) / (2 * weights.beta_prior + data.crowd_count)
    crowd = 2.0 * (crowd_mean - 0.5)

    # Exploration: a Thompson draw from the Beta posterior of "this user likes it here", minus
    # its mean, so the total is posterior-mean terms plus a draw that is widest where we know least.
    user_good = track_total / 4.0 - track_count / 4.0
    user_bad = track_count - user_good
    alpha = weights.beta_prior + user_good + weights.crowd_in_posterior * crowd_good
    beta = weights.beta_prior + user_bad + weights.crowd_in_posterior * crowd_bad
    explore = rng.beta(alpha, beta) - alpha / (alpha + beta) if weights.explore else np.zeros(n)

    recent = data.recent
    total = (
        weights.mood_fit * mood_fit
        + weights.affinity * affinity
        + weights.mood_affinity * mood_affinity
        + weights.crowd * crowd
        + weights.explore * explore
        - weights.recent * recent
    )
    return {
        "mood_fit": mood_fit,
        "affinity": affinity,
        "mood_affinity": mood_affinity,
        "crowd": crowd,
        "explore": explore,
        "recent": recent,
        "total": total,
    }


def diversify(order: np.ndarray, artist_keys: Sequence, *, n: int, per_artist: int) -> np.ndarray:
    """The first `n` of `order` with at most `per_artist` tracks per artist.

    `artist_keys[i]` is any hashable naming candidate i's artist; it is only read for the
    candidates visited (a `prefetch(indices)` method, if it has one, hears of the likely ones
    first). When the library is too small to honour the cap, the best skipped tracks
    fill the rest.
    """
    prefetch = getattr(artist_keys, "prefetch", None)
    if prefetch is not None:
        prefetch(order[: max(10 * n, 100)])
    picked: list[int] = []
    skipped: list[int] = []
    per_key: dict[Hashable, int] = {}
    for index in order.tolist():
        key = artist_keys[index]
        key = key.item() if isinstance(key, np.generic) else key
        if per_key.get(key, 0) < per_artist:
            per_key[key] = per_key.get(key, 0) + 1
            picked.append(index)
            if len(picked) == n:
                break
        else:
            skipped.append(index)
    if len(picked) < n:
        picked += skipped[: n - len(picked)]
    return np.array(picked, dtype=np.int64)


def rank(
    data: RankingInput,
    *,
    n: int = 10,
    weights: RankingWeights = DEFAULT_WEIGHTS,
    rng: np.random.Generator,
) -> Ranked:
    """Score, sort (random tie-break) and diversify; cold start when most picks lack evidence."""
    components = score_candidates(data, weights=weights, rng=rng)
    total = components.pop("total")
    order = np.lexsort((rng.random(data.size), -total))
    indices = diversify(order, data.artist_keys, n=n, per_artist=weights.per_artist)
    return Ranked(
        indices=indices,
        score=total,
        components=components,
        cold_start=bool(
            len(indices) == 0 or np.mean(data.mood_confidence[indices] > 0) < COLD_START_SHARE
        ),
    )


def recent_exposure(
    shown: list[np.ndarray], *, n_tracks: int, decay: float = DEFAULT_WEIGHTS.recent_decay
) -> np.ndarray:
    """Decayed exposure per candidate; `shown[k]` holds the candidate indices of the k-th latest."""
    exposure = np.zeros(n_tracks)
    for age, indices in enumerate(shown):
        indices = indices[indices >= 0]
        exposure[indices] += decay**age
    return exposure
