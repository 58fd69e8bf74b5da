"""In-memory ranking over NumPy arrays: a listener's taste per feature, Thompson-sampled.

Pure functions with no database access, shared by `services.recommendation_create` and the offline
simulation in `bench/recommendations.py`, so the benchmark measures the code that ships.

The model (docs/ARCHITECTURE.md "Ranking"): a listener's stars for a song, minus their own mean,
are a sum of tastes for the song's features, each a Gaussian with an honest prior:

- a taste for each music mood in this emotion (prior: the curators' rule, `rule_stars` for a full
  match) plus a taste for each mood in any emotion (prior 0), applied by the song's mood mix;
- a taste for its (first) artist, for its tag cluster (a genre family read from its Last.fm
  tags), for how it got into the library (liked, top tracks, playlists: the source of the pick),
  and for the song itself; all with prior 0, except Spotify's top tracks
  (what the listener plays most: `top_track_stars`), so a listener who never rated anything
  still gets their favourites in the right mood first.

Every rating of the listener updates every one of these at once (an exact Gaussian posterior), so
one ★5 moves every song by the same artist and, a little, every song of the same mood and of
the same tag cluster (genre family, `library.tagclusters`).

Thompson sampling draws both sides: the listener's tastes from their joint posterior (Matheron's
rule: a prior draw corrected by the ratings) and each song's mood mix from a Dirichlet over its
mood evidence (source-weighted votes plus the uniform prior). The score is the expected reward
under those draws, plus other listeners' ratings (aggregated, never per person) minus recency.
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
# How a song got into the library (library.models.LibraryEntry.SOURCE_FIELDS order); a song
# with several flags counts under the first in PICK_SOURCE_PRECEDENCE. The last code is "none of
# these".
PICK_SOURCES: tuple[str, ...] = (
    "liked",
    "top_short",
    "top_medium",
    "top_long",
    "recent",
    "playlist",
)
NO_PICK_SOURCE = len(PICK_SOURCES)
# A song with several flags counts under the first of these: the most telling one. Spotify's top
# tracks are what the listener plays most; most of them are liked songs too.
PICK_SOURCE_PRECEDENCE: tuple[str, ...] = (
    "top_short",
    "top_medium",
    "top_long",
    "recent",
    "liked",
    "playlist",
)
# Spotify's top tracks of the last 4 weeks, 6 months and year: what the listener plays most.
TOP_PICK_SOURCES: tuple[int, ...] = tuple(
    PICK_SOURCES.index(name) for name in ("top_short", "top_medium", "top_long")
)
# A list is exploratory (cold start) when fewer than this share of its picks have mood evidence.
COLD_START_SHARE = 0.5

NEUTRAL_STARS = 3.0
# The taste posterior reads at most this many of the listener's newest ratings (its cost is
# linear in them).
MAX_RATINGS = 2000
# Artist tastes are looked up for at most this many of the best candidates (score_candidates).
POOL_MAX = 2500
# A song the listener rated at least this (latest rating) counts against the novelty budget.
KNOWN_GOOD_STARS = 4.0


@dataclass(frozen=True)
class RankingWeights:
    """Priors of the taste model (in stars) and the weights of the terms outside it.

    Tuned on the simulation's tuning seeds only (`python -m bench.recommendations --tune`), never
    on the seeds it reports.
    """

    # Prior mean of the taste for a mood in this emotion: a full rule match is worth this many
    # stars over the listener's average song; the spread says how far a listener may differ.
    rule_stars: float = 1.0
    mood_sd: float = 0.7
    # Taste for a mood whatever the emotion (ratings in other emotions teach this part only).
    general_mood_sd: float = 0.7
    artist_sd: float = 0.9
    pick_source_sd: float = 0.2
    # Taste for a tag cluster (a genre family from Last.fm tags): one ★5 on an indie song lifts
    # the listener's other indie songs a little (0.2 to 0.6 were flat on the tuning seeds).
    tag_cluster_sd: float = 0.2
    track_sd: float = 1.5
    # Spread of a rating around what the tastes predict.
    noise_sd: float = 0.6
    # Other listeners' ratings in this emotion: stars per unit of their Beta posterior's lean.
    crowd: float = 0.5
    beta_prior: float = 2.0
    # Stars taken off per unit of decayed exposure in the latest lists.
    recent: float = 0.3
    recent_decay: float = 0.5
    per_artist: int = 2
    # The cap for an artist the listener rated >= KNOWN_GOOD_STARS ("more from an artist you love").
    per_loved_artist: int = 2
    # At most this share of a list may be songs the listener already rated >= KNOWN_GOOD_STARS.
    novelty_budget: float = 0.3
    # Pseudo-count of the uniform prior over moods: how much evidence it takes to be sure. Tag
    # moods agree with the reference only about half the time (bench.track_moods), so one tag
    # vote (mass about 1-2) should not be near-certain: 2 beat 1 on the tuning seeds (issue 16).
    mood_prior_strength: float = 1.0
    # Thompson sampling's temperature: taste draws are mean + explore * (draw - mean), and the
    # mood draw's Dirichlet concentration is divided by explore**2 (0: posterior means only).
    explore: float = 0.02
    # Extra temperature for a listener with few ratings: explore_start * k / (k + their ratings).
    explore_start: float = 0.0
    explore_ratings: float = 10.0
    # How much of the curators' rule counts as the prior for ratings given in other emotions.
    other_rule: float = 1.0
    # Shrinks the user's own average toward neutral while they have rated little.
    user_prior_strength: float = 5.0
    # Prior mean of the taste for a song among the listener's Spotify top tracks (any range):
    # what they play most, they probably like (bench/recommendations.py "top tracks").
    top_track_stars: float = 0.5


DEFAULT_WEIGHTS = RankingWeights()


@dataclass
class UserRatings:
    """One user's own ratings, newest first; `position` is the candidate index of the rated
    track (-1: not in the library)."""

    position: np.ndarray
    stars: np.ndarray
    same_emotion: np.ndarray
    # (R,) an emotion code per rating (ratings in the same emotion share that emotion's own mood
    # taste); None: every other emotion counts as one.
    emotion: np.ndarray | None = None
    # (R, 4) the rule targets the rating was given under (its emotion and strategy), the prior
    # mean of its mood taste; None: this emotion's for ratings given in it, none for the others.
    target: np.ndarray | None = None

    @classmethod
    def empty(cls) -> UserRatings:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=bool))


@dataclass
class RankingInput:
    """Everything the ranker knows about the candidates, aligned by candidate index.

    Other listeners appear only as per-track aggregates (`crowd_count`, `crowd_stars`) and inside
    the pooled mood evidence: nothing here says who rated.
    """

    target: np.ndarray  # (4,) rule weights per mood, MOODS order
    mood_dist: np.ndarray  # (N, 4) each row sums to 1
    mood_confidence: np.ndarray  # (N,) 0 = no evidence at all
    artist_keys: Sequence  # (N,) hashable, equal for tracks by the same (first) artist
    user: UserRatings
    crowd_count: np.ndarray  # (N,) other listeners who rated the track in this emotion
    crowd_stars: np.ndarray  # (N,) the sum of their (average) stars
    recent: np.ndarray  # (N,) decayed exposure in the user's latest recommendations
    # (N,) integer artist codes for the artist taste (-1: none); None: read from `artist_keys`,
    # for the rated songs and the candidates near the top only.
    artist_codes: np.ndarray | None = None
    pick_source: np.ndarray | None = None  # (N,) index into PICK_SOURCES, NO_PICK_SOURCE: none
    # (N,) the track's tag cluster (library.tagclusters.CLUSTERS index, from its Last.fm tags or
    # its artist's), -1: unknown.
    tag_cluster: np.ndarray | None = None

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
    # (N,) the artist code of each candidate whose artist the listener rated, else -1 (see
    # `score_candidates`: only candidates near the top are looked at).
    artist_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


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
    `dist * (total + prior)` are the Dirichlet counts that `mood_draws` samples from.
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


def mood_draws(
    dist: np.ndarray,
    confidence: np.ndarray,
    *,
    prior_strength: float,
    concentration: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """One mood mix per track from the Dirichlet over its evidence (votes + uniform prior).

    The counts are recovered from `mood_distributions`' output: total + prior =
    prior / (1 - confidence). `concentration` scales them (Thompson's temperature).
    """
    counts = prior_strength / np.maximum(1.0 - confidence, 1e-9)
    alpha = np.maximum(dist * (counts * concentration)[:, None], 1e-6)
    draws = rng.standard_gamma(alpha)
    total = draws.sum(axis=1, keepdims=True)
    # A draw can underflow to all zeros when every alpha is tiny: fall back to the mean.
    return np.where(total > 0, draws / np.where(total > 0, total, 1.0), dist)


def user_mean(stars: np.ndarray, weights: RankingWeights) -> float:
    """The user's own average rating, shrunk toward neutral while they have rated little."""
    strength = weights.user_prior_strength
    return float((NEUTRAL_STARS * strength + np.sum(stars)) / (strength + len(stars)))


def _codes(values: Sequence | np.ndarray | None, n: int) -> np.ndarray | None:
    if values is None:
        return None
    if isinstance(values, np.ndarray):
        return np.unique(values, return_inverse=True)[1].reshape(-1).astype(np.int64)
    return None


@dataclass
class TastePosterior:
    """The listener's taste posterior in this emotion: means and one Thompson draw per feature.

    `mood` is (4,) the taste per mood here (the rule, plus the general part, plus this emotion's
    own part); the others are per artist code, per pick source and per candidate.
    """

    mood_mean: np.ndarray
    mood_draw: np.ndarray
    artist_mean: np.ndarray
    artist_draw: np.ndarray
    source_mean: np.ndarray
    source_draw: np.ndarray
    track_mean: np.ndarray
    track_draw: np.ndarray
    cluster_mean: np.ndarray = field(default_factory=lambda: np.zeros(0))
    cluster_draw: np.ndarray = field(default_factory=lambda: np.zeros(0))


def _segment_sums(values: np.ndarray, starts: np.ndarray, inverse: np.ndarray) -> np.ndarray:
    """Per-row sums over each row's segment (rows sorted so every segment is contiguous)."""
    return np.add.reduceat(values, starts, axis=0)[inverse]


def _cholesky_solve(matrix: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve a small symmetric positive definite system without LAPACK.

    The matrix has one row per dense feature (a few dozen at most). NumPy's solver would hand it
    to a multithreaded BLAS whose thread start-up costs far more than the arithmetic here.
    """
    m = len(matrix)
    lower = np.zeros_like(matrix)
    for j in range(m):
        row = lower[j, :j]
        lower[j, j] = np.sqrt(max(matrix[j, j] - float(np.dot(row, row)), 1e-12))
        below = (matrix[j + 1 :, j] - (lower[j + 1 :, :j] * row).sum(axis=1)) / lower[j, j]
        lower[j + 1 :, j] = below
    forward = np.zeros_like(rhs)
    for j in range(m):
        forward[j] = (rhs[j] - (lower[j, :j, None] * forward[:j]).sum(axis=0)) / lower[j, j]
    solution = np.zeros_like(rhs)
    for j in reversed(range(m)):
        rest = (lower[j + 1 :, j, None] * solution[j + 1 :]).sum(axis=0)
        solution[j] = (forward[j] - rest) / lower[j, j]
    return solution


def taste_posterior(
    data: RankingInput,
    *,
    weights: RankingWeights,
    rng: np.random.Generator,
    artist_codes: np.ndarray | None,
    pick_source: np.ndarray | None,
) -> TastePosterior:
    """The exact Gaussian posterior of the listener's tastes given their ratings, and a draw.

    A rating minus the user's mean is `x . (rule_e + g + d_e) + s + a + t + noise`: x is the
    rated song's expected mood mix (a soft assignment, never its top mood alone), rule_e the
    curators' rule for the emotion it was given in (a fixed prior mean), g the listener's mood
    taste whatever the emotion, d_e their own departure in emotion e (shrunk toward g: a
    hierarchy), s the pick source's taste, a the artist's and t the song's. All Gaussian, a
    priori independent.

    The artist and song tastes are integrated out exactly: songs nest in artists, so their
    covariance is block diagonal and its inverse takes two nested Sherman-Morrison steps over
    grouped sums (linear in the ratings). What is left is a dense system over the few mood and
    source features, solved by a small Cholesky. The draw uses Matheron's rule: a prior draw
    corrected by the same operator against its own simulated ratings is an exact posterior draw.
    Artists the listener never rated keep their prior (0) and no draw.
    """
    n = data.size
    rule = weights.rule_stars * (data.target - data.target.mean())
    n_artists = int(artist_codes.max()) + 1 if artist_codes is not None and n else 0
    artist_sd = weights.artist_sd if artist_codes is not None else 0.0
    source_sd = weights.pick_source_sd if pick_source is not None else 0.0
    g_draw = weights.general_mood_sd * rng.standard_normal(N_MOODS)
    d_draw = weights.mood_sd * rng.standard_normal(N_MOODS)  # this emotion's own part
    source_draw = source_sd * rng.standard_normal(NO_PICK_SOURCE + 1)
    track_draw = weights.track_sd * rng.standard_normal(n)
    clusters = data.tag_cluster
    n_clusters = int(clusters.max()) + 1 if clusters is not None and n else 0
    cluster_sd = weights.tag_cluster_sd
    cluster_draw = cluster_sd * rng.standard_normal(n_clusters)
    source_prior = np.zeros(NO_PICK_SOURCE + 1)
    if pick_source is not None:
        source_prior[list(TOP_PICK_SOURCES)] = weights.top_track_stars
    posterior = TastePosterior(
        mood_mean=rule.copy(),
        mood_draw=rule + g_draw + d_draw,
        artist_mean=np.zeros(n_artists),
        artist_draw=np.zeros(n_artists),
        source_mean=source_prior.copy(),
        source_draw=source_prior + source_draw,
        track_mean=np.zeros(n),
        track_draw=track_draw,
        cluster_mean=np.zeros(n_clusters),
        cluster_draw=cluster_draw.copy(),
    )
    ratings = data.user
    known = ratings.position >= 0
    known &= np.cumsum(known) <= MAX_RATINGS  # ratings are newest first
    if not known.any():
        return posterior
    position = ratings.position[known]
    same = ratings.same_emotion[known]
    stars = ratings.stars[known]
    r = len(position)
    target = np.zeros((r, N_MOODS))
    target[same] = data.target
    if ratings.target is not None:
        target = np.where(same[:, None], data.target, ratings.target[known])
    # Emotion groups: 0 is this emotion, then one per other emotion (all others as one when the
    # ratings do not say which).
    other = ratings.emotion[known] + 1 if ratings.emotion is not None else np.ones(r, np.int64)
    group = np.unique(np.r_[0, np.where(same, 0, other)], return_inverse=True)[1][1:]
    n_groups = int(group.max()) + 1
    shares = data.mood_dist[position]
    rule_scale = np.where(same, weights.rule_stars, weights.rule_stars * weights.other_rule)
    offset = np.einsum(
        "ij,ij->i", shares, rule_scale[:, None] * (target - target.mean(axis=1, keepdims=True))
    )
    centered_stars = stars - user_mean(ratings.stars, weights)

    # Dense features: g (4), d per emotion group (4 each), pick source (one-hot), tag cluster
    # (one-hot; none for a song whose cluster is unknown).
    source = pick_source[position] if pick_source is not None else np.zeros(r, np.int64)
    # The pick sources' prior means are taken out before the solve: the Gaussian part is each
    # taste's departure from its prior mean.
    offset = offset + source_prior[source]
    first_source = N_MOODS * (1 + n_groups)
    first_cluster = first_source + NO_PICK_SOURCE + 1
    n_dense = first_cluster + n_clusters
    features = np.zeros((r, n_dense))
    features[:, :N_MOODS] = shares
    columns = N_MOODS * (1 + group[:, None]) + np.arange(N_MOODS)
    np.put_along_axis(features, columns, shares, axis=1)
    features[np.arange(r), first_source + source] = 1.0
    if n_clusters and clusters is not None:
        cluster = clusters[position]
        rows = np.flatnonzero(cluster >= 0)
        features[rows, first_cluster + cluster[rows]] = 1.0
    prior_sd = np.concatenate(
        [
            np.full(N_MOODS, weights.general_mood_sd),
            np.full(N_MOODS * n_groups, weights.mood_sd),
            np.full(NO_PICK_SOURCE + 1, source_sd),
            np.full(n_clusters, cluster_sd),
        ]
    )

    # Songs nest in artists: sort the ratings by (artist, song) so both are contiguous segments.
    if artist_codes is not None:
        artist = artist_codes[position].astype(np.int64)
        artist = np.where(artist >= 0, artist, n_artists + position)  # unknown: its own artist
    else:
        artist = n_artists + position
    order = np.lexsort((position, artist))
    position, artist, features = position[order], artist[order], features[order]
    offset, centered_stars, group = offset[order], centered_stars[order], group[order]
    track_new = np.r_[True, (position[1:] != position[:-1]) | (artist[1:] != artist[:-1])]
    artist_new = np.r_[True, artist[1:] != artist[:-1]]
    track_starts, track_of = np.flatnonzero(track_new), np.cumsum(track_new) - 1
    artist_starts, artist_of = np.flatnonzero(artist_new), np.cumsum(artist_new) - 1
    inv_noise = np.full(r, 1.0 / weights.noise_sd**2)
    track_var, artist_var = weights.track_sd**2, artist_sd**2
    track_precision = _segment_sums(inv_noise, track_starts, track_of)
    # C = noise + songs: C^-1 1, per row.
    ones_solved = inv_noise / (1.0 + track_var * track_precision)
    artist_ones = _segment_sums(ones_solved, artist_starts, artist_of)

    def solve_blocks(v: np.ndarray) -> np.ndarray:
        """B^-1 v for B = noise + song + artist covariances (v: rows x columns)."""
        z = v * inv_noise[:, None]
        z = z - (inv_noise * track_var / (1.0 + track_var * track_precision))[:, None] * (
            _segment_sums(z, track_starts, track_of)
        )
        artist_sum = _segment_sums(z, artist_starts, artist_of)
        return z - (ones_solved * artist_var / (1.0 + artist_var * artist_ones))[:, None] * (
            artist_sum
        )

    scaled = features * prior_sd
    solved_features = solve_blocks(scaled)
    system = np.einsum("ri,rj->ij", scaled, solved_features) + np.eye(n_dense)

    # Matheron: a prior draw of every taste and its simulated ratings.
    d_groups = weights.mood_sd * rng.standard_normal((n_groups, N_MOODS))
    d_groups[0] = d_draw
    dense_draw = np.concatenate(
        [g_draw, d_groups.reshape(-1), source_draw, cluster_draw]
    ) / np.where(prior_sd > 0, prior_sd, 1.0)
    artist_draw = artist_sd * rng.standard_normal(n_artists + n)
    simulated = (
        scaled @ dense_draw
        + artist_draw[artist]
        + track_draw[position]
        + weights.noise_sd * rng.standard_normal(r)
    )
    residual = centered_stars - offset
    v = np.stack([residual, residual - simulated], axis=1)
    solved = solve_blocks(v)
    dense = _cholesky_solve(system, np.einsum("ri,rk->ik", scaled, solved))
    full = solved - np.einsum("ri,ik->rk", solved_features, dense)
    dense = dense * prior_sd[:, None]
    artist_correction = artist_var * np.add.reduceat(full, artist_starts, axis=0)
    track_correction = track_var * np.add.reduceat(full, track_starts, axis=0)
    rated_artist = artist[artist_starts]
    rated_track = position[track_starts]
    in_catalogue = rated_artist < n_artists

    def mood(k: int) -> np.ndarray:
        return dense[:N_MOODS, k] + dense[N_MOODS : 2 * N_MOODS, k]

    posterior.mood_mean = rule + mood(0)
    posterior.mood_draw = posterior.mood_draw + mood(1)
    sources = slice(first_source, first_cluster)
    posterior.source_mean = source_prior + dense[sources, 0]
    posterior.source_draw = source_prior + source_draw + dense[sources, 1]
    posterior.cluster_mean = dense[first_cluster:, 0]
    posterior.cluster_draw = cluster_draw + dense[first_cluster:, 1]
    posterior.artist_mean[rated_artist[in_catalogue]] = artist_correction[in_catalogue, 0]
    posterior.artist_draw[rated_artist[in_catalogue]] = (
        artist_draw[rated_artist[in_catalogue]] + artist_correction[in_catalogue, 1]
    )
    posterior.track_mean[rated_track] = track_correction[:, 0]
    posterior.track_draw[rated_track] += track_correction[:, 1]
    return posterior


def temperature(n_ratings: int, weights: RankingWeights) -> float:
    """Thompson's temperature for a listener with this many ratings: it shrinks as they rate."""
    start = weights.explore_start * weights.explore_ratings / (weights.explore_ratings + n_ratings)
    return max(weights.explore + start, 0.0)


def _temper(mean: np.ndarray, draw: np.ndarray, explore: float) -> np.ndarray:
    return mean + explore * (draw - mean)


def _keys_at(artist_keys: Sequence, indices: np.ndarray) -> list[Hashable]:
    """The artist keys of these candidates (a lazy sequence hears of them first, in one go)."""
    if isinstance(artist_keys, np.ndarray):
        return list(artist_keys[indices].tolist())
    prefetch = getattr(artist_keys, "prefetch", None)
    if prefetch is not None and len(indices):
        prefetch(indices)
    keys = [artist_keys[int(index)] for index in indices]
    return [key.item() if isinstance(key, np.generic) else key for key in keys]


def _artist_codes_at(artist_keys: Sequence, indices: np.ndarray, known: dict) -> np.ndarray:
    return np.array([known.get(key, -1) for key in _keys_at(artist_keys, indices)], np.int64)


def score_candidates(
    data: RankingInput, *, weights: RankingWeights, rng: np.random.Generator, n_picks: int = 10
) -> dict[str, np.ndarray]:
    """Every score term for every candidate (posterior means, in stars), the Thompson draw's
    departure from them (`explore`) and the sampled `total` the ranking sorts by."""
    return _score(data, weights=weights, rng=rng, n_picks=n_picks)[0]


def _score(
    data: RankingInput, *, weights: RankingWeights, rng: np.random.Generator, n_picks: int
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """`score_candidates`, and each candidate's artist code (-1: an artist not rated, or not
    looked at).

    Artist tastes move only for artists the listener rated, so the ranker reads the artists of
    the rated songs, and then only of the candidates that an artist's taste could lift into the
    list: those within the best artist term of the `n_picks`-th best score without it (at most
    POOL_MAX of them). A large library's other artists are never loaded.
    """
    n = data.size
    known_artists: dict[Hashable, int] = {}
    if data.artist_codes is not None:
        artist_codes = data.artist_codes
    else:
        artist_codes = np.full(n, -1, dtype=np.int64)
        rated = np.unique(data.user.position[data.user.position >= 0])
        rated = rated[:MAX_RATINGS]
        for key in _keys_at(data.artist_keys, rated):
            known_artists.setdefault(key, len(known_artists))
        if known_artists:
            artist_codes[rated] = _artist_codes_at(data.artist_keys, rated, known_artists)
    pick_source = data.pick_source
    taste = taste_posterior(
        data, weights=weights, rng=rng, artist_codes=artist_codes, pick_source=pick_source
    )
    centered = data.target - data.target.mean()
    rule = weights.rule_stars * centered

    # Mood fit: the track's mood mix against the rule's target moods (0 to 1, as curators see it).
    mood_fit = data.mood_dist @ data.target
    # What the listener's ratings changed about their mood tastes here, in stars.
    mood_affinity = data.mood_dist @ (taste.mood_mean - rule)
    affinity = taste.track_mean
    source = taste.source_mean[pick_source] if pick_source is not None else np.zeros(n)
    cluster, cluster_draw = np.zeros(n), np.zeros(n)
    if len(taste.cluster_mean) and data.tag_cluster is not None:
        known_cluster = data.tag_cluster >= 0
        cluster[known_cluster] = taste.cluster_mean[data.tag_cluster[known_cluster]]
        cluster_draw[known_cluster] = taste.cluster_draw[data.tag_cluster[known_cluster]]

    # Crowd: other listeners' ratings in this emotion, a Beta posterior shrunk toward 1/2.
    crowd_good = (data.crowd_stars - data.crowd_count) / 4.0
    crowd_mean = (weights.beta_prior + crowd_good) / (2 * weights.beta_prior + data.crowd_count)
    crowd = 2.0 * (crowd_mean - 0.5)

    recent = data.recent
    outside = weights.crowd * crowd - weights.recent * recent
    mean_total = data.mood_dist @ rule + mood_affinity + affinity + source + cluster + outside
    explore = temperature(int(np.sum(data.user.position >= 0)), weights)
    if explore > 0:
        moods = mood_draws(
            data.mood_dist,
            data.mood_confidence,
            prior_strength=weights.mood_prior_strength,
            concentration=1.0 / explore**2,
            rng=rng,
        )
        mood_taste = _temper(taste.mood_mean, taste.mood_draw, explore)
        total = moods @ mood_taste + _temper(affinity, taste.track_draw, explore)
        if pick_source is not None:
            total += _temper(source, taste.source_draw[pick_source], explore)
        total += _temper(cluster, cluster_draw, explore) + outside
    else:
        total = mean_total.copy()

    artist = np.zeros(n)
    sampled_artist = _temper(taste.artist_mean, taste.artist_draw, explore)
    if len(taste.artist_mean):
        if data.artist_codes is None and n:
            lift = max(float(sampled_artist.max()), 0.0)
            bar = np.partition(total, -min(n_picks, n))[-min(n_picks, n)] - lift
            pool = np.flatnonzero(total >= bar)
            if len(pool) > POOL_MAX:
                pool = pool[np.argsort(-total[pool])[:POOL_MAX]]
            unknown = pool[artist_codes[pool] < 0]
            artist_codes[unknown] = _artist_codes_at(data.artist_keys, unknown, known_artists)
        has = artist_codes >= 0
        artist[has] = taste.artist_mean[artist_codes[has]]
        total[has] += sampled_artist[artist_codes[has]]
        mean_total += artist
    return {
        "mood_fit": mood_fit,
        "mood_affinity": mood_affinity,
        "affinity": affinity,
        "artist": artist,
        "pick_source": source,
        "tag_cluster": cluster,
        "crowd": crowd,
        "recent": recent,
        "explore": total - mean_total,
        "total": total,
    }, artist_codes


def known_good(ratings: UserRatings, n: int) -> np.ndarray:
    """(n,) True where the listener's latest rating of the candidate is >= KNOWN_GOOD_STARS."""
    mask = np.zeros(n, dtype=bool)
    known = ratings.position >= 0
    position, stars = ratings.position[known], ratings.stars[known]
    latest_position, first = np.unique(position, return_index=True)  # ratings are newest first
    mask[latest_position[stars[first] >= KNOWN_GOOD_STARS]] = True
    return mask


def diversify(
    order: np.ndarray,
    artist_keys: Sequence,
    *,
    n: int,
    per_artist: int,
    known: np.ndarray | None = None,
    budget: int | None = None,
    loved: frozenset[Hashable] = frozenset(),
    per_loved_artist: int | None = None,
) -> np.ndarray:
    """The first `n` of `order` with at most `per_artist` tracks per artist and at most `budget`
    of the `known` ones (songs the listener already rated well: the novelty budget).

    `artist_keys[i]` is any hashable naming candidate i's artist; it is only read for the
    candidates visited (a `prefetch(indices)` method, if it has one, hears of the likely ones
    first). When the library is too small to honour the caps, the best skipped tracks fill the
    rest: first those skipped for their artist, then the known ones.
    """
    prefetch = getattr(artist_keys, "prefetch", None)
    if prefetch is not None:
        prefetch(order[: max(10 * n, 100)])
    picked: list[int] = []
    skipped: list[int] = []
    over_budget: list[int] = []
    per_key: dict[Hashable, int] = {}
    known_picked = 0
    for index in order.tolist():
        is_known = known is not None and bool(known[index])
        if is_known and budget is not None and known_picked >= budget:
            over_budget.append(index)
            continue
        key = artist_keys[index]
        key = key.item() if isinstance(key, np.generic) else key
        cap = per_loved_artist if per_loved_artist is not None and key in loved else per_artist
        if per_key.get(key, 0) < cap:
            per_key[key] = per_key.get(key, 0) + 1
            picked.append(index)
            known_picked += is_known
            if len(picked) == n:
                break
        else:
            skipped.append(index)
    if len(picked) < n:
        picked += (skipped + over_budget)[: n - len(picked)]
    return np.array(picked, dtype=np.int64)


def rank(
    data: RankingInput,
    *,
    n: int = 10,
    weights: RankingWeights = DEFAULT_WEIGHTS,
    rng: np.random.Generator,
) -> Ranked:
    """Score (one Thompson draw), sort (random tie-break), diversify and keep the novelty budget;
    cold start when most picks lack mood evidence."""
    # The artist pool reaches past n: the artist cap and the novelty budget skip some.
    components, artist_codes = _score(data, weights=weights, rng=rng, n_picks=3 * n)
    total = components.pop("total")
    order = np.lexsort((rng.random(data.size), -total))
    known = known_good(data.user, data.size)
    loved: frozenset[Hashable] = frozenset()
    if weights.per_loved_artist != weights.per_artist and known.any():
        loved = frozenset(_keys_at(data.artist_keys, np.flatnonzero(known)))
    indices = diversify(
        order,
        data.artist_keys,
        n=n,
        per_artist=weights.per_artist,
        known=known,
        budget=int(weights.novelty_budget * n + 1e-9),
        loved=loved,
        per_loved_artist=weights.per_loved_artist,
    )
    return Ranked(
        indices=indices,
        score=total,
        components=components,
        cold_start=bool(
            len(indices) == 0 or np.mean(data.mood_confidence[indices] > 0) < COLD_START_SHARE
        ),
        artist_codes=artist_codes,
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
